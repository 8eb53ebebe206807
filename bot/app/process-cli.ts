import { importProcessFile } from '../processes/process-import';
import { composeForOperator, operatorSettings } from './operator';

/**
 * `npm run processes:import -- <file>`: the process catalogue into the configured store (the
 * local Azurite of `npm start` by default). A new draft process's mandate goes to the rådmann
 * (or the kommunalsjef in the line) through the outbox, sent by the running bot.
 */
async function main(): Promise<number> {
  const path = process.argv.slice(2).find((a) => !a.startsWith('--'));
  if (!path) {
    console.error('usage: npm run processes:import -- <processes.json>');
    return 2;
  }
  const bot = await composeForOperator(operatorSettings());
  const { org } = await bot.org.snapshot();
  const outcome = await importProcessFile(path, bot.processes, org, new Date());
  if (!outcome.ok) {
    console.error(`${path} is not a valid process catalogue:\n  ${outcome.errors.join('\n  ')}`);
    return 1;
  }
  for (const warning of outcome.warnings) console.log(`warning: ${warning}`);
  const { added, changed, unchanged } = outcome.result;
  console.log(
    `Imported: ${added.length} new, ${changed.length} changed, ${unchanged.length} unchanged.`,
  );
  // The anchoring cards of new drafts wait in the outbox: the running bot sends them.
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error((err as Error).message);
    process.exit(1);
  },
);
