import './quiet-logs';
import { composeBot } from '../../bot/app/compose';
import { readSettings } from '../../bot/app/config';
import { ScheduleStore } from '../../bot/store/schedule-store';
import { OutboxStore } from '../../bot/store/outbox-store';
import { openTables, safeKey, type TableName } from '../../bot/store/tables';
import { createTeamsEdge } from '../../bot/teams/bot-app';
import { startTestAzurite, uniquePrefix } from '../support/azurite';
import { FakeConnector } from '../support/fake-connector';
import {
  deliveredKeys,
  enqueueLoad,
  loadComposer,
  seedConversations,
} from '../support/outbox-load';

/**
 * `npm run bench:nudges`: (1) 10,000 nudges to 2,000 conversations through the fake Bot
 * Connector enforcing Teams' limits, with 5 % of sends answered 429 (Retry-After 1 s): the
 * achieved rate against the configured one, the busiest conversation, duplicates, lost.
 * (2) With 100,000 timers and 100,000 queued hints stored, of which 100 are due: how many
 * entities and requests it takes to find what is due. Not a test: it prints figures.
 * Options: --messages N, --conversations N, --rate N (SEND_RATE_PER_SECOND), --stored N.
 */
function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index === -1 ? NaN : Number(process.argv[index + 1]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

async function main(): Promise<void> {
  const messages = option('messages', 10_000);
  const conversations = option('conversations', 2_000);
  const rate = option('rate', 100);
  const stored = option('stored', 100_000);
  const azurite = await startTestAzurite();
  const connector = await FakeConnector.start();
  try {
    // Part 1: sending.
    const prefix = uniquePrefix();
    const settings = readSettings({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      TABLE_PREFIX: prefix,
      SEND_RATE_PER_SECOND: String(rate),
    });
    const bot = await composeBot({
      settings,
      location: azurite.location,
      cardSigningSecret: 'x'.repeat(40),
      delivery: createTeamsEdge(settings).delivery,
      extraFeatures: () => ({ cardActions: [], composers: [loadComposer] }),
    });
    await seedConversations(bot.tables, connector.url, conversations);
    const keys = await enqueueLoad(bot.outbox, messages, conversations);
    // The connector allows what the tenant is configured for, and Teams' per-conversation limits.
    connector.enforceTeamsLimits({ global: { count: rate, windowMs: 1000 } });
    connector.throttleShare(0.05, 1);
    const sentTimes = () =>
      connector.requests.filter((r) => r.method === 'POST' && r.status === 200).length;
    const started = performance.now();
    bot.background.start();
    let firstSend = 0;
    while (sentTimes() < messages && performance.now() - started < 600_000) {
      await new Promise((r) => setTimeout(r, 50));
      if (!firstSend && sentTimes() > 0) firstSend = performance.now();
    }
    // From the first send to the last: the rate the dispatcher keeps, not its start-up.
    const seconds = (performance.now() - firstSend) / 1000;
    const startup = (firstSend - started) / 1000;
    await bot.background.stop();
    const seen = deliveredKeys(
      connector.requests.filter((r) => r.method === 'POST' && r.status === 200).map((r) => r.body),
    );
    const duplicates = [...seen.values()].reduce((sum, n) => sum + n - 1, 0);
    const lost = keys.filter((k) => !seen.has(k)).length;
    const throttled = connector.requests.filter((r) => r.status === 429).length;
    const achieved = seen.size / seconds;
    console.log(
      `sending: ${messages} nudges to ${conversations} conversations, global rate ${rate}/s, 5 % of sends answered 429 (Retry-After 1 s)`,
    );
    console.log(
      `  delivered ${seen.size} in ${seconds.toFixed(1)} s from the first send to the last (first send ${startup.toFixed(1)} s after start): ${achieved.toFixed(1)}/s = ${((100 * achieved) / rate).toFixed(1)} % of the configured rate (goal >= 90 %)`,
    );
    console.log(
      `  busiest conversation: ${connector.maxInWindow(1000)} in 1 s (limit 7), ${connector.maxInWindow(2000)} in 2 s (8), ${connector.maxInWindow(30_000)} in 30 s (60); all conversations together: ${connector.maxGlobalInWindow(1000)} in 1 s`,
    );
    console.log(
      `  refused by the connector for going over a Teams limit: ${connector.limitViolations()}; 429s injected: ${throttled}`,
    );
    console.log(`  duplicates ${duplicates} (goal 0), lost ${lost} (goal 0)`);
    const mem = process.memoryUsage();
    console.log(
      `  heap ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB, rss ${(mem.rss / 2 ** 20).toFixed(0)} MiB (bot, fake connector and benchmark in one process)`,
    );

    // Part 2: finding what is due among much that is stored.
    let requests = 0;
    const prefix2 = uniquePrefix();
    const tables = openTables(azurite.location, prefix2, { onOperation: () => void requests++ });
    await tables.ensure();
    const now = new Date();
    const later = (i: number) => new Date(now.getTime() + 86_400_000 + i * 60_000).toISOString();
    const earlier = (i: number) => new Date(now.getTime() - 60_000 - i * 1000).toISOString();
    const seedStarted = performance.now();
    const seed = async (table: TableName, pk: string, row: (i: number, due: boolean) => string) => {
      const batches: [string, object][][] = [];
      for (let start = 0; start < stored; start += 100)
        batches.push(
          Array.from({ length: Math.min(100, stored - start) }, (_, k) => {
            const i = start + k;
            return ['create', { partitionKey: pk, rowKey: row(i, i % (stored / 100) === 0) }];
          }),
        );
      for (let i = 0; i < batches.length; i += 8)
        await Promise.all(
          batches.slice(i, i + 8).map((b) => tables.client(table).submitTransaction(b as never)),
        );
    };
    await seed('Schedule', 'timer', (i, due) =>
      [due ? earlier(i) : later(i), 'deviation', `AVV-2026-${i}`, 'remind-not-taken|x']
        .map(safeKey)
        .join('|'),
    );
    await seed(
      'Outbox',
      'due',
      (i, due) =>
        `${due ? earlier(i) : later(i)}|${['Deviations', `AVV-2026-${i}`, 'out-x'].map(safeKey).join('|')}`,
    );
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    requests = 0;
    const timers = await new ScheduleStore(tables).due(now, 1000);
    const timerRequests = requests;
    requests = 0;
    const hints = await new OutboxStore(tables).due(now, 1000);
    const hintRequests = requests;
    console.log(
      `finding what is due: ${stored} timers and ${stored} queued hints stored (seeded in ${seedSeconds.toFixed(0)} s), 100 of each due`,
    );
    console.log(`  scheduler: ${timers.length} entities read in ${timerRequests} request(s)`);
    console.log(`  dispatcher: ${hints.length} entities read in ${hintRequests} request(s)`);
  } finally {
    await connector.close();
    await azurite.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
