import fs from 'node:fs';
import path from 'node:path';
import { parseAuthorityFile } from '../delegations/authority-file';
import { reglementCsv, reglementHtml } from '../delegations/delegation-report';
import { importAuthorityFile, registerWithEvents } from '../delegations/delegation-import';
import { dayOf, isRealDate } from '../delegations/delegation-rules';
import { composeForOperator, operatorSettings } from './operator';

/**
 * The delegation register's operator commands, against the configured store (the local Azurite
 * of `npm start` by default):
 * - `npm run authority:import -- <file>` validates the catalogue (errors name the entry and the
 *   field), checks its grants against the organisation (rules 1–3), then upserts the areas and
 *   registers the grants not imported before. Areas the file no longer has are kept and named.
 * - `npm run report:fullmakter -- [--as-of YYYY-MM-DD] [--out dir] [--language nb|en]` writes
 *   the delegeringsreglement as HTML and CSV, as the register stood at the end of that date.
 */
const USAGE = [
  'usage: npm run authority:import -- <fullmakter.json>',
  '       npm run report:fullmakter -- [--as-of YYYY-MM-DD] [--out <dir>] [--language nb|en]',
].join('\n');

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

async function importFile(file: string | undefined): Promise<number> {
  if (!file) {
    console.error(USAGE);
    return 2;
  }
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    console.error(`${file}: not readable JSON (${(err as Error).message})`);
    return 1;
  }
  const parsed = parseAuthorityFile(json);
  if (!parsed.ok) {
    console.error(`${file} is not a valid authority file:\n  ${parsed.errors.join('\n  ')}`);
    return 1;
  }
  const bot = await composeForOperator(operatorSettings());
  const { org } = await bot.org.snapshot();
  const outcome = await importAuthorityFile(bot.delegationDeps, parsed.file, org, {
    now: new Date(),
    by: 'import',
  });
  if (!outcome.ok) {
    console.error(
      `Nothing was stored: the grants break the rules:\n  ${outcome.problems.join('\n  ')}`,
    );
    return 1;
  }
  const { areas, grants } = outcome.result;
  console.log(
    `Areas: ${areas.added.length} new, ${areas.changed.length} changed, ${areas.unchanged.length} unchanged.`,
  );
  console.log(
    `Grants: ${grants.added.length} registered, ${grants.unchanged.length} imported before.`,
  );
  if (areas.kept.length)
    console.log(
      `${areas.kept.length} areas in the store are not in the file and were kept: ${areas.kept.join(', ')}`,
    );
  return 0;
}

async function report(args: string[]): Promise<number> {
  const asOf = option(args, '--as-of') ?? dayOf(new Date());
  const language = option(args, '--language') ?? 'nb';
  if (!isRealDate(asOf) || (language !== 'nb' && language !== 'en')) {
    console.error(USAGE);
    return 2;
  }
  const out = option(args, '--out') ?? '.';
  const bot = await composeForOperator(operatorSettings());
  const [{ org }, register, municipality] = await Promise.all([
    bot.org.snapshot(),
    registerWithEvents(bot.delegationDeps),
    bot.delegationDeps.catalogue.municipality(),
  ]);
  if (register.areas.length === 0) {
    console.error('The register is empty: run npm run authority:import first.');
    return 1;
  }
  const options = { asOf, language, municipality: municipality ?? '' } as const;
  fs.mkdirSync(out, { recursive: true });
  const base = path.join(out, `delegeringsreglement-${asOf}`);
  fs.writeFileSync(`${base}.html`, reglementHtml(register, org, options));
  fs.writeFileSync(`${base}.csv`, reglementCsv(register, org, options));
  console.log(`Wrote ${base}.html and ${base}.csv (as of ${asOf}).`);
  return 0;
}

async function main(): Promise<number> {
  const [command, ...args] = process.argv.slice(2);
  if (command === 'import') return importFile(args.find((a) => !a.startsWith('--')));
  if (command === 'report') return report(args);
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
