import net from 'node:net';
import os from 'node:os';
import { readSettings, SettingsError } from '../../bot/app/config';
import { startBot } from '../../bot/app/host';
import {
  PEOPLE,
  startBotUnderTest,
  SIGNING_SECRET,
  type BotUnderTest,
} from '../support/bot-under-test';
import { inputIds } from '../support/cards';
import { TENANT_ID } from '../support/teams-client';

/**
 * Without BOT_ID nobody is authenticated, so the bot must not be reachable from the network:
 * it starts only with LOCAL_ONLY=true (npm start and the tests set it), and then listens on
 * 127.0.0.1 only, whatever HOST says.
 */
let t: BotUnderTest;

beforeAll(async () => {
  t = await startBotUnderTest(); // LOCAL_ONLY=true, no host chosen by the test
});
afterAll(async () => {
  await t?.stop();
});

/** How a TCP connection to host:port ends: 'connected' or the error code. */
function connectTo(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 2000 });
    socket.once('connect', () => (socket.destroy(), resolve('connected')));
    socket.once('timeout', () => (socket.destroy(), resolve('timeout')));
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

const networkAddresses = () =>
  Object.values(os.networkInterfaces())
    .flat()
    .filter((a): a is os.NetworkInterfaceInfo => Boolean(a && !a.internal && a.family === 'IPv4'))
    .map((a) => a.address);

test('the local-only bot is bound to 127.0.0.1 and answers there', async () => {
  expect(t.bot.host).toBe('127.0.0.1');
  expect(await connectTo('127.0.0.1', t.bot.port)).toBe('connected');
  expect((await t.client.get('/healthz')).status).toBe(200);
});

test('the local-only bot cannot be reached on the machine’s network addresses', async () => {
  const addresses = networkAddresses();
  if (addresses.length === 0) console.warn('no network interface besides loopback: not checked');
  for (const address of addresses)
    expect([address, await connectTo(address, t.bot.port)]).toEqual([address, 'ECONNREFUSED']);
});

test('without BOT_ID and without LOCAL_ONLY the bot refuses to start, naming both settings', async () => {
  const settings = readSettings({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
  const started = startBot({
    settings,
    // Never reached: the refusal comes before the store, the server or the background loop.
    location: { kind: 'azurite', url: 'http://127.0.0.1:9/devstoreaccount1' },
    cardSigningSecret: SIGNING_SECRET,
    port: 0,
  });
  await expect(started).rejects.toThrow(SettingsError);
  await expect(started).rejects.toThrow(/BOT_ID[^\n]*LOCAL_ONLY=true/);
});

test('a personal chat of the Agents Playground (no conversationType) is still served as personal', async () => {
  const { emil } = PEOPLE;
  const chat = t.client.personalConversationId(emil);
  const before = t.connector.cardsIn(chat).length;
  const res = await t.client.message(emil, 'meld avvik', {
    // As the Playground sends it: Teams would say conversationType 'personal'.
    conversation: { id: chat, tenantId: TENANT_ID },
  });
  expect(res.status).toBe(200);
  const form = await t.connector.waitFor(() => t.connector.cardsIn(chat)[before]);
  expect(inputIds(form.card)).toContain('description');
});
