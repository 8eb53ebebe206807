import { PEOPLE, startBotUnderTest, type BotUnderTest } from '../support/bot-under-test';
import { cardText } from '../support/cards';
import { adaptiveCardsOf } from '../support/fake-connector';
import { report, validReport } from '../support/deviation-flows';

/**
 * The table store goes away (Azurite stopped) and comes back: the bot reports it on its probes,
 * tells users something went wrong instead of failing silently, and recovers without a restart.
 * Calls during the outage take a few seconds each (the Azure SDK retries), so they run in parallel.
 */
let t: BotUnderTest;
const { ingrid, emil } = PEOPLE;
const APOLOGY = 'Beklager, noe gikk galt hos oss.';
let during: Awaited<ReturnType<typeof duringOutage>>;

async function duringOutage() {
  const before = t.connector.sent().length;
  const [health, ready, message, submit] = await Promise.all([
    t.client.get('/healthz'),
    t.client.get('/readyz'),
    t.client.message(emil, 'mine avvik'),
    t.client.cardAction(emil, 'deviation.submit', validReport()),
  ]);
  return { health, ready, message, submit, sent: t.connector.sent().slice(before) };
}

beforeAll(async () => {
  t = await startBotUnderTest();
  await t.client.install(ingrid);
  await t.client.install(emil);
  await report(t, emil);
  await t.azurite.pause();
  try {
    during = await duringOutage();
  } finally {
    await t.azurite.resume();
  }
});
afterAll(async () => {
  await t?.stop();
});

test('/healthz stays 200 and says the store is unavailable; /readyz is 503', () => {
  expect(during.health.status).toBe(200);
  expect(during.health.body).toMatchObject({ status: 'ok', store: 'unavailable' });
  expect(during.ready.status).toBe(503);
});

test('a message gets the apology in the chat, not silence', () => {
  expect(during.message.status).toBe(200);
  expect(during.sent.map((a) => a.activity.text)).toContainEqual(expect.stringContaining(APOLOGY));
});

test('a card submit gets an answer card with the apology (not a 501 with an empty body)', () => {
  expect(during.submit.status).toBe(200);
  expect(cardText(during.submit.body?.value)).toContain(APOLOGY);
});

test('when the store is back the bot works again without a restart', async () => {
  expect((await t.client.get('/readyz')).status).toBe(200);
  const before = t.connector.sent().length;
  expect((await t.client.message(emil, 'mine avvik')).status).toBe(200);
  const reply = await t.connector.waitFor(() => t.connector.sent().slice(before)[0]);
  expect(cardText(adaptiveCardsOf(reply.activity)[0])).toMatch(/AVV-\d{4}-0001/);
});
