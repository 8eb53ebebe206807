import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { OutboxStore } from '../../bot/store/outbox-store';
import { openTables } from '../../bot/store/tables';
import { startTestAzurite, uniquePrefix, type TestAzurite } from '../support/azurite';
import { FakeConnector } from '../support/fake-connector';
import { deliveredKeys, enqueueLoad, seedConversations } from '../support/outbox-load';

/**
 * The outbox with real processes: two bot instances (no HTTP, just the lease + scheduler +
 * dispatcher loop, tests/support/outbox-worker.ts) against one Azurite, and a `kill -9` in
 * the middle of a fan-out. What the fake connector received is matched to what was stored.
 */
const ROOT = path.resolve(__dirname, '..', '..');
// Compiled into a folder of its own, so a parallel `tsc` of another suite never races it.
const OUT = path.join(ROOT, 'dist', 'outbox-worker-build');
const WORKER = path.join(OUT, 'tests', 'support', 'outbox-worker.js');
const LEASE_SECONDS = 3;

let azurite: TestAzurite;
let connector: FakeConnector;
const spawned: ChildProcess[] = [];

interface Line {
  worker: string;
  at?: number;
  key?: string;
  outcome?: string;
  ready?: boolean;
}

function startWorker(name: string, prefix: string, lines: Line[]): ChildProcess {
  const proc = spawn(process.execPath, [WORKER], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      AZURITE_URL: azurite.url,
      TABLE_PREFIX: prefix,
      LEASE_SECONDS: String(LEASE_SECONDS),
      SEND_RATE_PER_SECOND: '200',
      WORKER_NAME: name,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  spawned.push(proc);
  readline.createInterface({ input: proc.stdout! }).on('line', (text) => {
    try {
      lines.push(JSON.parse(text) as Line);
    } catch {
      /* not ours */
    }
  });
  return proc;
}

async function until(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const delivered = () =>
  deliveredKeys(
    connector.requests.filter((r) => r.method === 'POST' && r.status === 200).map((r) => r.body),
  );

async function load(count: number, people: number) {
  const prefix = uniquePrefix();
  const tables = openTables(azurite.location, prefix);
  await tables.ensure();
  await seedConversations(tables, connector.url, people);
  const keys = await enqueueLoad(new OutboxStore(tables), count, people);
  return { prefix, keys };
}

beforeAll(async () => {
  execFileSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--outDir', OUT],
    { cwd: ROOT, stdio: 'inherit' },
  );
  azurite = await startTestAzurite();
  connector = await FakeConnector.start();
}, 120_000);

afterAll(async () => {
  await Promise.all(
    spawned
      .filter((p) => p.exitCode === null && p.signalCode === null)
      .map((p) => {
        const exited = new Promise((r) => p.once('exit', r));
        p.kill('SIGKILL');
        return exited;
      }),
  );
  await connector?.close();
  await azurite?.stop();
});

test('two instances against one store: every message sent exactly once, by one of them', async () => {
  connector.reset();
  const { prefix, keys } = await load(300, 60);
  const lines: Line[] = [];
  startWorker('a', prefix, lines);
  startWorker('b', prefix, lines);
  await until('300 messages delivered', () => delivered().size >= keys.length);
  await new Promise((r) => setTimeout(r, 500)); // anything sent twice would show by now
  const seen = delivered();
  const duplicates = [...seen.values()].reduce((sum, n) => sum + n - 1, 0);
  const lost = keys.filter((k) => !seen.has(k)).length;
  const senders = new Map<string, Set<string>>();
  for (const l of lines)
    if (l.key && l.outcome === 'sent')
      senders.set(l.key, (senders.get(l.key) ?? new Set()).add(l.worker));
  console.log(
    `two instances: ${keys.length} stored, ${seen.size} delivered, ${duplicates} duplicates, ${lost} lost; ` +
      `sent by a: ${lines.filter((l) => l.worker === 'a' && l.outcome === 'sent').length}, ` +
      `by b: ${lines.filter((l) => l.worker === 'b' && l.outcome === 'sent').length}`,
  );
  expect(lost).toBe(0);
  expect(duplicates).toBe(0);
  expect([...senders.values()].every((s) => s.size === 1)).toBe(true);
}, 90_000);

test('kill -9 in the middle of a fan-out: the next instance takes over, nothing is lost, duplicates at most what was in flight', async () => {
  connector.reset();
  connector.slowAll(30); // a fan-out that takes a few seconds
  const { prefix, keys } = await load(500, 100);
  const lines: Line[] = [];
  const first = startWorker('first', prefix, lines);
  await until('100 settled', () => lines.filter((l) => l.outcome === 'sent').length >= 100);
  first.kill('SIGKILL');
  const killedAt = Date.now();
  const sentBeforeKill = lines.filter((l) => l.outcome === 'sent').length;
  startWorker('second', prefix, lines);
  await until('500 delivered', () => delivered().size >= keys.length, 90_000);
  await new Promise((r) => setTimeout(r, 500));
  const takeover =
    Math.min(...lines.filter((l) => l.worker === 'second' && l.at).map((l) => l.at!)) - killedAt;
  const seen = delivered();
  const duplicates = [...seen.values()].reduce((sum, n) => sum + n - 1, 0);
  const lost = keys.filter((k) => !seen.has(k)).length;
  console.log(
    `kill -9: ${keys.length} stored, killed after ${sentBeforeKill} sent, ${seen.size} delivered, ` +
      `${duplicates} duplicates, ${lost} lost; the second instance sent its first ${takeover} ms after the kill (lease ${LEASE_SECONDS} s)`,
  );
  expect(lost).toBe(0);
  expect(duplicates).toBeLessThanOrEqual(8); // the dispatcher's concurrency: sends in flight
  expect(takeover).toBeLessThan(3 * LEASE_SECONDS * 1000);
  connector.clearModes();
}, 120_000);
