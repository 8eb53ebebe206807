import { log } from '../../bot/app/log';
import { PEOPLE, startBotUnderTest, type BotUnderTest } from '../support/bot-under-test';
import { act, cardFor, report } from '../support/deviation-flows';

/**
 * Logs carry ids, never a person next to a case: when the update of an anonymous reporter's
 * receipt fails, the warning names the kind of copy and the message, not the reporter (whose
 * Entra id next to the reference would undo the anonymity for anyone who reads the logs).
 */
let t: BotUnderTest;
const { ingrid, emil } = PEOPLE;
const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

beforeAll(async () => {
  t = await startBotUnderTest({ installed: [ingrid, emil] });
});
afterAll(async () => {
  jest.restoreAllMocks();
  await t?.stop();
});

/** Every log call from now on, as JSON (LOG_LEVEL is silent in tests: the calls still happen). */
function captureLogs(): () => string[] {
  const spies = LEVELS.map((level) => jest.spyOn(log, level));
  return () => spies.flatMap((spy) => spy.mock.calls.map((call) => JSON.stringify(call)));
}

test("a failed update of an anonymous reporter's receipt is logged without the reporter", async () => {
  const logged = captureLogs();
  const { ref } = await report(t, emil, { anonymous: 'true' });
  const emilChat = t.client.personalConversationId(emil);
  // Every update of a card in Emil's chat fails now: 500 once, then 400 (a dead letter).
  const inEmilsChat = (method: string, path: string) =>
    method === 'PUT' && decodeURIComponent(path).includes(emilChat);
  t.connector.failNext(1, 500, { match: inEmilsChat });
  t.connector.failNext(10, 400, { match: inEmilsChat });

  const leaderCard = await cardFor(t, ingrid, ref, 'deviation.take');
  await act(t, ingrid, leaderCard, 'deviation.take');
  await t.connector.waitFor(() =>
    t.connector.requests.find((r) => inEmilsChat(r.method, r.path) && r.status === 400),
  );
  await t.settle();

  const lines = logged();
  const failures = lines.filter((line) => line.includes('not delivered'));
  expect(failures.length).toBeGreaterThan(0);
  // The kind of message (a posted copy) is there; the reporter is not, anywhere.
  expect(failures.join('\n')).toContain('posted.copy');
  for (const reporter of [emil.aadObjectId, emil.id, emil.name, emilChat])
    expect(lines.filter((line) => line.includes(reporter))).toEqual([]);
  expect(lines.some((line) => line.includes(ref))).toBe(true);
});

test('a card action on a case is logged with the case and the verb, not with the person who pressed', async () => {
  const logged = captureLogs();
  const { ref } = await report(t, emil);
  const leaderCard = await cardFor(t, ingrid, ref, 'deviation.take');
  await act(t, ingrid, leaderCard, 'deviation.take');
  // Emil presses a handler button on a copy of that card: refused, and logged as such.
  await act(t, emil, leaderCard, 'deviation.take');
  await t.settle();

  const lines = logged();
  const aboutTheCase = lines.filter((line) => line.includes(ref));
  expect(aboutTheCase.some((line) => line.includes('record changed'))).toBe(true);
  expect(aboutTheCase.some((line) => line.includes('not allowed'))).toBe(true);
  for (const person of [ingrid, emil])
    for (const id of [person.aadObjectId, person.id, person.name])
      expect(aboutTheCase.filter((line) => line.includes(id))).toEqual([]);
});
