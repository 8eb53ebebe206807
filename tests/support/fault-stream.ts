import { odata } from '@azure/data-tables';
import { osloDate } from '../../bot/deviations/report-form';
import { strings } from '../../bot/i18n';
import { cardText, elementsOf, executeAction, referenceIn } from './cards';
import { validReport } from './deviation-flows';
import type { BotUnderTest } from './bot-under-test';
import type { Activity, TeamsUser } from './teams-client';

/**
 * A stream of report submits and handler actions as Teams sends them, for fault tests
 * (tests/e2e/faults.test.ts): each request waits as Teams does, is sent again with the same
 * activity id when the bot did not answer in time, and every answer is kept for the checks.
 */

const NB = strings('nb');

/** How long each try waits for the answer: Teams gives up on an invoke and sends it again. */
const TEAMS_TRIES_MS = [4_000, 20_000];

export interface Answer {
  /** HTTP status of the answered try; 0 when no try was answered (silence). */
  status: number;
  /** The card of an invoke answer (body.value). */
  card?: any;
  /** Tries that timed out and were sent again with the same activity id. */
  timedOut: number;
  ms: number;
}

/** POSTs an activity as Teams does: a try not answered in time is sent again with the same id. */
export async function postAsTeams(t: BotUnderTest, activity: Activity): Promise<Answer> {
  const started = performance.now();
  const raw = JSON.stringify(activity);
  let timedOut = 0;
  for (const waitMs of TEAMS_TRIES_MS) {
    try {
      const res = await t.client.postRaw(raw, { 'content-type': 'application/json' }, waitMs);
      return {
        status: res.status,
        card: res.body?.value,
        timedOut,
        ms: performance.now() - started,
      };
    } catch (err) {
      if ((err as Error).name !== 'TimeoutError') throw err;
      timedOut += 1;
    }
  }
  return { status: 0, timedOut, ms: performance.now() - started };
}

const says = (a: Answer, text: string) => a.status === 200 && cardText(a.card).includes(text);
/** The bot's answer to a failure: nothing is lost, try again in a while. */
export const isTryAgain = (a: Answer) => says(a, NB.errors.generic);
/** The answer to a form sent again while its first submit is still being stored. */
export const isBeingStored = (a: Answer) => says(a, NB.form.inProgress);

export interface Submit {
  reporter: TeamsUser;
  formId: string;
  /** Unique per form: finds the stored record whatever reference it got. */
  description: string;
  answer: Answer;
  /** The reference in the receipt: set when the reporter was told the report is stored. */
  ref?: string;
}

/** The reporter was told the report is stored, or is being stored and need not be sent again. */
export const toldStored = (s: Submit) => s.ref !== undefined || isBeingStored(s.answer);

/** One press of "Send" on a fresh form (a distinct form id and description). */
export async function submitForm(
  t: BotUnderTest,
  reporter: TeamsUser,
  label: string,
  unitId: string,
): Promise<Submit> {
  const data = validReport({
    unitId,
    description: `Feiltest ${label}: døra i gangen smalt igjen.`,
  });
  const activity = t.client.cardActionActivity(reporter, 'deviation.submit', data);
  const answer = await postAsTeams(t, activity);
  const ref = answer.status === 200 ? referenceIn(answer.card) : undefined;
  return {
    reporter,
    formId: String(data.formId),
    description: String(data.description),
    answer,
    ref: ref && !isTryAgain(answer) ? ref : undefined,
  };
}

/** The same form sent again by the reporter (a new activity, the same form id and text). */
export async function submitAgain(t: BotUnderTest, s: Submit, unitId: string): Promise<Answer> {
  const data = validReport({ unitId, formId: s.formId, description: s.description });
  return postAsTeams(t, t.client.cardActionActivity(s.reporter, 'deviation.submit', data));
}

/** The handler's steps, by the status the card shows. */
const NEXT_STEP: Record<string, { verb: string; done: string } | undefined> = {
  Registrert: { verb: 'deviation.take', done: 'Under behandling' },
  'Under behandling': { verb: 'deviation.measure', done: 'Tiltak iverksatt' },
  'Tiltak iverksatt': { verb: 'deviation.close', done: 'Lukket' },
};

const STATUSES = new Set([...Object.keys(NEXT_STEP), 'Lukket', 'Avvist']);

/** The status a handler card shows (a line of its own under the title). */
export function statusShown(card: any): string | undefined {
  return elementsOf(card).find((e) => e.type === 'TextBlock' && STATUSES.has(e.text))?.text;
}

const inputsFor = (verb: string): Record<string, unknown> =>
  verb === 'deviation.measure'
    ? {
        measureText: 'Ny dørstopper er montert.',
        measureDue: osloDate(new Date(Date.now() + 7 * 86_400_000)),
      }
    : verb === 'deviation.close'
      ? { cause: 'Døra manglet dørstopper.', closingMeasures: 'Dørstopper montert.' }
      : {};

export interface Press {
  ref: string;
  verb: string;
  answer: Answer;
  /** The answer showed the new status: the handler was told it is done. */
  acknowledged: boolean;
}

/**
 * Takes a case from Registrert to Lukket from its handler card, one press per step while
 * `going()`: a step answered "try again" is pressed again later on the same card, as a
 * person would; a card that answers with the current state moves on from there.
 */
export async function handleCase(
  t: BotUnderTest,
  handler: TeamsUser,
  ref: string,
  start: { id: string; card: any },
  going: () => boolean,
  pauseMs: number,
): Promise<Press[]> {
  const presses: Press[] = [];
  let card = start.card;
  for (let step = NEXT_STEP[statusShown(card) ?? '']; step && going();) {
    const action = executeAction(card, step.verb);
    const activity = t.client.cardActionActivity(
      handler,
      step.verb,
      { ...action.data, ...inputsFor(step.verb) },
      { replyToId: start.id },
    );
    const answer = await postAsTeams(t, activity);
    const shown = answer.status === 200 ? statusShown(answer.card) : undefined;
    presses.push({ ref, verb: step.verb, answer, acknowledged: shown === step.done });
    if (shown) {
      card = answer.card;
      step = NEXT_STEP[shown];
    }
    await sleep(pauseMs);
  }
  return presses;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `once` again and again until `going()` is false; returns every result. */
export async function repeatWhile<T>(
  going: () => boolean,
  pauseMs: number,
  once: (n: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = [];
  for (let n = 0; going(); n++) {
    results.push(await once(n));
    await sleep(pauseMs);
  }
  return results;
}

/** What a stream of requests got: the submits and the handler's presses. */
export interface Stream {
  submits: Submit[];
  presses: Press[];
}

export const answersOf = (s: Stream): Answer[] => [
  ...s.submits.map((x) => x.answer),
  ...s.presses.map((x) => x.answer),
];

/** HTTP requests the stream made, a resend after a timeout counted as one more. */
export const requestsMade = (s: Stream) => answersOf(s).reduce((n, a) => n + 1 + a.timedOut, 0);

/** Every stored deviation's references by its description (unique per form in these tests). */
export async function storedByDescription(t: BotUnderTest): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  const rows = t.bot.tables.client('Deviations').listEntities<{ description: string }>({
    queryOptions: { filter: odata`RowKey eq ${'deviation'}` },
  });
  for await (const row of rows)
    found.set(row.description, [...(found.get(row.description) ?? []), String(row.partitionKey)]);
  return found;
}

/** Activities posted in a person's chat (accepted by the connector) that mention `ref`. */
export const postedFor = (t: BotUnderTest, ref: string, who: TeamsUser) =>
  t.connector
    .sent()
    .filter(
      (a) =>
        a.conversationId === t.client.personalConversationId(who) &&
        JSON.stringify(a.activity).includes(ref),
    );

/** Posts that repeat an earlier one in the same chat with the same content. */
export function duplicatePosts(t: BotUnderTest): number {
  const seen = new Map<string, number>();
  for (const a of t.connector.sent()) {
    const content = a.activity?.attachments ?? a.activity?.text;
    const key = `${a.conversationId}|${JSON.stringify(content)}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return [...seen.values()].reduce((n, k) => n + k - 1, 0);
}

/** Polls `check` until it is true; false when `timeoutMs` passed first. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

const EVENT_OF: Record<string, string> = {
  'deviation.take': 'take',
  'deviation.measure': 'measure',
  'deviation.close': 'close',
};

/**
 * Handler steps of these presses' cases stored more than once, and acknowledged presses whose
 * step is not in the case's audit trail exactly once.
 */
export async function stepsNotOnce(t: BotUnderTest, presses: Press[]) {
  let twice = 0;
  let acknowledgedNotOnce = 0;
  for (const ref of new Set(presses.map((p) => p.ref))) {
    const counts = new Map<string, number>();
    for (const e of await t.deviations.events(ref))
      counts.set(e.kind, (counts.get(e.kind) ?? 0) + 1);
    for (const kind of Object.values(EVENT_OF)) if ((counts.get(kind) ?? 0) > 1) twice++;
    for (const p of presses.filter((x) => x.ref === ref && x.acknowledged))
      if (counts.get(EVENT_OF[p.verb]) !== 1) acknowledgedNotOnce++;
  }
  return { twice, acknowledgedNotOnce };
}
