import { composeBot } from '../../bot/app/compose';
import { readSettings } from '../../bot/app/config';
import type { TablesLocation } from '../../bot/store/tables';
import { createTeamsEdge } from '../../bot/teams/bot-app';
import { loadComposer } from './outbox-load';

/**
 * One bot instance without HTTP, for tests and benchmarks that need real processes
 * (tests/integration/outbox-instances.test.ts): the composition root (composeBot) with the
 * real Teams delivery (no BOT_ID, so auth is off and each send goes to the serviceUrl of the
 * stored reference: the fake connector) and the background loop (lease, scheduler,
 * dispatcher), plus the composer of the test-only load messages (outbox-load.ts). Runs until
 * SIGTERM (graceful: stops the loop, releases the lease, exits 0) or SIGKILL.
 *
 * Compiled by tsc to dist/tests/support/outbox-worker.js. Environment:
 * - AZURITE: where the tables are, a TablesLocation as JSON (`{"kind":"azurite","url":…}`) or
 *   an Azurite table URL (`http://127.0.0.1:10002/devstoreaccount1`); AZURITE_URL also works;
 * - TABLE_PREFIX; WORKER_NAME (in every line; default the pid);
 * - LEASE_MS (rounded up to whole seconds, at least 2) or LEASE_SECONDS;
 * - SEND_RATE or SEND_RATE_PER_SECOND (the tenant's rate); any other setting of
 *   bot/app/config.ts as usual; CONNECTOR_URL is not read (the references name the connector).
 *
 * stdout: one JSON line per event, each with `worker`, `pid` and `at` (ms since the epoch):
 * `{"event":"ready"}` once the loop runs, one `{"event":"settled", type, key, recipient,
 * outcome, detail}` per message the dispatcher settles (or retries), and `{"event":"stopped"}`
 * after a SIGTERM. Bot log lines (pino JSON, LOG_LEVEL) may appear between them.
 */
function locationFrom(env: NodeJS.ProcessEnv): TablesLocation {
  const raw = env.AZURITE ?? env.AZURITE_URL;
  if (!raw) throw new Error('AZURITE (a TablesLocation as JSON, or a URL) is required');
  const text = raw.trim();
  return text.startsWith('{')
    ? (JSON.parse(text) as TablesLocation)
    : { kind: 'azurite', url: text };
}

function settingsEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { NODE_ENV: 'test', ...env };
  if (env.LEASE_MS) out.LEASE_SECONDS = String(Math.max(2, Math.ceil(Number(env.LEASE_MS) / 1000)));
  if (env.SEND_RATE) out.SEND_RATE_PER_SECOND = env.SEND_RATE;
  return out;
}

async function main(): Promise<void> {
  const settings = readSettings(settingsEnv(process.env));
  const worker = process.env.WORKER_NAME || String(process.pid);
  const emit = (line: Record<string, unknown>) =>
    process.stdout.write(
      `${JSON.stringify({ worker, pid: process.pid, at: Date.now(), ...line })}\n`,
    );
  const bot = await composeBot({
    settings,
    location: locationFrom(process.env),
    cardSigningSecret: 'outbox-worker-card-signing-secret-0123456789',
    delivery: createTeamsEdge(settings).delivery,
    extraFeatures: () => ({ cardActions: [], composers: [loadComposer] }),
    onSettled: (settled) => emit({ event: 'settled', ...settled }),
  });
  let stopping = false;
  process.on('SIGTERM', () => {
    if (stopping) return;
    stopping = true;
    // A drain stops after the page it is sending; should that hang, do not hang with it.
    setTimeout(() => process.exit(3), 20_000).unref();
    bot.background.stop().then(
      () => {
        emit({ event: 'stopped' });
        process.exit(0);
      },
      (err) => {
        process.stderr.write(`outbox-worker: stop failed: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  });
  bot.background.start();
  emit({
    event: 'ready',
    prefix: settings.TABLE_PREFIX,
    leaseSeconds: settings.LEASE_SECONDS,
    sendRate: settings.SEND_RATE_PER_SECOND,
  });
}

main().catch((err) => {
  process.stderr.write(`outbox-worker: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
