import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { openTables } from '../../../bot/store/tables';

/**
 * A table service that takes the connection and never answers (a hung socket): a request to
 * it fails after the request timeout instead of hanging its caller for good.
 */
let server: net.Server;
let url: string;
const sockets: net.Socket[] = [];

beforeAll(async () => {
  server = net.createServer((socket) => void sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/devstoreaccount1`;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

test('a request nobody answers fails after the timeout, and every try was bounded', async () => {
  const tables = openTables({ kind: 'azurite', url }, 'hang', { requestTimeoutMs: 300 });
  const started = Date.now();
  await expect(tables.client('Deviations').getEntity('p', 'r')).rejects.toThrow();
  const took = Date.now() - started;
  expect(took).toBeGreaterThanOrEqual(300);
  // The SDK's retries (if any) each end at the timeout too: far from hanging.
  expect(took).toBeLessThan(20_000);
  expect(sockets.length).toBeGreaterThanOrEqual(1);
});
