import { composeForOperator, operatorSettings } from './operator';
import type { Settled } from '../messaging/dispatcher';
import type { Decision } from '../scheduling/scheduler';
import { TableLease } from '../store/lease';

/**
 * `npm run scheduler:tick -- --at 2026-12-14T09:00:00+01:00`: one tick of the scheduler as if
 * it were that time, against the configured store (the local Azurite of `npm start` by
 * default), then the outbox is drained at that time. Prints one line per message decided and
 * per message settled, then a summary. Run twice with the same --at, it decides nothing new.
 * Operators use it to catch up after an outage; tests and demos use it to move time.
 */
function parseAt(args: string[]): Date {
  const index = args.indexOf('--at');
  if (index === -1) return new Date();
  const at = new Date(args[index + 1] ?? '');
  if (Number.isNaN(at.getTime())) {
    console.error('usage: npm run scheduler:tick -- [--at 2026-12-14T09:00:00+01:00]');
    process.exit(2);
  }
  return at;
}

const line = (...parts: string[]) => console.log(parts.join('  '));

async function main(): Promise<void> {
  const at = parseAt(process.argv.slice(2));
  const settings = operatorSettings();
  const counts: Record<string, number> = {};
  const count = (what: string) => (counts[what] = (counts[what] ?? 0) + 1);
  const printSettled = (s: Settled) => {
    count(s.outcome);
    line(s.outcome.padEnd(15), s.type.padEnd(26), s.key, s.recipient, s.detail ?? '');
  };
  const bot = await composeForOperator(settings, {
    clock: { now: () => at },
    onSettled: printSettled,
  });
  console.log(`scheduler tick at ${at.toISOString()}`);
  // A running bot that holds the lease sends what is due now; this command sends the rest.
  const lease = new TableLease(bot.tables, 'dispatcher', settings.LEASE_SECONDS * 1000);
  const held = await lease.acquire();
  const from = held ? undefined : new Date();
  if (!held) console.log('(a running bot holds the dispatcher lease: it sends what is due now)');
  // Two rounds: work the first round's jobs did (timers of occurrences just materialised, say)
  // may already be due at this moment. A third round would decide nothing new.
  for (let round = 0; round < 2; round++) {
    const decisions: Decision[] = await bot.scheduler.tick(at);
    for (const d of decisions) {
      count(d.outcome);
      line(d.outcome.padEnd(15), d.type.padEnd(26), d.key, d.recipient, d.source);
    }
    await bot.dispatcher.drain(at, () => false, { from });
  }
  if (held) await lease.release();
  const summary = Object.entries(counts)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
  console.log(`summary: ${summary || 'nothing decided, nothing due'}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error((err as Error).message);
    process.exit(1);
  },
);
