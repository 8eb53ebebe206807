import crypto from 'node:crypto';
import { osloDate } from '../../bot/deviations/report-form';
import { executeAction, referenceIn } from './cards';
import type { BotUnderTest } from './bot-under-test';
import type { BotResponse, TeamsUser } from './teams-client';

/** The steps of the deviation journey that many e2e tests repeat: report, find the leader's card, act on it. */

/** Valid form data as the report card would send it (Action.Execute data + inputs). */
/** What the flows need: a client that talks to the bot and the connector that records replies. */
export type ChatHarness = Pick<BotUnderTest, 'client' | 'connector'> & {
  /** Waits until the bot's outbox has sent what was decided (cards, copies, index rows). */
  settle?: () => Promise<void>;
};

export function validReport(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    formId: crypto.randomUUID(),
    type: 'avvik',
    categoryId: 'hms',
    unitId: 'sentrum-barnehage',
    occurredOn: osloDate(new Date()),
    occurredTime: '14:30',
    description: 'Et barn klemte fingeren i døra på avdeling Blåbær.',
    immediateAction: 'Kjølte fingeren og ringte foreldrene.',
    suggestion: '',
    severity: 'middels',
    anonymous: 'false',
    ...overrides,
  };
}

/** The card an invoke answered with (Universal Actions: body.value). */
export function invokeCard(res: BotResponse): any {
  if (res.status !== 200)
    throw new Error(`invoke answered ${res.status}: ${res.text.slice(0, 300)}`);
  return res.body?.value;
}

export interface Reported {
  ref: string;
  receipt: any;
  /** Where the reporter's form card was (the receipt replaced it). */
  receiptActivityId: string;
  response: BotResponse;
}

/** The reporter asks for the form ("meld avvik") and sends it; returns the receipt. */
export async function report(
  t: ChatHarness,
  reporter: TeamsUser,
  overrides: Record<string, unknown> = {},
): Promise<Reported> {
  const conversationId = t.client.personalConversationId(reporter);
  const before = t.connector.cardsIn(conversationId).length;
  const asked = await t.client.message(reporter, 'meld avvik');
  if (asked.status !== 200) throw new Error(`"meld avvik" answered ${asked.status}`);
  const form = await t.connector.waitFor(() => t.connector.cardsIn(conversationId)[before]);
  const formId = executeAction(form.card, 'deviation.submit').data?.formId;
  const response = await t.client.cardAction(
    reporter,
    'deviation.submit',
    validReport({ formId, ...overrides }),
    { replyToId: form.id },
  );
  const receipt = invokeCard(response);
  const ref = referenceIn(receipt);
  if (!ref)
    throw new Error(
      `no reference in the answer to the submit: ${JSON.stringify(receipt).slice(0, 500)}`,
    );
  await t.settle?.();
  return { ref, receipt, receiptActivityId: form.id, response };
}

/** The newest card in a person's chat that mentions `ref` and offers `verb` (waits for it). */
export async function cardFor(
  t: ChatHarness,
  person: TeamsUser,
  ref: string,
  verb?: string,
  timeoutMs = 5000,
): Promise<{ id: string; card: any }> {
  const conversationId = t.client.personalConversationId(person);
  return t.connector.waitFor(() => {
    const cards = t.connector
      .cardsIn(conversationId)
      .filter((c) => JSON.stringify(c.card).includes(ref))
      .filter((c) => !verb || JSON.stringify(c.card).includes(`"${verb}"`));
    return cards[cards.length - 1];
  }, timeoutMs);
}

/**
 * Presses an action of a handler card as Teams would: the Action.Execute data from the card
 * (ref, rev, sig exactly as sent) plus the inputs the person filled in.
 */
export async function act(
  t: ChatHarness,
  person: TeamsUser,
  card: { id: string; card: any },
  verb: string,
  inputs: Record<string, unknown> = {},
  options: { id?: string } = {},
): Promise<{ response: BotResponse; card: any }> {
  const action = executeAction(card.card, verb);
  const response = await t.client.cardAction(
    person,
    verb,
    { ...action.data, ...inputs },
    { replyToId: card.id, id: options.id },
  );
  await t.settle?.();
  return { response, card: invokeCard(response) };
}
