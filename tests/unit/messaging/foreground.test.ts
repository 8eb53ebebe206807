import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ForegroundRequests } from '../../../bot/app/background';

/**
 * What the background loop yields to (app/background.ts): requests to the messaging endpoint
 * under way in this process, seen through Node's HTTP diagnostics channel.
 */
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

let server: http.Server;
let url: string;
const held: http.ServerResponse[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/api/messages/hold') held.push(res);
    else res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const res of held) res.end();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

test('a request to the messaging endpoint makes the process busy until shortly after its answer', async () => {
  const foreground = new ForegroundRequests('/api/messages', 20);
  expect(foreground.quiet()).toBe(true);
  const answered = fetch(`${url}/api/messages/hold`).then((r) => r.text());
  while (held.length === 0) await sleep(5);
  expect(foreground.quiet()).toBe(false);

  let quietAt = 0;
  const quiet = foreground.whenQuiet(5000).then(() => (quietAt = Date.now()));
  await sleep(50);
  expect(quietAt).toBe(0);
  const endedAt = Date.now();
  held.shift()!.end('done');
  await answered;
  await quiet;
  expect(quietAt - endedAt).toBeGreaterThanOrEqual(15);
  expect(foreground.quiet()).toBe(true);
});

test('other paths do not count, and a wait never lasts longer than asked', async () => {
  const foreground = new ForegroundRequests('/api/messages', 1);
  await fetch(`${url}/v3/conversations/x/activities`).then((r) => r.text());
  expect(foreground.quiet()).toBe(true);

  const answered = fetch(`${url}/api/messages/hold`).then((r) => r.text());
  while (held.length === 0) await sleep(5);
  const started = Date.now();
  await foreground.whenQuiet(100);
  expect(Date.now() - started).toBeGreaterThanOrEqual(95);
  expect(foreground.quiet()).toBe(false);
  held.shift()!.end('done');
  await answered;
});

test('after a request the process is quiet again before it stops counting as recently busy', async () => {
  const foreground = new ForegroundRequests('/api/messages', 10, 150);
  expect(foreground.recent()).toBe(false);
  await fetch(`${url}/api/messages/x`).then((r) => r.text());
  // The answer's 'close' may come a moment after the client has read it.
  while (foreground.quiet() && !foreground.recent()) await sleep(1);
  await sleep(30);
  // Quiet (background work may go on), but narrow: a request just went.
  expect(foreground.quiet()).toBe(true);
  expect(foreground.recent()).toBe(true);
  await sleep(150);
  expect(foreground.recent()).toBe(false);
});
