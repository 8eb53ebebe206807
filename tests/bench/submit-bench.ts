import './quiet-logs';
import { PEOPLE, startBotUnderTest, type BotUnderTest } from '../support/bot-under-test';
import { referenceIn } from '../support/cards';
import { validReport } from '../support/deviation-flows';

/**
 * `npm run bench`: report submits through the whole bot over real HTTP (invoke
 * deviation.submit -> Azurite -> handler card to the leader via the fake connector -> receipt
 * in the invoke response). Not a jest test. Prints median, p95 and slowest round trip and the
 * heap used. Options: --sequential N (default 200), --parallel N (default 50).
 */
function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index === -1 ? NaN : Number(process.argv[index + 1]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summary(label: string, times: number[], wallMs: number): string {
  const sorted = [...times].sort((a, b) => a - b);
  const f = (n: number) => n.toFixed(1).padStart(7);
  return `${label.padEnd(22)} n=${String(times.length).padStart(4)}  median ${f(percentile(sorted, 50))} ms  p95 ${f(percentile(sorted, 95))} ms  slowest ${f(sorted[sorted.length - 1])} ms  wall ${(wallMs / 1000).toFixed(2)} s`;
}

async function submitOnce(t: BotUnderTest, i: number): Promise<{ ms: number; ref: string }> {
  const started = performance.now();
  const res = await t.client.cardAction(
    PEOPLE.emil,
    'deviation.submit',
    validReport({ description: `Benchmark-hendelse ${i}` }),
    {
      replyToId: `bench-form-${i}`,
    },
  );
  const ms = performance.now() - started;
  const ref = res.status === 200 ? referenceIn(res.body?.value) : undefined;
  if (!ref) throw new Error(`submit ${i} failed: ${res.status} ${res.text.slice(0, 300)}`);
  return { ms, ref };
}

async function main(): Promise<void> {
  const sequential = option('sequential', 200);
  const parallel = option('parallel', 50);
  const t = await startBotUnderTest();
  try {
    await t.client.install(PEOPLE.ingrid);
    await t.client.install(PEOPLE.emil);
    await submitOnce(t, 0); // warm-up: first-use costs (templates, clients) are not what we measure

    const seqTimes: number[] = [];
    const seqStart = performance.now();
    for (let i = 1; i <= sequential; i++) seqTimes.push((await submitOnce(t, i)).ms);
    const seqWall = performance.now() - seqStart;

    const parStart = performance.now();
    const par = await Promise.all(
      Array.from({ length: parallel }, (_, i) => submitOnce(t, sequential + 1 + i)),
    );
    const parWall = performance.now() - parStart;

    const refs = new Set(par.map((r) => r.ref));
    const stored = await t.deviations.byReporter(PEOPLE.emil.aadObjectId);
    const leaderCards = t.connector
      .cardsIn(t.client.personalConversationId(PEOPLE.ingrid))
      .filter((c) => JSON.stringify(c.card).includes('"deviation.take"'));
    if (global.gc) global.gc();
    const memory = process.memoryUsage();

    console.log(
      `Submit benchmark: bot + Azurite + fake connector on 127.0.0.1, Node ${process.version}`,
    );
    console.log(summary(`sequential (${sequential})`, seqTimes, seqWall));
    console.log(
      summary(
        `parallel (${parallel})`,
        par.map((r) => r.ms),
        parWall,
      ),
    );
    console.log(
      `heap used ${(memory.heapUsed / 1048576).toFixed(1)} MiB, rss ${(memory.rss / 1048576).toFixed(1)} MiB (bot and benchmark share this process; Azurite is a child process)`,
    );
    console.log(
      `check: ${stored.length} deviations stored, ${leaderCards.length} handler cards delivered, ${refs.size}/${parallel} distinct references in the parallel batch`,
    );
    const expected = sequential + parallel + 1;
    if (stored.length !== expected || leaderCards.length !== expected || refs.size !== parallel) {
      throw new Error(
        `expected ${expected} deviations and handler cards and ${parallel} distinct references`,
      );
    }
  } finally {
    await t.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
