import { PEOPLE, startBotUnderTest, type BotUnderTest } from '../support/bot-under-test';
import { cardText, factValue } from '../support/cards';
import { adaptiveCardsOf } from '../support/fake-connector';
import { act, cardFor, report } from '../support/deviation-flows';

/**
 * Restart: bot.close() and a new startBot on the same Azurite, table prefix and signing secret.
 * In-process (jest cannot run the compiled bot), but a restart as far as state goes: nothing
 * survives except what is in the tables.
 */
let t: BotUnderTest;
const { ingrid, emil } = PEOPLE;

beforeAll(async () => {
  t = await startBotUnderTest({ installed: [ingrid, emil] });
});
afterAll(async () => {
  await t?.stop();
});

test('after a restart (close + startBot on the same Azurite and prefix) lists and posted card actions still work', async () => {
  const reported = await report(t, emil);
  const leaderCard = await cardFor(t, ingrid, reported.ref, 'deviation.take');
  const oldUrl = t.bot.url;

  await t.restart();
  expect(t.bot.url).not.toBe(oldUrl);
  expect((await fetch(`${oldUrl}/healthz`).catch(() => undefined))?.status).toBeUndefined();

  // "mine avvik" still lists the report.
  const before = t.connector.sent().length;
  expect((await t.client.message(emil, 'mine avvik')).status).toBe(200);
  const list = await t.connector.waitFor(() =>
    t.connector
      .sent()
      .slice(before)
      .find((a) => a.conversationId === t.client.personalConversationId(emil)),
  );
  expect(cardText(adaptiveCardsOf(list.activity)[0])).toContain(reported.ref);

  // The card Ingrid got before the restart still works (same signing secret), and the receipt follows.
  const mark = t.connector.updates().length;
  const taken = await act(t, ingrid, leaderCard, 'deviation.take');
  expect(cardText(taken.card)).toContain('Under behandling');
  const receipt = t.connector
    .updates()
    .slice(mark)
    .find((u) => u.activityId === reported.receiptActivityId);
  expect(factValue(adaptiveCardsOf(receipt?.activity)[0], 'Status')).toBe('Under behandling');

  // New reports continue the numbering instead of starting again.
  const next = await report(t, emil);
  expect(Number(next.ref.slice(-4))).toBe(Number(reported.ref.slice(-4)) + 1);
});

test('a draft typed before a restart is still there after it', async () => {
  // An invalid submit keeps the typed values as a draft in user state (Azure Tables).
  await t.client.cardAction(emil, 'deviation.submit', {
    description: 'Utkast før omstart',
    categoryId: 'hms',
  });
  await t.restart();
  const before = t.connector.sent().length;
  await t.client.message(emil, 'meld avvik');
  const form = await t.connector.waitFor(() =>
    t.connector
      .sent()
      .slice(before)
      .find((a) => a.conversationId === t.client.personalConversationId(emil)),
  );
  expect(JSON.stringify(adaptiveCardsOf(form.activity)[0])).toContain('Utkast før omstart');
});
