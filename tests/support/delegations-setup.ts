import fs from 'node:fs';
import path from 'node:path';
import { parseAuthorityFile } from '../../bot/delegations/authority-file';
import type { Grant } from '../../bot/delegations/delegation';
import { importAuthorityFile } from '../../bot/delegations/delegation-import';
import type { BotUnderTest } from './bot-under-test';
import { cardText, executeAction } from './cards';
import { invokeCard } from './deviation-flows';
import type { TeamsUser } from './teams-client';

/** The delegation end-to-end tests' shared steps: the demo register, chats, cards, grants. */
export const DEMO_REGISTER = path.join(
  __dirname,
  '../../bot/delegations/demo/heim-fullmakter.json',
);

/** Imports Heim kommune's demo catalogue and grants into the bot under test. */
export async function importDemoRegister(t: BotUnderTest, now: Date): Promise<void> {
  const parsed = parseAuthorityFile(JSON.parse(fs.readFileSync(DEMO_REGISTER, 'utf8')));
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  const { org } = await t.bot.org.snapshot();
  const outcome = await importAuthorityFile(t.bot.delegations.deps, parsed.file, org, {
    now,
    by: 'test',
  });
  if (!outcome.ok) throw new Error(outcome.problems.join('; '));
}

export function delegationChat(t: BotUnderTest) {
  const cardsIn = (who: TeamsUser) => t.connector.cardsIn(t.client.personalConversationId(who));
  /** Writes to the bot in the personal chat; returns the card it answered with (and its id). */
  const ask = async (who: TeamsUser, text: string): Promise<{ id: string; card: any }> => {
    const before = cardsIn(who).length;
    expect((await t.client.message(who, text)).status).toBe(200);
    return t.connector.waitFor(() => cardsIn(who)[before]);
  };
  /** "deleger", then the form sent with these values; the answer card. */
  const delegate = async (who: TeamsUser, values: Record<string, unknown>): Promise<any> => {
    const form = await ask(who, 'deleger');
    const formId = executeAction(form.card, 'delegation.submit').data?.formId;
    const response = await t.client.cardAction(
      who,
      'delegation.submit',
      { formId, ...values },
      { replyToId: form.id },
    );
    await t.settle();
    return invokeCard(response);
  };
  return {
    cardsIn,
    ask,
    delegate,
    /** The newest card in a chat whose text has every one of `texts`. */
    cardWith: (who: TeamsUser, ...texts: string[]) =>
      t.connector.waitFor(() =>
        [...cardsIn(who)].reverse().find((c) => texts.every((x) => cardText(c.card).includes(x))),
      ),
    /** The grant as its record is now. */
    grant: async (ref: string): Promise<Grant> =>
      (await t.bot.delegations.deps.grants.get(ref))!.record,
  };
}
