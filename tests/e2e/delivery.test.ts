import { PEOPLE, startBotUnderTest, type BotUnderTest } from '../support/bot-under-test';
import { cardText } from '../support/cards';
import { cardFor, report } from '../support/deviation-flows';

/** Proactive cards through a connector that throttles (429) or says the user is gone (403). */
let t: BotUnderTest;
const { ingrid, emil } = PEOPLE;
const toIngrid = (method: string, path: string) =>
  method === 'POST' && decodeURIComponent(path).includes(t.client.personalConversationId(ingrid));
/** The connector requests that carried the handler card for `ref` to Ingrid. */
const handlerCardAttempts = (ref: string) =>
  t.connector.requests.filter(
    (r) =>
      toIngrid(r.method, r.path) &&
      JSON.stringify(r.body).includes(ref) &&
      JSON.stringify(r.body).includes('"deviation.take"'),
  );

beforeAll(async () => {
  t = await startBotUnderTest({ installed: [emil] });
});
afterAll(async () => {
  await t?.stop();
});

test('429 with Retry-After: 0 is retried and the leader still gets the card', async () => {
  await t.client.install(ingrid);
  t.connector.failNext(2, 429, { retryAfterSeconds: 0, match: toIngrid });
  const { ref } = await report(t, emil);
  const card = await cardFor(t, ingrid, ref, 'deviation.take');
  expect(cardText(card.card)).toContain(ref);
  expect(handlerCardAttempts(ref).map((r) => r.status)).toEqual([429, 429, 200]);
});

test('a 502 from the connector is retried and the leader still gets the card', async () => {
  await t.client.install(ingrid);
  t.connector.failNext(1, 502, { match: toIngrid });
  const { ref } = await report(t, emil);
  await cardFor(t, ingrid, ref, 'deviation.take', 10000);
  expect(handlerCardAttempts(ref).map((r) => r.status)).toEqual([502, 200]);
  await t.settle(); // the copy is recorded when the dispatcher settles the send
  expect(
    (await t.deviations.postedCards(ref)).find((c) => c.view === 'handler')?.activityId,
  ).toMatch(/^act-/);
});

test('403 (the leader blocked the bot): the report is stored, the receipt says it, and the conversation is forgotten', async () => {
  await t.client.install(ingrid);
  expect(await t.conversations.forUser(ingrid.aadObjectId)).toBeDefined();
  t.connector.failNext(1, 403, { match: toIngrid });
  const { ref, receipt } = await report(t, emil);
  expect(cardText(receipt)).toContain(ref);
  expect((await t.deviations.get(ref))?.record.status).toBe('registrert');
  expect(handlerCardAttempts(ref).map((r) => r.status)).toEqual([403]);
  // The card never arrived: no copy may be recorded for it (later updates would PUT to nowhere).
  expect((await t.deviations.postedCards(ref)).filter((c) => c.view === 'handler')).toEqual([]);
  expect(await t.conversations.forUser(ingrid.aadObjectId)).toBeUndefined();
});

test('a leader who has not installed the bot: the report goes up the line to one who has, and the receipt says so', async () => {
  // Ingrid removes the bot (the bot forgets her chat), Per has it.
  await t.client.post(
    t.client.activity(ingrid, { type: 'installationUpdate', action: 'remove' } as never),
  );
  expect(await t.conversations.forUser(ingrid.aadObjectId)).toBeUndefined();
  await t.client.install(PEOPLE.per);
  const { ref, receipt } = await report(t, emil);
  expect(cardText(receipt)).toContain('Per Kristiansen');
  const card = await cardFor(t, PEOPLE.per, ref, 'deviation.take');
  expect(cardText(card.card)).toContain(ref);
  expect((await t.deviations.get(ref))?.record.handlerId).toBe(PEOPLE.per.aadObjectId);
});

test('a leader who uninstalls the bot is forgotten, so cards are routed up the line instead', async () => {
  await t.client.install(ingrid);
  expect(await t.conversations.forUser(ingrid.aadObjectId)).toBeDefined();
  const res = await t.client.post(
    t.client.activity(ingrid, { type: 'installationUpdate', action: 'remove' } as never),
  );
  expect(res.status).toBe(200);
  expect(await t.conversations.forUser(ingrid.aadObjectId)).toBeUndefined();
  await t.client.install(ingrid); // leave the others' tests as they were
});
