import { PEOPLE, startBotUnderTest, type BotUnderTest } from '../support/bot-under-test';
import { cardText, executeAction, referenceIn } from '../support/cards';
import { cardFor, invokeCard, validReport } from '../support/deviation-flows';

/**
 * The outbox against a connector that behaves like Teams under load (the fake enforces Teams'
 * per-conversation and global limits, answers 429 with Retry-After to a share of sends, 403 for
 * a user who blocked the bot, or answers slowly).
 */
let t: BotUnderTest;
const { ingrid, emil, per, lars } = PEOPLE;
const chat = (who: typeof ingrid) => t.client.personalConversationId(who);

beforeAll(async () => {
  t = await startBotUnderTest({ installed: [ingrid, emil, per, lars] });
});
afterEach(() => t.connector.clearModes());
afterAll(async () => {
  await t?.stop();
});

/** A submit as the form card sends it; the receipt comes back in the invoke's own answer. */
async function submit(unitId = 'sentrum-barnehage'): Promise<string> {
  const res = await t.client.cardAction(emil, 'deviation.submit', validReport({ unitId }));
  const ref = referenceIn(invokeCard(res));
  if (!ref) throw new Error(`no receipt: ${res.text.slice(0, 200)}`);
  return ref;
}

test('the submit does not wait for the connector: with 10 s per answer the receipt is back at once', async () => {
  t.connector.slowAll(10_000);
  const started = performance.now();
  const ref = await submit();
  const ms = performance.now() - started;
  expect(ms).toBeLessThan(3_000); // Teams allows about 5 s for an invoke answer
  // The handler card still arrives, when the connector answers.
  const card = await cardFor(t, ingrid, ref, 'deviation.take', 25_000);
  expect(cardText(card.card)).toContain(ref);
}, 40_000);

test("within Teams limits, with 429s and a blocked leader: every card arrives once, no conversation over its limit, the blocked leader's case goes up the line", async () => {
  await t.settle();
  t.connector.enforceTeamsLimits({ slackMs: 50 });
  t.connector.throttleShare(0.2, 1);
  t.connector.goneFor(chat(lars));
  const refs: string[] = [];
  for (let i = 0; i < 25; i++) refs.push(await submit());
  const blocked = await submit('barnevern'); // Lars leads barnevern and has blocked the bot
  await t.bot.outboxIdle(90_000);

  const cards = t.connector
    .cardsIn(chat(ingrid))
    .filter((c) => JSON.stringify(c.card).includes('"deviation.take"'));
  for (const ref of refs)
    expect(cards.filter((c) => cardText(c.card).includes(ref))).toHaveLength(1);
  expect(t.connector.limitViolations()).toBe(0);
  expect(t.connector.maxInWindow(1000)).toBeLessThanOrEqual(7);
  expect(t.connector.maxInWindow(2000)).toBeLessThanOrEqual(8);
  expect(t.connector.maxInWindow(30_000)).toBeLessThanOrEqual(60);
  // Some sends were refused with 429 and sent again later.
  expect(t.connector.requests.some((r) => r.status === 429)).toBe(true);

  const moved = (await t.deviations.get(blocked))!.record;
  expect(moved.handlerId).not.toBe(lars.aadObjectId);
  expect((await t.deviations.events(blocked)).map((e) => e.kind)).toContain('rerouted');
  const theirs = await cardFor(t, per, blocked, 'deviation.take');
  expect(executeAction(theirs.card, 'deviation.take').data?.ref).toBe(blocked);
  expect(await t.conversations.forUser(lars.aadObjectId)).toBeUndefined();
  const told = t.connector
    .cardsIn(chat(emil))
    .filter((c) => cardText(c.card).includes(`${blocked} behandles nå av`));
  expect(told).toHaveLength(1);
}, 120_000);
