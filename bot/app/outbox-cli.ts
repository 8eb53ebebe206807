import { readSettings } from './config';
import { operatorLocation } from './local';
import { TableLease } from '../store/lease';
import { OutboxStore } from '../store/outbox-store';
import { openTables } from '../store/tables';

/**
 * `npm run outbox -- status | dead | replay <id>`: what the outbox holds, its dead letters, and
 * queueing one of them again. Against the configured store (the local Azurite by default).
 */
async function main(): Promise<void> {
  const [command, id] = process.argv.slice(2);
  const settings = readSettings();
  const tables = openTables(operatorLocation(settings), settings.TABLE_PREFIX);
  await tables.ensure();
  const outbox = new OutboxStore(tables);
  switch (command) {
    case 'status': {
      const now = new Date();
      const [queued, due, dead, lease] = await Promise.all([
        outbox.countQueued(),
        outbox.due(now, 1000).then((h) => h.length),
        outbox.deadLetters().then((d) => d.length),
        new TableLease(tables, 'dispatcher').current(),
      ]);
      const holder =
        lease && lease.expiresAt > now.getTime()
          ? `${lease.holder} (until ${new Date(lease.expiresAt).toISOString()})`
          : 'nobody (the next instance to poll takes it)';
      console.log(`queued:            ${queued} (due now: ${due}${due === 1000 ? '+' : ''})`);
      console.log(`in flight:         ${lease?.inFlight ?? 0} (at the holder's last renewal)`);
      console.log(`sent last hour:    ${lease?.sentLastHour ?? 0} (by the current holder)`);
      console.log(`dead letters:      ${dead}`);
      console.log(`dispatcher lease:  ${holder}`);
      return;
    }
    case 'dead': {
      const dead = await outbox.deadLetters();
      if (dead.length === 0) console.log('no dead letters');
      for (const d of dead) console.log(`${d.at}  ${d.id}  ${d.reason}`);
      return;
    }
    case 'replay': {
      if (!id) break;
      const ok = await outbox.replay(id, new Date());
      console.log(ok ? `queued again: ${id}` : `not a dead letter: ${id}`);
      if (!ok) process.exitCode = 1;
      return;
    }
  }
  console.error('usage: npm run outbox -- status | dead | replay <id>');
  process.exitCode = 2;
}

main().catch((err) => {
  console.error((err as Error).message);
  process.exit(1);
});
