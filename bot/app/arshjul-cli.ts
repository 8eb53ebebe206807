import fs from 'node:fs';
import { parseArshjulFile, checkAgainstOrg } from '../arshjul/arshjul-file';
import { readArshjulScene } from '../arshjul/arshjul-actions';
import { statusCsv } from '../arshjul/arshjul-views';
import { composeForOperator, operatorSettings } from './operator';

/**
 * The årshjul's operator commands, against the configured store (the local Azurite of
 * `npm start` by default):
 * - `npm run arshjul:import -- <file> [--remove-missing]` validates the file (errors name the
 *   entry and the field), upserts its activities, lists what the store has and the file has
 *   not (kept unless --remove-missing), and materialises the occurrences ahead;
 * - `npm run arshjul:status -- [--year 2027]` prints the status per activity as CSV;
 * - `npm run arshjul:rotate-feed -- <org | unit:<unitId>>` gives a calendar feed a new secret:
 *   the old link answers 404 at once, and the new one is printed.
 */
const USAGE = [
  'usage: npm run arshjul:import -- <arshjul.json> [--remove-missing]',
  '       npm run arshjul:status -- [--year 2027]',
  '       npm run arshjul:rotate-feed -- <org | unit:<unitId>>',
].join('\n');

async function main(): Promise<number> {
  const [command, ...args] = process.argv.slice(2);
  const settings = operatorSettings();
  const open = () => composeForOperator(settings);

  if (command === 'import') {
    const path = args.find((a) => !a.startsWith('--'));
    if (!path) {
      console.error(USAGE);
      return 2;
    }
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(path, 'utf8'));
    } catch (err) {
      console.error(`${path}: not readable JSON (${(err as Error).message})`);
      return 1;
    }
    const parsed = parseArshjulFile(json);
    if (!parsed.ok) {
      console.error(`${path} is not a valid årshjul file:\n  ${parsed.errors.join('\n  ')}`);
      return 1;
    }
    const bot = await open();
    const { org } = await bot.org.snapshot();
    for (const warning of checkAgainstOrg(parsed.file, org)) console.log(`warning: ${warning}`);
    const result = await bot.arshjulDeps.catalogue.import(parsed.file, {
      removeMissing: args.includes('--remove-missing'),
    });
    console.log(
      `Imported ${parsed.file.activities.length} activities: ${result.added.length} new, ${result.changed.length} changed, ${result.unchanged.length} unchanged.`,
    );
    if (result.removed.length) console.log(`Removed: ${result.removed.join(', ')}`);
    if (result.kept.length)
      console.log(
        `${result.kept.length} activities in the store are not in the file and were kept: ${result.kept.join(', ')}\nRun again with --remove-missing to remove them.`,
      );
    const made = await bot.materialiseArshjul(new Date());
    console.log(`Occurrences: ${made.created} created, ${made.moved} moved.`);
    return 0;
  }

  if (command === 'status') {
    const at = args.indexOf('--year');
    const bot = await open();
    const scene = await readArshjulScene(bot.arshjulDeps, 'nb');
    const year = at >= 0 ? Number(args[at + 1]) : Number(scene.today.slice(0, 4));
    if (!Number.isInteger(year) || year < 2000 || year > 2200) {
      console.error(USAGE);
      return 2;
    }
    console.log(statusCsv(await bot.arshjul.statusRows(scene, year)));
    return 0;
  }

  if (command === 'rotate') {
    const feedId = args[0] ?? '';
    const bot = await open();
    const { org } = await bot.org.snapshot();
    const unitId = feedId.startsWith('unit:') ? feedId.slice(5) : undefined;
    if (feedId !== 'org' && !(unitId && org.units.has(unitId))) {
      console.error(`unknown feed "${feedId.slice(0, 60)}"\n${USAGE}`);
      return 2;
    }
    const secret = await bot.arshjulDeps.feeds.rotate(feedId);
    console.log(`New link for ${feedId}: ${bot.arshjul.feedUrl(secret)}`);
    return 0;
  }

  console.error(USAGE);
  return 2;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error((err as Error).message);
    process.exit(1);
  },
);
