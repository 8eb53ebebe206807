import fs from 'node:fs';
import { openTables, type TablesLocation } from '../store/tables';
import { parseOrgFile, type OrgFile } from '../org/org-file';
import { OrgStore, type ImportSummary } from '../org/org-store';
import { composeForOperator, operatorSettings } from './operator';

/**
 * `npm run org:import -- <file> [--remove-missing]`: validates an organisation file and upserts
 * it. People and units that the file lacks are listed and kept unless --remove-missing is given.
 * Without Azure settings it writes to the local Azurite that `npm start` runs (127.0.0.1:10002).
 * The command composes the bot, so every feature that follows the organisation hears of the
 * import (rule 6: the grants of people who moved are flagged and their leaders get a card).
 */
export function readOrgFile(path: string): OrgFile {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: not readable JSON (${(err as Error).message})`);
  }
  const parsed = parseOrgFile(json);
  if (!parsed.ok)
    throw new Error(`${path} is not a valid organisation file:\n  ${parsed.errors.join('\n  ')}`);
  return parsed.file;
}

/** The file into a bare organisation store (no listeners): tests and tools. */
export async function importOrgFile(
  path: string,
  location: TablesLocation,
  prefix: string,
  removeMissing: boolean,
): Promise<ImportSummary> {
  const file = readOrgFile(path);
  const tables = openTables(location, prefix);
  await tables.ensure();
  return new OrgStore(tables, 0).importFile(file, { removeMissing });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const path = args.find((a) => !a.startsWith('--'));
  if (!path) {
    console.error('usage: npm run org:import -- <organisation.json> [--remove-missing]');
    process.exit(2);
  }
  try {
    const file = readOrgFile(path);
    const bot = await composeForOperator(operatorSettings());
    const summary = await bot.org.importFile(file, {
      removeMissing: args.includes('--remove-missing'),
    });
    console.log(`Imported ${summary.units} units and ${summary.people} people.`);
    const missing = [
      ...summary.missingUnits.map((id) => `unit ${id}`),
      ...summary.missingPeople.map((id) => `person ${id}`),
    ];
    if (missing.length > 0) {
      console.log(
        summary.removed
          ? `Removed ${missing.length} entries not in the file: ${missing.join(', ')}`
          : `${missing.length} entries in the store are not in the file and were kept: ${missing.join(', ')}\nRun again with --remove-missing to remove them.`,
      );
    }
    for (const line of summary.followUps) console.log(line);
    process.exit(0);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}

if (require.main === module) void main();
