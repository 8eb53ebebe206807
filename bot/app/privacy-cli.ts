import fs from 'node:fs';
import os from 'node:os';
import { parseReference } from '../deviations/deviation-reference';
import { TableAccessLog, type AccessEvent } from '../privacy/access-log-store';
import { writeOperatorAudit } from '../privacy/operator-audit-store';
import type { PersonData } from '../privacy/person-data';
import { collectPersonData } from '../privacy/person-data-store';
import { TablePrivacyStore } from '../privacy/privacy-store';
import { erasePerson } from '../privacy/person-erase';
import { RetentionIndex } from '../privacy/retention-index-store';
import { runRetention } from '../privacy/retention-job';
import { getEntityOrUndefined, openTables, type Tables } from '../store/tables';
import { retentionSettingsFrom } from './config';
import { operatorLocation } from './local';
import { operatorSettings } from './operator';

/**
 * The privacy officer's commands (docs/privacy.md), against the configured store (the local
 * Azurite of `npm start` by default). Every one of them writes an audit row with the operator
 * (--operator, else the OS user) and the person's id hashed.
 * - `npm run privacy:export -- --person <entra id> [--out <file>]`: everything stored about a
 *   person, as JSON;
 * - `npm run privacy:erase -- --person <entra id> [--confirm]`: what an erasure deletes,
 *   anonymises and must keep (and why); it changes nothing without --confirm;
 * - `npm run privacy:access -- <reference>`: who has opened the case (card or history), when;
 * - `npm run privacy:retention -- [--at <time>] [--backfill]`: runs the retention job now (it
 *   also runs daily); --backfill first gives cases closed before retention existed their time.
 */
const USAGE = [
  'usage: npm run privacy:export -- --person <entra id> [--out <file>] [--operator <name>]',
  '       npm run privacy:erase -- --person <entra id> [--confirm] [--operator <name>]',
  '       npm run privacy:access -- <reference, e.g. AVV-2026-0042> [--operator <name>]',
  '       npm run privacy:retention -- [--at 2036-01-01T03:00:00Z] [--backfill]',
].join('\n');

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

function operatorOf(args: string[]): string {
  const named = option(args, '--operator')?.trim();
  if (named) return named;
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

/** An Entra object id or a Teams user id: short, printable, no spaces. */
const PERSON_ID = /^[A-Za-z0-9:._@-]{1,200}$/;

async function main(): Promise<number> {
  const [command, ...args] = process.argv.slice(2);
  const settings = operatorSettings();
  const open = async () => {
    const tables = openTables(operatorLocation(settings), settings.TABLE_PREFIX);
    await tables.ensure();
    return tables;
  };
  const operator = operatorOf(args);
  const person = option(args, '--person');

  if (command === 'export' || command === 'erase') {
    if (!person || !PERSON_ID.test(person)) {
      console.error(`${person ? 'not a person id' : '--person is required'}\n${USAGE}`);
      return 2;
    }
    const tables = await open();
    const data = await collectPersonData(tables, person);
    if (command === 'export') return exportData(tables, data, operator, option(args, '--out'));
    return erase(tables, data, operator, args.includes('--confirm'));
  }

  if (command === 'access') {
    const parsed = parseReference(args.find((a) => !a.startsWith('--')) ?? '');
    if (!parsed) {
      console.error(USAGE);
      return 2;
    }
    return printAccess(await open(), parsed.ref, operator);
  }

  if (command === 'retention') {
    const at = new Date(option(args, '--at') ?? Date.now());
    if (Number.isNaN(at.getTime())) {
      console.error(USAGE);
      return 2;
    }
    const tables = await open();
    const retention = retentionSettingsFrom(settings);
    if (args.includes('--backfill')) {
      const tracked = await new RetentionIndex(tables, retention.rules).backfill();
      console.log(`closed cases given a retention time: ${tracked}`);
    }
    const run = await runRetention(
      new TablePrivacyStore(tables),
      new RetentionIndex(tables, retention.rules),
      retention,
      at,
    );
    for (const ref of run.anonymised) console.log(`anonymised  ${ref}`);
    console.log(
      `anonymised: ${run.anonymised.length}, skipped: ${run.skipped}, failed: ${run.failed}, moved after a rule change: ${run.moved}, drafts deleted: ${run.drafts}`,
    );
    return run.failed > 0 ? 1 : 0;
  }

  console.error(USAGE);
  return 2;
}

const counts = (data: PersonData) => ({
  reportedCases: data.reportedCases.length,
  casesActedOn: data.casesActedOn.length,
  accessEvents: data.accessEvents.length,
  drafts: data.drafts.length,
  postedCards: data.postedCards.length,
  arshjul: data.arshjul.length,
});

async function exportData(
  tables: Tables,
  data: PersonData,
  operator: string,
  out: string | undefined,
): Promise<number> {
  const at = new Date();
  await writeOperatorAudit(tables, {
    command: 'export',
    operator,
    at,
    personId: data.personId,
    summary: counts(data),
  });
  const json = JSON.stringify(
    { exportedAt: at.toISOString(), exportedBy: operator, ...data },
    null,
    2,
  );
  if (!out) {
    await new Promise((done) => process.stdout.write(`${json}\n`, done));
    return 0;
  }
  // It holds personal data: readable by the operator alone.
  fs.writeFileSync(out, `${json}\n`, { mode: 0o600 });
  console.error(`written to ${out}`);
  return 0;
}

async function erase(
  tables: Tables,
  data: PersonData,
  operator: string,
  confirm: boolean,
): Promise<number> {
  const at = new Date();
  const lines = await erasePerson(new TablePrivacyStore(tables), data, { confirm, at, operator });
  await writeOperatorAudit(tables, {
    command: confirm ? 'erase' : 'erase (dry run)',
    operator,
    at,
    personId: data.personId,
    summary: Object.fromEntries(lines.map((l) => [`${l.action}: ${l.what}`, l.count])),
  });
  console.log(confirm ? 'Erased:' : 'Dry run (nothing changed; add --confirm to erase):');
  if (lines.length === 0) console.log('  nothing is stored about this person');
  for (const l of lines)
    console.log(
      `  ${l.action.padEnd(10)} ${String(l.count).padStart(5)}  ${l.what}${l.reason ? `\n             why: ${l.reason}` : ''}`,
    );
  return 0;
}

async function printAccess(tables: Tables, ref: string, operator: string): Promise<number> {
  const record = await getEntityOrUndefined<{ anonymous?: boolean; reporterId?: string }>(
    tables.client('Deviations'),
    ref,
    'deviation',
  );
  if (!record) {
    console.error(`${ref}: no such case`);
    return 1;
  }
  const events = await new TableAccessLog(tables).list(ref);
  await writeOperatorAudit(tables, {
    command: 'access',
    operator,
    at: new Date(),
    ref,
    summary: { views: events.length },
  });
  console.log(`${ref}: ${events.length} view(s) logged (at most one per person, view and hour)`);
  for (const e of events) console.log(`${e.at}  ${e.view.padEnd(7)}  ${viewerOf(e, record)}`);
  return 0;
}

/** The reporter is named only when they did not ask to be anonymous. */
function viewerOf(e: AccessEvent, record: { anonymous?: boolean; reporterId?: string }): string {
  if (!e.byReporter) return e.personId ?? '';
  if (record.anonymous) return 'the reporter (anonymous)';
  return record.reporterId ? `the reporter (${record.reporterId})` : 'the reporter (anonymised)';
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error((err as Error).message);
    process.exit(1);
  },
);
