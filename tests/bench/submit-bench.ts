import './quiet-logs';
import fs from 'node:fs';
import inspector from 'node:inspector';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { readSettings } from '../../bot/app/config';
import { startBot } from '../../bot/app/host';
import { logScope } from '../../bot/app/log';
import { DeviationIndexStore } from '../../bot/deviations/deviation-index-store';
import { OutboxStore } from '../../bot/store/outbox-store';
import { openTables } from '../../bot/store/tables';
import { startTestAzurite, uniquePrefix, type TestAzurite } from '../support/azurite';
import { PEOPLE, SIGNING_SECRET } from '../support/bot-under-test';
import { executeAction, referenceIn } from '../support/cards';
import { demoOrgFile, readDemoOrgJson } from '../support/demo-org';
import { validReport } from '../support/deviation-flows';
import { FakeConnector } from '../support/fake-connector';
import { TeamsClient, type TeamsUser } from '../support/teams-client';
import { startReferenceBot } from './reference-bot';
import { describeOps, OperationCounter, sequence, type CountedOperation } from './storage-ops';

/**
 * `npm run bench`: report submits through the whole bot over real HTTP (invoke
 * deviation.submit -> Azurite -> receipt in the invoke response; the handler card goes to the
 * unit's leader afterwards, through the outbox and the fake connector). Not a jest test.
 *
 * Prints, for our bot: median, p95 and slowest round trip and the heap used; the Azure Tables
 * operations (counted in the table clients' HTTP pipeline, see tests/bench/storage-ops.ts) of
 * one submit and of one handler action (deviation.take pressed on the card the leader got),
 * split into the request path (sent while the invoke was handled: the request's async
 * context) and background work (the dispatcher), and the mean per submit over the runs. Then
 * the throughput of the same load against a reference bot on the same stack that does one
 * table write per submit (tests/bench/reference-bot.ts), and the ratio ours / reference.
 *
 * Both bots run in this process against the same Azurite, driven by the same client with the
 * same payloads, never at the same time: the measured stretches alternate (the sequential run
 * in --chunks parts, the parallel bursts one by one, the order flipping each time), so a
 * machine that gets busier or quieter meanwhile affects both alike. After each stretch of
 * ours the benchmark waits, outside the measured time, until the outbox has drained; the
 * throughput is also printed with that wait counted in (what a bot under constant load keeps
 * up), since the dispatcher yields to requests for up to a second (app/background.ts).
 *
 * Options: --sequential N (200), --parallel M (50: a burst of M submits at once), --rounds R
 * (3 bursts), --chunks C (4), --warmup W (20 unmeasured submits per bot), --probes K (5),
 * --mode ours|reference|both (both), --profile DIR (CPU profiles of ours' measured stretches).
 *
 * The reports rotate over the demo organisation's units and over the people who lead none, so
 * handler cards and receipt updates spread over many chats: the dispatcher keeps Teams'
 * per-conversation limits (8 per 2 s, 60 per 30 s), and 300 cards for one chat would take
 * minutes to drain. The app-wide send cap is lifted (SEND_RATE_PER_SECOND=1000) for the same
 * reason; the drains are waited for outside the measured time.
 */
function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index === -1 ? NaN : Number(process.argv[index + 1]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

function modeOption(): 'ours' | 'reference' | 'both' {
  const index = process.argv.indexOf('--mode');
  const value = index === -1 ? 'both' : process.argv[index + 1];
  if (value === 'ours' || value === 'reference' || value === 'both') return value;
  throw new Error(`--mode must be ours, reference or both (got ${value})`);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summary(label: string, times: number[], wallMs: number): string {
  const sorted = [...times].sort((a, b) => a - b);
  const f = (n: number) => n.toFixed(1).padStart(7);
  return `${label.padEnd(22)} n=${String(times.length).padStart(4)}  median ${f(percentile(sorted, 50))} ms  p95 ${f(percentile(sorted, 95))} ms  slowest ${f(sorted[sorted.length - 1])} ms  wall ${(wallMs / 1000).toFixed(2)} s`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Sizes {
  sequential: number;
  parallel: number;
  rounds: number;
  chunks: number;
  warmup: number;
  probes: number;
}

/** The units a report can be for, each with its leader as a Teams user (from the demo file). */
interface Unit {
  id: string;
  leader: TeamsUser;
}

/** Who reports what: submit i is by reporters[i % …] about units[i % …]. */
interface Cast {
  units: Unit[];
  /** The people who lead no unit: their receipts never share a chat with a handler card. */
  reporters: TeamsUser[];
}

function demoCast(): Cast {
  const json = readDemoOrgJson();
  const people = json.people as { id: string; name: string }[];
  const known = new Map<string, TeamsUser>(
    Object.values(PEOPLE).map((p) => [p.aadObjectId, p as TeamsUser]),
  );
  const user = (id: string, fallbackId: string): TeamsUser =>
    known.get(id) ?? {
      id: fallbackId,
      aadObjectId: id,
      name: people.find((p) => p.id === id)?.name ?? id,
    };
  const unitRows = json.units as { id: string; kind: string; leaderId: string }[];
  const leaders = new Set(unitRows.map((u) => u.leaderId));
  return {
    units: unitRows
      .filter((u) => u.kind !== 'rådmannsnivå')
      .map((u) => ({ id: u.id, leader: user(u.leaderId, `29:leader-${u.id}`) })),
    reporters: people
      .filter((p) => !leaders.has(p.id))
      .map((p, i) => user(p.id, `29:reporter-${i}`)),
  };
}

const unitOf = (cast: Cast, i: number) => cast.units[i % cast.units.length];
const reporterOf = (cast: Cast, i: number) => cast.reporters[i % cast.reporters.length];

async function submitOnce(
  client: TeamsClient,
  i: number,
  cast: Cast,
  id?: string,
): Promise<{ ms: number; ref: string }> {
  const started = performance.now();
  const res = await client.cardAction(
    reporterOf(cast, i),
    'deviation.submit',
    validReport({ description: `Benchmark-hendelse ${i}`, unitId: unitOf(cast, i).id }),
    { replyToId: `bench-form-${i}`, id },
  );
  const ms = performance.now() - started;
  const ref = res.status === 200 ? referenceIn(res.body?.value) : undefined;
  if (!ref) throw new Error(`submit ${i} failed: ${res.status} ${res.text.slice(0, 300)}`);
  return { ms, ref };
}

interface Run {
  n: number;
  times: number[];
  refs: string[];
  /** The measured stretches together (request start to last answer). */
  wallMs: number;
  /** Waiting afterwards until the outbox had drained, together (ours). */
  drainMs: number;
  /** Storage operations from each stretch's start until it had drained. */
  ops: CountedOperation[];
  /** CPU time while the stretches were measured (not the drains): this process, and Azurite. */
  cpuMs: number;
  azuriteCpuMs: number;
  /** Background operations (not the request's own) sent while the stretches were measured. */
  backgroundWhileMeasured: number;
}

const emptyRun = (): Run => ({
  n: 0,
  times: [],
  refs: [],
  wallMs: 0,
  drainMs: 0,
  ops: [],
  cpuMs: 0,
  azuriteCpuMs: 0,
  backgroundWhileMeasured: 0,
});
const perSecond = (run: Run) => run.n / (run.wallMs / 1000);

/** A bot under load: ours or the reference. */
interface Subject {
  label: string;
  client: TeamsClient;
  counter: OperationCounter;
  /** Index of the next submit (its description and unit). */
  next: number;
  /** Waits until the work a stretch left behind is done (ours: the outbox has drained). */
  settle(): Promise<void>;
  sequential: Run;
  parallel: Run;
  close(): Promise<void>;
}

/** CPU time (user + system) a process has used, in ms, from /proc; undefined where unreadable. */
function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    // Fields 14 and 15 (utime, stime) after the command name in parentheses, in clock ticks.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

const ownCpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/**
 * With --profile DIR: a V8 CPU profile of each measured stretch of ours (not the drains), written
 * to DIR as <stretch>.cpuprofile (open in Chrome DevTools, or summarise by file).
 */
async function startProfile(): Promise<{ stop(name: string): Promise<void> } | undefined> {
  const index = process.argv.indexOf('--profile');
  const dir = index === -1 ? undefined : process.argv[index + 1];
  if (!dir) return undefined;
  const session = new inspector.Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<any>((resolve, reject) =>
      session.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result))),
    );
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
  return {
    async stop(name) {
      const { profile } = await post('Profiler.stop');
      session.disconnect();
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    },
  };
}

/** One measured stretch: `burst` submits at once, or one after the other. */
async function stretch(
  subject: Subject,
  cast: Cast,
  n: number,
  burst: boolean,
  into: Run,
  azuritePid: number | undefined,
) {
  const { client, counter } = subject;
  const first = subject.next;
  subject.next += n;
  const profiling = subject.label === 'ours' ? await startProfile() : undefined;
  const cpuFrom = ownCpuMs();
  const azuriteFrom = processCpuMs(azuritePid);
  const from = counter.mark();
  let results: { ms: number; ref: string }[];
  if (burst) {
    results = await Promise.all(
      Array.from({ length: n }, (_, k) => submitOnce(client, first + k, cast)),
    );
  } else {
    results = [];
    for (let i = first; i < first + n; i++) results.push(await submitOnce(client, i, cast));
  }
  const answered = counter.mark();
  into.cpuMs += ownCpuMs() - cpuFrom;
  into.azuriteCpuMs += processCpuMs(azuritePid) - azuriteFrom;
  await profiling?.stop(`${burst ? 'parallel' : 'sequential'}-${first}`);
  await subject.settle();
  const done = counter.mark();
  into.n += n;
  into.times.push(...results.map((r) => r.ms));
  into.refs.push(...results.map((r) => r.ref));
  into.wallMs += answered - from;
  into.drainMs += done - answered;
  into.backgroundWhileMeasured += counter
    .between(from, answered)
    .filter((o) => o.scope === undefined).length;
  into.ops.push(...counter.between(from, done));
}

/** n in `parts` parts as equal as can be. */
function split(n: number, parts: number): number[] {
  const k = Math.max(1, Math.min(parts, n));
  return Array.from(
    { length: k },
    (_, i) => Math.floor(((i + 1) * n) / k) - Math.floor((i * n) / k),
  );
}

/** One probe's operations: sent while the request was handled, and the rest. */
interface Probe {
  ms: number;
  request: CountedOperation[];
  background: CountedOperation[];
  /** Background operations sent before the response arrived (they overlap the request). */
  backgroundBeforeResponse: number;
  /** Request-path operations sent after the response (fire-and-forget). */
  requestAfterResponse: number;
  connectorDuringRequest: string[];
  ref: string;
}

interface Ours extends Subject {
  connector: FakeConnector;
  /** What the dispatcher did with each message: sent, retry, dead, … (with the detail of failures). */
  outcomes: Map<string, number>;
  /** Handler cards (with a "Ta ansvar" button) a person has received, optionally about `ref`. */
  cardsOf(person: TeamsUser, ref?: string): { id: string; card: any }[];
  storedReports(): Promise<number>;
}

async function startOurs(azurite: TestAzurite, cast: Cast): Promise<Ours> {
  // The request being handled, if any: the server runs each activity in logScope.
  const counter = new OperationCounter(() => logScope.getStore()?.correlationId);
  const connector = await FakeConnector.start();
  const outcomes = new Map<string, number>();
  const prefix = uniquePrefix();
  const settings = readSettings({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    TABLE_PREFIX: prefix,
    LOCAL_ONLY: 'true',
    // The fake connector is not Teams: the app-wide cap (default 30/s) would only make the
    // benchmark wait for drains. Teams' per-conversation limits still apply.
    SEND_RATE_PER_SECOND: '1000',
    // One benchmark user reports hundreds of times: the abuse limits would refuse most.
    REPORT_LIMIT_PER_HOUR: '0',
    REPORT_LIMIT_PER_DAY: '0',
    FORM_LIMIT_PER_HOUR: '0',
    FORM_LIMIT_PER_DAY: '0',
  });
  const bot = await startBot({
    settings,
    location: azurite.location,
    cardSigningSecret: SIGNING_SECRET,
    port: 0,
    host: '127.0.0.1',
    onStorageOperation: counter.onOperation,
    onSettled: (settled) => {
      const key = settled.detail ? `${settled.outcome} (${settled.detail})` : settled.outcome;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    },
  }).catch(async (err) => {
    await connector.close();
    throw err;
  });
  await bot.org.importFile(demoOrgFile(), { removeMissing: false });
  // The benchmark's own view of the store: not counted.
  const tables = openTables(azurite.location, prefix);
  const outbox = new OutboxStore(tables);
  const index = new DeviationIndexStore(tables);
  const client = new TeamsClient(bot.url, connector.url);
  for (const person of [...cast.reporters, ...cast.units.map((u) => u.leader)])
    await client.install(person);
  return {
    label: 'ours',
    client,
    counter,
    connector,
    outcomes,
    next: 0,
    sequential: emptyRun(),
    parallel: emptyRun(),
    /**
     * Until the outbox has nothing due within a minute (a failed send is retried a few seconds
     * later), then until no operation is sent for 100 ms.
     */
    async settle() {
      const started = performance.now();
      const soon = () => new Date(Date.now() + 60_000);
      while ((await outbox.due(soon(), 1)).length > 0 || bot.dispatcher.waitingCount > 0) {
        if (performance.now() - started > 60_000) throw new Error('the outbox did not drain');
        await sleep(10);
      }
      await counter.quiet(100, 5000);
    },
    cardsOf: (person, ref) =>
      connector
        .cardsIn(client.personalConversationId(person))
        .filter((c) => JSON.stringify(c.card).includes('"deviation.take"'))
        .filter((c) => !ref || JSON.stringify(c.card).includes(ref)),
    async storedReports() {
      let stored = 0;
      for (const reporter of cast.reporters)
        stored += (await index.byReporter(reporter.aadObjectId)).length;
      return stored;
    },
    async close() {
      await bot.close(200).catch(() => undefined);
      await connector.close();
    },
  };
}

async function startReference(azurite: TestAzurite): Promise<Subject & { stored(): number }> {
  const counter = new OperationCounter();
  const connector = await FakeConnector.start();
  const bot = await startReferenceBot({
    location: azurite.location,
    prefix: uniquePrefix(),
    onStorageOperation: counter.onOperation,
  }).catch(async (err) => {
    await connector.close();
    throw err;
  });
  return {
    label: 'reference',
    client: new TeamsClient(bot.url, connector.url),
    counter,
    next: 0,
    sequential: emptyRun(),
    parallel: emptyRun(),
    settle: async () => undefined,
    stored: () => bot.stored(),
    async close() {
      await bot.close();
      await connector.close();
    },
  };
}

/** What our bot does on a submit and on a handler action, each alone on a quiet bot. */
async function probeOurs(ours: Ours, cast: Cast, count: number) {
  const { client, counter, connector } = ours;
  const probe = async (
    act: (id: string) => Promise<{ ref: string }>,
    delivered: (ref: string) => unknown,
  ): Promise<Probe> => {
    await counter.quiet(100, 5000);
    const id = client.newActivityId();
    const connectorBefore = connector.requests.length;
    const t0 = counter.mark();
    const { ref } = await act(id);
    const t1 = counter.mark();
    const connectorDuringRequest = connector.requests
      .slice(connectorBefore)
      .map((r) => `${r.method} ${r.path.replace(/\/v3\/conversations\/[^/]+/, '…')}`);
    await connector.waitFor(() => delivered(ref), 10_000);
    await ours.settle();
    const ops = counter.between(t0, counter.mark());
    const request = ops.filter((o) => o.scope === id);
    const background = ops.filter((o) => o.scope !== id);
    return {
      ms: t1 - t0,
      request,
      background,
      backgroundBeforeResponse: background.filter((o) => o.at < t1).length,
      requestAfterResponse: request.filter((o) => o.at >= t1).length,
      connectorDuringRequest,
      ref,
    };
  };

  const submits: Probe[] = [];
  const actions: Probe[] = [];
  for (let k = 0; k < count; k++) {
    const i = ours.next++;
    const unit = unitOf(cast, i);
    const submitted = await probe(
      (id) => submitOnce(client, i, cast, id),
      (ref) => ours.cardsOf(unit.leader, ref)[0],
    );
    submits.push(submitted);
    // The leader presses "Ta ansvar" on the card the connector received, as Teams would.
    const card = ours.cardsOf(unit.leader, submitted.ref).pop()!;
    const action = executeAction(card.card, 'deviation.take');
    actions.push(
      await probe(
        async (id) => {
          const res = await client.cardAction(
            unit.leader,
            'deviation.take',
            { ...action.data },
            { replyToId: card.id, id },
          );
          if (res.status !== 200 || !res.body?.value)
            throw new Error(`deviation.take answered ${res.status}: ${res.text.slice(0, 300)}`);
          if (JSON.stringify(res.body.value).includes('"deviation.take"'))
            throw new Error('deviation.take did not take the case');
          return { ref: submitted.ref };
        },
        () => true,
      ),
    );
  }
  return { submits, actions };
}

function median<T>(items: T[], size: (t: T) => number): T {
  return [...items].sort((a, b) => size(a) - size(b))[Math.floor((items.length - 1) / 2)];
}

function printProbes(title: string, probes: Probe[]): void {
  const total = (p: Probe) => p.request.length + p.background.length;
  const typical = median(probes, total);
  console.log(
    `  ${title} (the median of ${probes.length} probes by total; totals ${probes.map(total).join(', ')}; request path ${probes.map((p) => p.request.length).join(', ')}):`,
  );
  const storageMs = typical.request.reduce((sum, o) => sum + (o.ms ?? 0), 0);
  console.log(
    `    request path (sent while the invoke was handled; round trip ${typical.ms.toFixed(1)} ms, of it storage requests ${storageMs.toFixed(1)} ms summed):`,
  );
  for (const line of describeOps(typical.request, { indent: '      ' })) console.log(line);
  console.log(`      order: ${sequence(typical.request) || '-'}`);
  if (typical.requestAfterResponse > 0)
    console.log(`      (${typical.requestAfterResponse} of them sent after the response)`);
  console.log(
    `      connector calls before the response: ${typical.connectorDuringRequest.join(', ') || 'none'}`,
  );
  console.log(
    `    background (the dispatcher, until the outbox had drained; ${typical.backgroundBeforeResponse} sent before the response):`,
  );
  for (const line of describeOps(typical.background, { indent: '      ' })) console.log(line);
  console.log(`      order: ${sequence(typical.background) || '-'}`);
}

function printMeans(label: string, run: Run): void {
  const request = run.ops.filter((o) => o.scope !== undefined);
  const background = run.ops.filter((o) => o.scope === undefined);
  const n = run.n;
  console.log(
    `  mean per submit over the ${label} (${n} submits, until the outbox had drained): ${(run.ops.length / n).toFixed(2)} = ${(request.length / n).toFixed(2)} request path + ${(background.length / n).toFixed(2)} background`,
  );
  console.log('    request path:');
  for (const line of describeOps(request, { per: n, indent: '      ' })) console.log(line);
  console.log('    background:');
  for (const line of describeOps(background, { per: n, indent: '      ' })) console.log(line);
}

function printThroughput(subject: Subject, sizes: Sizes): void {
  const line = (name: string, run: Run) => {
    // The drain is left out of the measured time (the dispatcher yields to requests for up to a
    // second, app/background.ts); counted in, it is what a bot under constant load keeps up.
    const withDrain = run.n / ((run.wallMs + run.drainMs) / 1000);
    const drain =
      subject.label === 'ours'
        ? `; outbox drained ${(run.drainMs / 1000).toFixed(2)} s after the answers, unmeasured: ${withDrain.toFixed(1)} per second with it`
        : '';
    const background =
      subject.label === 'ours'
        ? `; ${(run.backgroundWhileMeasured / run.n).toFixed(2)} background operations per submit sent while measured`
        : '';
    const cpu = `CPU per submit while measured: ${(run.cpuMs / run.n).toFixed(2)} ms this process (bot and client), ${(run.azuriteCpuMs / run.n).toFixed(2)} ms Azurite${background}`;
    return `  ${subject.label.padEnd(9)} ${name.padEnd(13)} ${String(run.n).padStart(4)} submits: ${perSecond(run).toFixed(1).padStart(6)} per second (${(run.wallMs / 1000).toFixed(2)} s${drain}; ${(run.ops.length / run.n).toFixed(2)} storage operations per submit)\n      ${cpu}`;
  };
  console.log(line('sequential', subject.sequential));
  console.log(line(`parallel ${sizes.rounds}×${sizes.parallel}`, subject.parallel));
}

async function main(): Promise<void> {
  const mode = modeOption();
  const sizes: Sizes = {
    sequential: option('sequential', 200),
    parallel: option('parallel', 50),
    rounds: option('rounds', 3),
    chunks: option('chunks', 4),
    warmup: option('warmup', 20),
    probes: option('probes', 5),
  };
  const cast = demoCast();
  const azurite = await startTestAzurite();
  const subjects: Subject[] = [];
  try {
    const reference = mode !== 'ours' ? await startReference(azurite) : undefined;
    if (reference) subjects.push(reference);
    const ours = mode !== 'reference' ? await startOurs(azurite, cast) : undefined;
    if (ours) subjects.push(ours);

    // Warm-up: first-use costs (templates, clients, caches, JIT) are not what we measure.
    for (const s of subjects) {
      for (let i = 0; i < sizes.warmup; i++) await submitOnce(s.client, s.next++, cast);
      await s.settle();
    }

    // Ours alone, on a quiet bot: what the background loop costs idle, then the probes.
    let idle: CountedOperation[] = [];
    const idleMs = 2000;
    let probes: Awaited<ReturnType<typeof probeOurs>> | undefined;
    if (ours) {
      const idleFrom = ours.counter.mark();
      await sleep(idleMs);
      idle = ours.counter.between(idleFrom, idleFrom + idleMs);
      probes = await probeOurs(ours, cast, sizes.probes);
    }

    // The measured stretches, alternating between the bots (the order flips each time).
    const order = (k: number) => (k % 2 === 0 ? subjects : [...subjects].reverse());
    for (const [k, n] of split(sizes.sequential, sizes.chunks).entries())
      for (const s of order(k)) await stretch(s, cast, n, false, s.sequential, azurite.pid());
    for (let r = 0; r < sizes.rounds; r++)
      for (const s of order(r))
        await stretch(s, cast, sizes.parallel, true, s.parallel, azurite.pid());

    if (global.gc) global.gc();
    const memory = process.memoryUsage();

    if (ours) {
      const stored = await ours.storedReports();
      const leaderCards = cast.units.reduce((sum, u) => sum + ours.cardsOf(u.leader).length, 0);
      const refs = new Set(ours.parallel.refs);
      console.log(
        `Submit benchmark: bot + Azurite + fake connector on 127.0.0.1, Node ${process.version}`,
      );
      console.log(
        summary(`sequential (${sizes.sequential})`, ours.sequential.times, ours.sequential.wallMs),
      );
      console.log(
        summary(
          sizes.rounds > 1
            ? `parallel (${sizes.rounds}×${sizes.parallel})`
            : `parallel (${sizes.parallel})`,
          ours.parallel.times,
          ours.parallel.wallMs,
        ),
      );
      console.log(
        `heap used ${(memory.heapUsed / 1048576).toFixed(1)} MiB, rss ${(memory.rss / 1048576).toFixed(1)} MiB (bot${reference ? ', reference bot' : ''} and benchmark share this process; Azurite is a child process)`,
      );
      console.log(
        `check: ${stored} deviations stored, ${leaderCards} handler cards delivered, ${refs.size}/${ours.parallel.n} distinct references in the parallel ${sizes.rounds > 1 ? 'batches' : 'batch'}`,
      );
      console.log(
        `dispatcher: ${[...ours.outcomes].map(([k, n]) => `${n} ${k}`).join(', ') || 'nothing settled'}`,
      );
      if (stored !== ours.next || leaderCards !== ours.next || refs.size !== ours.parallel.n) {
        throw new Error(
          `expected ${ours.next} deviations and handler cards and ${ours.parallel.n} distinct references`,
        );
      }

      console.log('');
      console.log(
        'Storage operations (Azure Tables requests, counted in the table clients’ HTTP pipeline; a batch is one):',
      );
      console.log(`  idle (the background loop with nothing to do), per second:`);
      for (const line of describeOps(idle, { per: idleMs / 1000, indent: '    ' }))
        console.log(line);
      printProbes('one submit', probes!.submits);
      printProbes(
        'one handler action, deviation.take pressed on the handler card',
        probes!.actions,
      );
      printMeans('sequential run', ours.sequential);
      printMeans(sizes.rounds > 1 ? 'parallel bursts' : 'parallel burst', ours.parallel);
    }
    if (reference) {
      if (
        reference.stored() !== reference.next ||
        new Set(reference.parallel.refs).size !== reference.parallel.n
      )
        throw new Error(`reference: expected ${reference.next} writes and distinct references`);
      console.log('');
      console.log(
        'Reference bot: restify + CloudAdapter (TeamsAdapter, auth off) + teams-ai Application, MemoryStorage state, one createEntity per submit, small card',
      );
      console.log(
        summary(
          `sequential (${sizes.sequential})`,
          reference.sequential.times,
          reference.sequential.wallMs,
        ),
      );
      console.log(
        summary(
          sizes.rounds > 1
            ? `parallel (${sizes.rounds}×${sizes.parallel})`
            : `parallel (${sizes.parallel})`,
          reference.parallel.times,
          reference.parallel.wallMs,
        ),
      );
    }

    console.log('');
    console.log(
      `Throughput (an answered invoke is a done submit; same client, payloads, Azurite and machine; the sequential run in ${split(sizes.sequential, sizes.chunks).length} part(s), ${sizes.rounds} parallel burst(s)${subjects.length > 1 ? ', alternating between the bots' : ''}):`,
    );
    for (const s of subjects) printThroughput(s, sizes);
    if (ours && reference) {
      const seq = perSecond(ours.sequential) / perSecond(reference.sequential);
      const par = perSecond(ours.parallel) / perSecond(reference.parallel);
      console.log(
        `  ours / reference: sequential ${seq.toFixed(2)}, parallel ${par.toFixed(2)} (goal >= 0.5)`,
      );
    }
  } finally {
    for (const s of subjects) await s.close().catch(() => undefined);
    await azurite.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
