import { logScope } from '../../bot/app/log';
import { PEOPLE, startBotUnderTest, type BotUnderTest } from '../support/bot-under-test';
import { cardText } from '../support/cards';
import { invokeCard, report } from '../support/deviation-flows';

/**
 * References from card data (refresh, "Vis") and from "historikk <ref>" are parsed before any
 * store call: a ref with table-key characters or of any length gets "not a valid reference"
 * at once (it used to spend seconds in store retries and end in the generic error), and at
 * most a short, safe prefix of it is shown back.
 */
let t: BotUnderTest;
const { ingrid, emil } = PEOPLE;
const requests: { table: string; activityId?: string }[] = [];

beforeAll(async () => {
  t = await startBotUnderTest({
    installed: [ingrid, emil],
    onStorageOperation: (op) =>
      void requests.push({ table: op.table, activityId: logScope.getStore()?.correlationId }),
  });
});
afterAll(async () => {
  await t?.stop();
});

const INVALID = 'er ikke en gyldig referanse';
/** Tables touched for an activity, besides the user state teams-ai loads on every turn. */
const tablesFor = (activityId: string) =>
  requests.filter((r) => r.activityId === activityId && r.table !== 'BotState').map((r) => r.table);

const LONG = `AVV-2026-${'7'.repeat(5000)}`;

test.each([
  ['a slash', 'AVV-2026-0001/../x'],
  ['a backslash', 'AVV-2026-0001\\x'],
  ['a hash', 'AVV-2026-0001#x'],
  ['a question mark', 'AVV-2026-0001?x'],
  ['a control character', 'AVV-2026-\u00010001'],
  ['5000 digits', LONG],
  ['Markdown', '[klikk her](https://example.org)'],
])(
  'refresh with a ref holding %s: "not a valid reference" at once, no store call',
  async (_case, ref) => {
    const activity = t.client.cardActionActivity(emil, 'deviation.refresh', {
      ref,
      view: 'receipt',
    });
    const started = performance.now();
    const res = await t.client.post(activity);
    expect(performance.now() - started).toBeLessThan(1000);
    const text = cardText(invokeCard(res));
    expect(text).toContain(INVALID);
    expect(tablesFor(activity.id)).toEqual([]);
    // At most a short prefix is shown back, and nothing Teams would render as a link.
    expect(text.length).toBeLessThan(200);
    expect(text).not.toContain('](');
    expect(text).not.toContain('\u0001');
  },
);

test('"Vis" in a list with a bad ref: the notice, no copy remembered, the list stays', async () => {
  const before = t.connector.cardsIn(t.client.personalConversationId(emil)).length;
  const activity = t.client.cardActionActivity(emil, 'deviation.show', {
    ref: `../${'x'.repeat(3000)}`,
    list: 'mine',
  });
  const res = await t.client.post(activity);
  expect(res.status).toBe(200);
  const shown = await t.connector.waitFor(
    () => t.connector.cardsIn(t.client.personalConversationId(emil))[before],
  );
  expect(cardText(shown.card)).toContain(INVALID);
  expect(cardText(shown.card)).not.toContain('x'.repeat(30));
  expect(tablesFor(activity.id)).not.toContain('Deviations');
  expect(tablesFor(activity.id)).not.toContain('PostedCards');
});

test.each([
  ['a slash', 'AVV-2026-0001/x'],
  ['500 characters', 'A'.repeat(500)],
])('"historikk" with a ref holding %s: "not a valid reference", no store call', async (_c, ref) => {
  const chat = t.client.personalConversationId(emil);
  const before = t.connector.cardsIn(chat).length;
  const activity = t.client.activity(emil, {
    type: 'message',
    text: `historikk ${ref}`,
    textFormat: 'plain',
  });
  expect((await t.client.post(activity)).status).toBe(200);
  const answer = await t.connector.waitFor(() => t.connector.cardsIn(chat)[before]);
  expect(cardText(answer.card)).toContain(INVALID);
  expect(cardText(answer.card)).not.toContain('A'.repeat(30));
  expect(tablesFor(activity.id).filter((table) => table !== 'Conversations')).toEqual([]);
});

test('a valid reference still works, in any case', async () => {
  const { ref } = await report(t, emil);
  const res = await t.client.cardAction(emil, 'deviation.refresh', {
    ref: ref.toLowerCase(),
    view: 'receipt',
  });
  expect(cardText(invokeCard(res))).toContain(ref);
  expect(cardText(invokeCard(res))).not.toContain(INVALID);

  const chat = t.client.personalConversationId(emil);
  const before = t.connector.cardsIn(chat).length;
  await t.client.message(emil, `historikk ${ref}`);
  const history = await t.connector.waitFor(() => t.connector.cardsIn(chat)[before]);
  expect(cardText(history.card)).toContain(ref);
  expect(cardText(history.card)).not.toContain(INVALID);
});
