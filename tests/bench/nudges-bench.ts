import './quiet-logs';
import { performance } from 'node:perf_hooks';
import type { TransactionAction } from '@azure/data-tables';
import { composeBot } from '../../bot/app/compose';
import { readSettings } from '../../bot/app/config';
import { DEVIATION_TIMER } from '../../bot/deviations/deviation-timers';
import { DeliveryError, type Delivery } from '../../bot/messaging/delivery';
import { messageId, OutboxStore, recordMessageRow } from '../../bot/store/outbox-store';
import { ScheduleStore } from '../../bot/store/schedule-store';
import {
  openTables,
  safeKey,
  type StorageOperation,
  type TableName,
  type Tables,
} from '../../bot/store/tables';
import { createTeamsEdge } from '../../bot/teams/bot-app';
import { startTestAzurite, uniquePrefix, type TestAzurite } from '../support/azurite';
import { FakeConnector } from '../support/fake-connector';
import { enqueueLoad, keyOf, loadComposer, seedConversations, tally } from '../support/outbox-load';

/**
 * `npm run bench:nudges`. Not a jest test: it prints figures.
 *
 * Part 1, sending: N nudges (default 10,000) to C conversations (2,000), stored through
 * OutboxStore.enqueue, sent by the bot's own composition root (composeBot + its background
 * loop: lease, scheduler, dispatcher) with the real Teams delivery, in this process, to the
 * fake Bot Connector on loopback. The connector enforces Teams' limits (per conversation
 * 7/1 s, 8/2 s, 60/30 s, 1800/h; for the tenant the configured SEND_RATE_PER_SECOND, --rate,
 * default 100/s) and answers 429 (Retry-After 1 s) to 5 % of sends at random. Prints the
 * achieved rate against the configured one (goal >= 90 %) and the bot's own ceiling, the
 * per-second profile with what the dispatcher's pump held in the slowest seconds, the busiest
 * conversation in 1 s / 2 s / 30 s (limits 7 / 8 / 60), the connector's limit violations,
 * duplicates and lost messages (each card carries its key), the dispatcher's outcomes, the
 * storage requests per message and their latency, and the heap.
 *
 * Part 2, finding what is due: S timers (Schedule 'timer') and S queued hints (Outbox 'due')
 * stored (default 100,000 each, written as entity-group transactions of 100) with realistic
 * RowKeys, of which D (100) of each are due: how many entities and HTTP requests
 * ScheduleStore.due and OutboxStore.due take (it must follow what is due, not what is
 * stored), against a scan of the hints partition.
 *
 * Options: --messages N, --conversations C, --rate R, --stored S, --due D.
 */
function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index === -1 ? NaN : Number(process.argv[index + 1]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1)} %`;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

interface Sizes {
  messages: number;
  conversations: number;
  rate: number;
  stored: number;
  due: number;
}

async function sending(azurite: TestAzurite, sizes: Sizes): Promise<void> {
  const { messages, conversations, rate } = sizes;
  const connector = await FakeConnector.start();
  try {
    const settings = readSettings({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      TABLE_PREFIX: uniquePrefix(),
      SEND_RATE_PER_SECOND: String(rate),
    });
    // Storage requests of the bot while it sends (not while the benchmark seeds).
    let counting = false;
    const storage: { kind: string; ms: number }[] = [];
    const onStorageOperation = (op: StorageOperation) => {
      if (!counting) return;
      const started = performance.now();
      return () => void storage.push({ kind: op.kind, ms: performance.now() - started });
    };
    const outcomes = new Map<string, number>();
    // The Teams edge's Delivery, timed: one call is one attempt as the dispatcher sees it.
    const edge = createTeamsEdge(settings).delivery;
    const calls: { ms: number; status: string }[] = [];
    const delivery: Delivery = {
      async send(reference, card) {
        const started = performance.now();
        const done = (status: string) => calls.push({ ms: performance.now() - started, status });
        try {
          const sent = await edge.send(reference, card);
          done('accepted');
          return sent;
        } catch (err) {
          done(err instanceof DeliveryError ? `HTTP ${err.status}` : (err as Error).name);
          throw err;
        }
      },
      update: (reference, activityId, card) => edge.update(reference, activityId, card),
    };
    const bot = await composeBot({
      settings,
      location: azurite.location,
      cardSigningSecret: 'nudges-bench-card-signing-secret-0123456789',
      delivery,
      extraFeatures: () => ({ cardActions: [], composers: [loadComposer] }),
      onStorageOperation,
      onSettled: (s) => outcomes.set(s.outcome, (outcomes.get(s.outcome) ?? 0) + 1),
    });

    const seedStarted = performance.now();
    await seedConversations(bot.tables, connector.url, conversations);
    const keys = await enqueueLoad(bot.outbox, messages, conversations, { prefix: 'nudge' });
    const seedSeconds = (performance.now() - seedStarted) / 1000;

    // Teams' limits; for the tenant the rate it is configured for (the fake's default is 30/s).
    connector.enforceTeamsLimits({ global: { count: rate, windowMs: 1000 } });
    connector.throttleShare(0.05, 1);

    // Follow the connector as it goes: accepted sends per 100 ms, distinct keys delivered.
    const delivered = new Set<string>();
    let seen = 0;
    let accepted = 0;
    const acceptedAt: number[] = [];
    const throttledAt: number[] = [];
    const follow = () => {
      const now = performance.now();
      for (; seen < connector.requests.length; seen++) {
        const r = connector.requests[seen];
        if (r.method === 'POST' && r.status === 429) throttledAt.push(now);
        if (r.method !== 'POST' || r.status !== 200) continue;
        accepted++;
        acceptedAt.push(now);
        const key = keyOf(r.body);
        if (key) delivered.add(key);
      }
    };
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    // What the dispatcher's pump holds, sampled as it goes (for the slowest seconds below).
    const samples: { at: number; state: ReturnType<typeof bot.dispatcher.pumpState> }[] = [];
    counting = true;
    const started = performance.now();
    bot.background.start();
    while (delivered.size < keys.length && performance.now() - started < 15 * 60_000) {
      await sleep(25);
      follow();
      samples.push({ at: performance.now(), state: bot.dispatcher.pumpState() });
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    }
    await bot.outboxIdle(30_000).catch(() => undefined);
    counting = false;
    await bot.background.stop();
    follow();

    const first = acceptedAt[0] ?? started;
    const last = acceptedAt[acceptedAt.length - 1] ?? started;
    const seconds = (last - first) / 1000;
    const achieved = (accepted - 1) / seconds; // sends after the first, over the time they took
    const ceiling = (rate * 1000) / 1010; // compose.ts keeps the tenant window 10 ms longer
    const perSecond = new Array<number>(Math.max(1, Math.ceil(seconds))).fill(0);
    for (const t of acceptedAt)
      perSecond[Math.min(perSecond.length - 1, Math.floor((t - first) / 1000))]++;
    const full = perSecond.slice(0, -1); // the last second is partial
    const sortedSeconds = [...full].sort((a, b) => a - b);
    let stall = 0;
    let longestStall = 0;
    for (const n of full) {
      stall = n < rate / 2 ? stall + 1 : 0;
      longestStall = Math.max(longestStall, stall);
    }
    // The slowest whole seconds, with what the pump held meanwhile (means of the samples).
    const secondOf = (at: number) => Math.floor((at - first) / 1000);
    const slowest = full
      .map((n, i) => ({ i, n }))
      .sort((a, b) => a.n - b.n || a.i - b.i)
      .slice(0, 5)
      .map(({ i, n }) => {
        const inSecond = samples.filter((x) => secondOf(x.at) === i).map((x) => x.state);
        const mean = (f: (x: (typeof inSecond)[number]) => number) =>
          inSecond.length === 0
            ? '-'
            : (inSecond.reduce((sum, x) => sum + f(x), 0) / inSecond.length).toFixed(1);
        const throttled = throttledAt.filter((at) => secondOf(at) === i).length;
        return `second ${i}: ${n} accepted, ${throttled} answered 429; pump held on average ${mean((x) => x.ready)} ready, ${mean((x) => x.held)} drawn, ${mean((x) => x.queued)} queued, ${mean((x) => x.preparing)} preparing, ${mean((x) => x.sending)} sending, ${mean((x) => x.unsettled)} not settled`;
      });
    const t = tally(keys, connector.requests);
    const throttled = connector.requests.filter((r) => r.status === 429).length;
    const injected = throttled - connector.limitViolations();
    const posts = connector.requests.filter((r) => r.method === 'POST').length;
    const callMs = calls.map((c) => c.ms).sort((a, b) => a - b);
    const callStatus = new Map<string, number>();
    for (const c of calls) callStatus.set(c.status, (callStatus.get(c.status) ?? 0) + 1);
    const latencies = storage.map((s) => s.ms).sort((a, b) => a - b);
    const byKind = new Map<string, number>();
    for (const s of storage) byKind.set(s.kind, (byKind.get(s.kind) ?? 0) + 1);
    gc?.();
    const heapAfter = process.memoryUsage();

    console.log(
      `Part 1, sending: ${messages} nudges to ${conversations} conversations through the fake Bot Connector (Node ${process.version})`,
    );
    console.log(
      `  connector: Teams' limits enforced (7/1 s, 8/2 s, 60/30 s, 1800/h per conversation; ${rate}/s for the tenant), 5 % of sends answered 429 with Retry-After 1 s`,
    );
    console.log(
      `  stored in ${seedSeconds.toFixed(1)} s (${conversations} conversation references, ${messages} messages with their hints)`,
    );
    console.log(
      `  achieved rate: ${accepted} sends accepted in ${seconds.toFixed(1)} s from the first to the last (first ${((first - started) / 1000).toFixed(2)} s after start): ${achieved.toFixed(1)}/s = ${pct(achieved, rate)} of SEND_RATE_PER_SECOND ${rate}/s (goal >= 90 %)`,
    );
    console.log(
      `  the bot's own ceiling: ${ceiling.toFixed(1)} sends/s (tenant window 1010 ms; a send counts from when it is let go until 1010 ms after its answer), 429s included: with ${calls.length - accepted} of ${calls.length} calls refused, ${((ceiling * accepted) / Math.max(1, calls.length)).toFixed(1)} accepted/s at most`,
    );
    console.log(
      `  per whole second: median ${percentile(sortedSeconds, 50)}, lowest ${sortedSeconds[0]}, highest ${sortedSeconds[sortedSeconds.length - 1]}; ${full.filter((n) => n >= 0.9 * rate).length} of ${full.length} seconds at >= 90 % of the rate, ${full.filter((n) => n < rate / 2).length} below 50 % (longest run ${longestStall} s)`,
    );
    console.log(`  the slowest seconds (counted from the first send):`);
    for (const line of slowest) console.log(`    ${line}`);
    console.log(
      `  busiest conversation: ${connector.maxInWindow(1000)} in 1 s (limit 7), ${connector.maxInWindow(2000)} in 2 s (limit 8), ${connector.maxInWindow(30_000)} in 30 s (limit 60); all together: ${connector.maxGlobalInWindow(1000)} in 1 s (limit ${rate})`,
    );
    console.log(
      `  connector limitViolations (429 for going over a Teams limit): ${connector.limitViolations()}; 429s injected (throttleShare): ${injected}`,
    );
    console.log(
      `  duplicates ${t.duplicates} (goal 0), lost ${t.lost} (goal 0); ${t.delivered} of ${t.stored} keys delivered`,
    );
    console.log(
      `  dispatcher: ${[...outcomes].map(([k, n]) => `${n} ${k}`).join(', ')}; Delivery.send called ${calls.length} times (${[...callStatus].map(([k, n]) => `${n} ${k}`).join(', ')})`,
    );
    console.log(
      `  connector posts ${posts} for ${calls.length} Delivery.send calls (${posts - calls.length} sent again inside a call by the connector client); call time median ${percentile(callMs, 50).toFixed(1)} ms, p99 ${percentile(callMs, 99).toFixed(0)} ms, slowest ${percentile(callMs, 100).toFixed(0)} ms, ${callMs.filter((ms) => ms > 900).length} over 900 ms`,
    );
    console.log(
      `  storage while sending: ${storage.length} requests = ${(storage.length / Math.max(1, accepted)).toFixed(2)} per send (${[...byKind].map(([k, n]) => `${k} ${n}`).join(', ')}); latency median ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, slowest ${percentile(latencies, 100).toFixed(0)} ms, ${latencies.filter((ms) => ms > 250).length} over 250 ms`,
    );
    console.log(
      `  heap: ${mib(heapBefore)} before sending, peak ${mib(heapPeak)}, ${mib(heapAfter.heapUsed)} after${gc ? ' (after gc)' : ''}; rss ${mib(heapAfter.rss)} (bot, fake connector and benchmark in one process; Azurite is a child process)`,
    );
  } finally {
    await connector.close();
  }
}

/** Writes rows of one partition in entity-group transactions of 100, 8 transactions at a time. */
async function seedRows(tables: Tables, table: TableName, partition: string, rows: string[]) {
  const batches: TransactionAction[][] = [];
  for (let i = 0; i < rows.length; i += 100)
    batches.push(
      rows.slice(i, i + 100).map((rowKey) => ['create', { partitionKey: partition, rowKey }]),
    );
  for (let i = 0; i < batches.length; i += 8)
    await Promise.all(
      batches.slice(i, i + 8).map((b) => tables.client(table).submitTransaction(b)),
    );
}

async function findingDue(azurite: TestAzurite, sizes: Sizes): Promise<void> {
  const { stored, due } = sizes;
  const counted: StorageOperation[] = [];
  let counting = false;
  const tables = openTables(azurite.location, uniquePrefix(), {
    onOperation: (op) => void (counting && counted.push(op)),
  });
  await tables.ensure();
  const outbox = new OutboxStore(tables);
  const now = new Date();
  // Every (stored / due)-th row is due (in the last two days); the rest are due within 60 days.
  const step = Math.max(1, Math.floor(stored / due));
  const isDue = (i: number) => i % step === 0 && i / step < due;
  const dueAt = (i: number) =>
    new Date(
      isDue(i)
        ? now.getTime() - 60_000 - (i % 2880) * 60_000
        : now.getTime() + 3_600_000 + ((i * 7919) % 86_400) * 60_000,
    ).toISOString();
  const ref = (i: number) => `AVV-${2025 + (i % 2)}-${String(i).padStart(5, '0')}`;
  const since = now.toISOString();
  const TIMER_NAMES = [
    `remind-not-taken|${since}`,
    `escalate-not-taken|${since}`,
    `escalate-overdue|${since}`,
    'measure-due|0',
    'privacy|24',
  ];
  // Schedule: `<dueAt>|<kind>|<ref>|<name>`, each part encoded (store/schedule-store.ts).
  const timerRows = Array.from({ length: stored }, (_, i) =>
    [dueAt(i), DEVIATION_TIMER, ref(i), TIMER_NAMES[i % TIMER_NAMES.length]].map(safeKey).join('|'),
  );
  // Outbox hints: `<dueAt>|<table>|<partition>|<row>` (store/outbox-store.ts): a nudge in the
  // outbox's own shards, or a message in its record's partition (the record's transaction).
  const hintRows = Array.from({ length: stored }, (_, i) => {
    const address =
      i % 2 === 0
        ? outbox.standaloneAddress(`nudge:${ref(i)}:not-taken:${since}`)
        : { table: 'Deviations', partition: ref(i), row: recordMessageRow(`handler:${ref(i)}`) };
    return `${dueAt(i)}|${messageId(address)}`;
  });

  const seedStarted = performance.now();
  await seedRows(tables, 'Schedule', 'timer', timerRows);
  const timersSeconds = (performance.now() - seedStarted) / 1000;
  await seedRows(tables, 'Outbox', 'due', hintRows);
  const seedSeconds = (performance.now() - seedStarted) / 1000;

  const measure = async <T>(work: () => Promise<T>) => {
    counted.length = 0;
    counting = true;
    const started = performance.now();
    const result = await work();
    const ms = performance.now() - started;
    counting = false;
    return { result, ms, requests: counted.length };
  };
  const timers = await measure(() => new ScheduleStore(tables).due(now, 1000));
  const hints = await measure(() => outbox.due(now, 1000));
  const scan = await measure(() => outbox.countQueued());
  const wrong = [
    ...timers.result.filter((x) => x.dueAt > now.toISOString()),
    ...hints.result.filter((x) => x.dueAt > now.toISOString()),
  ].length;

  console.log('');
  console.log(
    `Part 2, finding what is due: ${stored} timers (Schedule 'timer') and ${stored} queued hints (Outbox 'due') stored, ${due} of each due`,
  );
  console.log(
    `  seeded in ${seedSeconds.toFixed(1)} s (timers ${timersSeconds.toFixed(1)} s, hints ${(seedSeconds - timersSeconds).toFixed(1)} s; ${Math.ceil(stored / 100)} transactions of 100 per table)`,
  );
  console.log(
    `  ScheduleStore.due(now, 1000): ${timers.result.length} entities returned in ${timers.requests} HTTP request(s), ${timers.ms.toFixed(0)} ms`,
  );
  console.log(
    `  OutboxStore.due(now, 1000):   ${hints.result.length} entities returned in ${hints.requests} HTTP request(s), ${hints.ms.toFixed(0)} ms`,
  );
  console.log(
    `  for contrast, a scan of the hints partition (OutboxStore.countQueued): ${scan.result} entities in ${scan.requests} HTTP requests, ${scan.ms.toFixed(0)} ms`,
  );
  console.log(`  returned but not due: ${wrong} (must be 0)`);
}

async function main(): Promise<void> {
  const sizes: Sizes = {
    messages: option('messages', 10_000),
    conversations: option('conversations', 2_000),
    rate: option('rate', 100),
    stored: option('stored', 100_000),
    due: option('due', 100),
  };
  const started = performance.now();
  const azurite = await startTestAzurite();
  try {
    await sending(azurite, sizes);
    await findingDue(azurite, sizes);
  } finally {
    await azurite.stop();
  }
  console.log(`\n(the whole run took ${((performance.now() - started) / 1000).toFixed(0)} s)`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
