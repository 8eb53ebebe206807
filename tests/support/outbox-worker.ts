import { composeBot } from '../../bot/app/compose';
import { readSettings } from '../../bot/app/config';
import { createTeamsEdge } from '../../bot/teams/bot-app';
import { loadComposer } from './outbox-load';

/**
 * A bot instance without HTTP, for the multi-process outbox tests: the composition root with
 * the real Teams delivery (auth off: it posts to the serviceUrl of each stored reference, the
 * fake connector) and the background loop (lease, scheduler, dispatcher). Prints one JSON line
 * per settled message; stops on SIGTERM. Env: AZURITE_URL, TABLE_PREFIX, LEASE_SECONDS,
 * SEND_RATE_PER_SECOND, WORKER_NAME.
 */
async function main(): Promise<void> {
  const settings = readSettings({ ...process.env, LOG_LEVEL: 'silent' });
  const name = process.env.WORKER_NAME ?? String(process.pid);
  const bot = await composeBot({
    settings,
    location: { kind: 'azurite', url: process.env.AZURITE_URL! },
    cardSigningSecret: 'x'.repeat(40),
    delivery: createTeamsEdge(settings).delivery,
    extraFeatures: () => ({ cardActions: [], composers: [loadComposer] }),
    onSettled: (s) =>
      process.stdout.write(`${JSON.stringify({ worker: name, at: Date.now(), ...s })}\n`),
  });
  bot.background.start();
  process.stdout.write(`${JSON.stringify({ worker: name, ready: true })}\n`);
  process.once('SIGTERM', () => {
    void bot.background.stop().then(() => process.exit(0));
  });
}

void main();
