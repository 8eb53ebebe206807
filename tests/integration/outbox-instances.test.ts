import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { TableLease } from '../../bot/store/lease';
import { OutboxStore } from '../../bot/store/outbox-store';
import { openTables, type Tables } from '../../bot/store/tables';
import { startTestAzurite, uniquePrefix, type TestAzurite } from '../support/azurite';
import { compiled } from '../support/compiled';
import { FakeConnector } from '../support/fake-connector';
import { enqueueLoad, seedConversations, tally } from '../support/outbox-load';

/**
 * The outbox with real processes: bot instances (tests/support/outbox-worker.ts: composeBot
 * with the real Teams delivery and the background loop, no HTTP) against one Azurite and one
 * table prefix, sending to the fake Bot Connector over HTTP. What the connector accepted is
 * matched back to what was stored (each card carries its message key): a key accepted twice
 * is a duplicate, a stored key never accepted is lost. The figures are printed.
 * The worker is compiled once into a folder of its own (tests/support/compiled.ts).
 */
jest.setTimeout(60_000);

const ROOT = path.resolve(__dirname, '..', '..');
let WORKER = '';
const LEASE_MS = 3000;
/** The background loop tries an expired lease once per poll (app/background.ts). */
const POLL_MS = 1000;
/** The dispatcher's concurrency: sends in flight at once (messaging/dispatcher.ts). */
const IN_FLIGHT = 8;

let azurite: TestAzurite;
let connector: FakeConnector;
const spawned: ChildProcess[] = [];

/** A line a worker printed (see outbox-worker.ts). */
interface Line {
  worker: string;
  pid: number;
  at: number;
  event: 'ready' | 'settled' | 'stopped';
  key?: string;
  outcome?: string;
  detail?: string;
}

interface Worker {
  name: string;
  proc: ChildProcess;
  lines: Line[];
  stderr: () => string;
  /** Resolves once stdout has ended (every line read) and the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function startWorker(name: string, prefix: string): Worker {
  // Only what we pass: no developer settings (BOT_ID, …) leak in from the shell.
  const proc = spawn(process.execPath, [WORKER], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      AZURITE: JSON.stringify(azurite.location),
      TABLE_PREFIX: prefix,
      CONNECTOR_URL: connector.url,
      LEASE_MS: String(LEASE_MS),
      SEND_RATE: '200',
      WORKER_NAME: name,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  spawned.push(proc);
  const lines: Line[] = [];
  let stderr = '';
  proc.stderr!.on('data', (c) => (stderr += String(c)));
  const input = readline.createInterface({ input: proc.stdout! });
  input.on('line', (text) => {
    try {
      const line = JSON.parse(text) as Line;
      if (line.worker === name && line.event) lines.push(line);
      else if (line.worker === undefined) stderr += `${text}\n`; // a bot log line
    } catch {
      stderr += `${text}\n`;
    }
  });
  const closed = new Promise<void>((resolve) => input.once('close', resolve));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    name,
    proc,
    lines,
    stderr: () => stderr,
    exited: Promise.all([exit, closed]).then(([e]) => e),
  };
}

const sent = (w: Worker) => w.lines.filter((l) => l.event === 'settled' && l.outcome === 'sent');

async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  workers: Worker[],
  timeoutMs = 40_000,
): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) {
      const output = workers.map((w) => `--- ${w.name} (pid ${w.proc.pid}):\n${w.stderr()}`);
      throw new Error(`timed out waiting for ${what}\n${output.join('\n')}`);
    }
    await sleep(25);
  }
}

/** SIGTERM: the worker stops its loop, releases the lease and exits 0. */
async function stopWorker(w: Worker): Promise<void> {
  if (w.proc.exitCode !== null || w.proc.signalCode !== null) return;
  w.proc.kill('SIGTERM');
  const { code } = await w.exited;
  expect({ worker: w.name, code, stderr: code === 0 ? '' : w.stderr() }).toEqual({
    worker: w.name,
    code: 0,
    stderr: '',
  });
  expect(w.lines.some((l) => l.event === 'stopped')).toBe(true);
}

async function freshStore(): Promise<{ prefix: string; tables: Tables }> {
  const prefix = uniquePrefix();
  const tables = openTables(azurite.location, prefix);
  await tables.ensure();
  return { prefix, tables };
}

async function load(tables: Tables, count: number, conversations: number, keyPrefix: string) {
  await seedConversations(tables, connector.url, conversations);
  return enqueueLoad(new OutboxStore(tables), count, conversations, { prefix: keyPrefix });
}

const holderPid = (holder: string | undefined) => Number(holder?.split('-')[0]);

beforeAll(async () => {
  WORKER = compiled('outbox-worker-build', 'tests/support/outbox-worker.ts');
  azurite = await startTestAzurite();
  connector = await FakeConnector.start();
}, 180_000);

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

test('two instances on one store: every message delivered exactly once, sent by one instance at a time', async () => {
  connector.reset();
  const { prefix, tables } = await freshStore();
  const keys = await load(tables, 300, 60, 'two');
  const workers = [startWorker('a', prefix), startWorker('b', prefix)];
  await until(
    'every message sent and settled',
    () => tally(keys, connector.requests).lost === 0 && workers.flatMap(sent).length >= keys.length,
    workers,
  );
  for (const w of workers) await stopWorker(w);

  const t = tally(keys, connector.requests);
  const senders = new Map<string, string[]>();
  for (const l of workers.flatMap(sent))
    senders.set(l.key!, [...(senders.get(l.key!) ?? []), l.worker]);
  const ranges = workers
    .map((w) => ({ worker: w.name, times: sent(w).map((l) => l.at) }))
    .filter((r) => r.times.length > 0)
    .map((r) => ({
      worker: r.worker,
      from: Math.min(...r.times),
      to: Math.max(...r.times),
      n: r.times.length,
    }))
    .sort((x, y) => x.from - y.from);
  const t0 = Math.min(...ranges.map((r) => r.from));
  console.log(
    `two instances, ${t.stored} messages to 60 conversations: ${t.delivered} delivered, ${t.duplicates} duplicates, ${t.lost} lost; ` +
      workers
        .map((w) => {
          const r = ranges.find((x) => x.worker === w.name);
          return r
            ? `${w.name} sent ${r.n} (from +${r.from - t0} ms to +${r.to - t0} ms)`
            : `${w.name} sent 0`;
        })
        .join(', '),
  );

  expect(t.lost).toBe(0);
  expect(t.duplicates).toBe(0);
  expect(t.unknown).toBe(0);
  // Every message was settled as sent exactly once, by one instance …
  expect(keys.filter((k) => senders.get(k)?.length !== 1)).toEqual([]);
  expect(
    workers.flatMap((w) => w.lines).filter((l) => l.event === 'settled' && l.outcome !== 'sent'),
  ).toEqual([]);
  // … and the instances' sending times do not interleave: one sent while it held the lease.
  for (let i = 1; i < ranges.length; i++) expect(ranges[i].from).toBeGreaterThan(ranges[i - 1].to);
});

test('kill -9 of the sending instance in the middle of a fan-out: the next one takes over, nothing is lost, duplicates only from sends in flight', async () => {
  connector.reset();
  connector.slowAll(30); // the connector answers in 30 ms: sends are in flight when the kill lands
  const { prefix, tables } = await freshStore();
  const keys = await load(tables, 500, 100, 'kill');
  const outbox = new OutboxStore(tables);

  const first = startWorker('first', prefix);
  await until('100 sent by the first instance', () => sent(first).length >= 100, [first]);
  first.proc.kill('SIGKILL');
  const killedAt = Date.now();
  expect((await first.exited).signal).toBe('SIGKILL');
  const settledByFirst = new Set(sent(first).map((l) => l.key!));
  await sleep(100); // answers the connector still owed the dead process (30 ms) are recorded
  const acceptedAtKill = tally(keys, connector.requests).delivered;

  const second = startWorker('second', prefix);
  await until(
    'every message delivered and the outbox empty',
    async () => tally(keys, connector.requests).lost === 0 && (await outbox.countQueued()) === 0,
    [second],
  );
  await stopWorker(second);
  connector.clearModes();

  const t = tally(keys, connector.requests);
  const secondSent = sent(second);
  const firstSendAfterKill = Math.min(...secondSent.map((l) => l.at)) - killedAt;
  const ready = second.lines.find((l) => l.event === 'ready')!.at - killedAt;
  const inFlight = acceptedAtKill - settledByFirst.size;
  console.log(
    `kill -9 in a fan-out of ${t.stored} messages to 100 conversations: the first instance had settled ${settledByFirst.size} as sent ` +
      `(the connector had accepted ${acceptedAtKill}: ${inFlight} in flight, accepted but not settled); ` +
      `the second was ready ${ready} ms after the kill and sent its first message ${firstSendAfterKill} ms after it (lease ${LEASE_MS} ms), ` +
      `sent ${secondSent.length}; in all ${t.delivered} delivered, ${t.duplicates} duplicates, ${t.lost} lost`,
  );

  expect(t.lost).toBe(0);
  expect(t.unknown).toBe(0);
  expect(t.duplicates).toBeLessThanOrEqual(IN_FLIGHT);
  expect(t.duplicates).toBeLessThanOrEqual(Math.max(0, inFlight));
  // A message settled as sent is never sent again: a duplicate is one that was in flight.
  expect(t.duplicatedKeys.filter((k) => settledByFirst.has(k))).toEqual([]);
  expect(secondSent.filter((l) => settledByFirst.has(l.key!))).toEqual([]);
});

test('lease: a live holder keeps it; after kill -9 another instance takes it once it has expired, within the lease and a poll', async () => {
  connector.reset();
  const { prefix, tables } = await freshStore();
  const lease = new TableLease(tables, 'dispatcher', LEASE_MS);
  const a = startWorker('a', prefix);
  await until(
    'a holds the lease',
    async () => holderPid((await lease.current())?.holder) === a.proc.pid,
    [a],
  );
  const b = startWorker('b', prefix);
  await until('b is running', () => b.lines.some((l) => l.event === 'ready'), [b]);
  await sleep(POLL_MS + 300); // b tried at start and again after a poll
  expect(holderPid((await lease.current())?.holder)).toBe(a.proc.pid);

  // Watch the lease row from before the kill until b holds it.
  let aExpiresAt = 0;
  let bRow: { expiresAt: number; seenAt: number } | undefined;
  let killedAt = 0;
  const watch = (async () => {
    while (!bRow) {
      const row = await lease.current();
      const pid = holderPid(row?.holder);
      if (row && pid === a.proc.pid) aExpiresAt = Math.max(aExpiresAt, row.expiresAt);
      if (row && pid === b.proc.pid && killedAt)
        bRow = { expiresAt: row.expiresAt, seenAt: Date.now() };
      await sleep(20);
    }
  })();
  await sleep(100);
  a.proc.kill('SIGKILL');
  killedAt = Date.now();
  await a.exited;
  const leftAtKill = aExpiresAt - killedAt;
  await until('b holds the lease', () => Boolean(bRow), [b], 3 * LEASE_MS + 5000);
  await watch;
  // A renewal a sent just before it died is seen by now too.
  const takeover = bRow!.seenAt - killedAt;
  const acquiredAt = bRow!.expiresAt - LEASE_MS; // b writes expiresAt = its now + the lease time

  // b sends what is decided after the takeover.
  const keys = await load(tables, 20, 5, 'lease');
  await until(
    'the 20 messages after the takeover delivered',
    () => tally(keys, connector.requests).lost === 0,
    [b],
  );
  await stopWorker(b);
  const released = await lease.current();
  console.log(
    `lease (${LEASE_MS} ms, poll ${POLL_MS} ms): b took over ${takeover} ms after a was killed ` +
      `(a's lease had ${leftAtKill} ms left at the kill; b acquired it ${acquiredAt - aExpiresAt} ms after it expired); ` +
      `then 20 messages: ${tally(keys, connector.requests).delivered} delivered by b; after SIGTERM the lease expires at ${released?.expiresAt}`,
  );

  expect(acquiredAt).toBeGreaterThanOrEqual(aExpiresAt); // never taken from a live holder
  expect(takeover).toBeLessThan(3 * LEASE_MS);
  expect(tally(keys, connector.requests).duplicates).toBe(0);
  expect(released?.expiresAt).toBe(0); // a graceful stop hands the lease over at once
});
