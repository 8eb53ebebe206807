import crypto from 'node:crypto';
import { readSettings } from '../../bot/app/config';
import { startBot, tablesLocationFrom, type RunningBot } from '../../bot/app/host';
import { AZURITE_KEY } from '../../bot/store/tables';
import {
  azuriteConnectionString,
  startTestAzurite,
  uniquePrefix,
  type TestAzurite,
} from '../support/azurite';
import { PEOPLE } from '../support/bot-under-test';
import { FakeConnector } from '../support/fake-connector';
import { TeamsClient } from '../support/teams-client';

/**
 * With a bot app id configured, only requests with a valid Bot Framework token get in. This
 * machine has no internet: a token that makes the SDK fetch the OpenID metadata must still be
 * answered (401), not hang and not turn into a 5xx.
 */
let azurite: TestAzurite;
let connector: FakeConnector;
let bot: RunningBot;
let client: TeamsClient;
const BOT_ID = crypto.randomUUID();

beforeAll(async () => {
  // CloudAdapter prints every refused token with console.error (not through our logger).
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
  azurite = await startTestAzurite();
  connector = await FakeConnector.start();
  const settings = readSettings({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    BOT_ID,
    BOT_PASSWORD: 'x',
    BOT_TENANT_ID: crypto.randomUUID(),
    TABLES_CONNECTION_STRING: azuriteConnectionString(azurite, AZURITE_KEY),
    CARD_SIGNING_SECRET: 'k'.repeat(40),
    TABLE_PREFIX: uniquePrefix(),
  });
  bot = await startBot({
    settings,
    location: tablesLocationFrom(settings),
    cardSigningSecret: settings.CARD_SIGNING_SECRET!,
    port: 0,
    host: '127.0.0.1',
  });
  client = new TeamsClient(bot.url, connector.url);
});
afterAll(async () => {
  await bot?.close(200);
  await connector?.close();
  await azurite?.stop();
  jest.restoreAllMocks();
});

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
/** Looks like a Bot Framework token (issuer, audience, key id) but is signed by nobody. */
function forgedBotFrameworkToken(): string {
  const now = Math.floor(Date.now() / 1000);
  const header = b64({ alg: 'RS256', typ: 'JWT', kid: 'forged-key-id' });
  const payload = b64({
    iss: 'https://api.botframework.com',
    aud: BOT_ID,
    serviceUrl: connector.url,
    nbf: now - 60,
    exp: now + 3600,
  });
  return `${header}.${payload}.${Buffer.from('not a signature').toString('base64url')}`;
}

const message = () => client.activity(PEOPLE.emil, { type: 'message', text: 'hjelp' });

test('the store behind TABLES_CONNECTION_STRING answers (the bot is ready)', async () => {
  expect((await client.get('/readyz')).status).toBe(200);
  expect((await client.get('/healthz')).body).toMatchObject({ store: 'ok' });
});

test('a POST without Authorization is a 401', async () => {
  expect((await client.post(message())).status).toBe(401);
});

test('a POST with a bogus bearer token is a 401', async () => {
  const res = await client.post(message(), { authorization: 'Bearer not-a-jwt' });
  expect(res.status).toBe(401);
});

test('a forged token that sends the SDK for signing keys is a 401, answered without hanging', async () => {
  const started = Date.now();
  const res = await client.postRaw(
    JSON.stringify(message()),
    { 'content-type': 'application/json', authorization: `Bearer ${forgedBotFrameworkToken()}` },
    20000,
  );
  expect(Date.now() - started).toBeLessThan(20000);
  // Offline, the SDK's key fetch fails: that must not become a 500 carrying its error message.
  expect(res.text).not.toMatch(/ENOTFOUND|botframework\.com/);
  expect(res.status).toBe(401);
});

test('a malformed envelope with a token is still refused before anything is sent', async () => {
  const res = await client.post({}, { authorization: `Bearer ${forgedBotFrameworkToken()}` });
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  expect(connector.requests).toHaveLength(0);
});
