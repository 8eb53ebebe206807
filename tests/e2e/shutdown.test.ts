import { PEOPLE, startBotUnderTest, type BotUnderTest } from '../support/bot-under-test';
import { referenceIn } from '../support/cards';
import { validReport } from '../support/deviation-flows';

/**
 * Graceful shutdown: close() stops taking requests but lets a turn that is in flight finish.
 * The Bot Connector is made slow, so a submit is still waiting on it when close() is called.
 */
let t: BotUnderTest;
const { ingrid, emil } = PEOPLE;

beforeAll(async () => {
  t = await startBotUnderTest({ installed: [ingrid, emil] });
});
afterAll(async () => {
  await t?.stop();
});

test('a submit in flight when the bot shuts down still completes and is stored', async () => {
  const leaderChat = t.client.personalConversationId(ingrid);
  t.connector.delayNext(
    1,
    1500,
    (method, path) => method === 'POST' && decodeURIComponent(path).includes(leaderChat),
  );

  const submitting = t.client.cardAction(emil, 'deviation.submit', validReport(), {
    replyToId: 'form-1',
  });
  for (let i = 0; i < 100 && t.connector.held === 0; i++)
    await new Promise((r) => setTimeout(r, 20));
  expect(t.connector.held).toBe(1);

  const closing = t.bot.close(10000);
  const response = await submitting;
  await closing;

  expect(response.status).toBe(200);
  const ref = referenceIn(response.body?.value);
  expect(ref).toMatch(/^AVV-\d{4}-\d{4}$/);
  expect((await t.deviations.get(ref!))?.record.status).toBe('registrert');
  // The leader's card went out before the process let go.
  expect(t.connector.cardsIn(leaderChat).some((c) => JSON.stringify(c.card).includes(ref!))).toBe(
    true,
  );
  // And the server takes no new requests.
  await expect(fetch(`${t.bot.url}/healthz`)).rejects.toThrow();
});
