import fs from 'node:fs';
import path from 'node:path';
import {
  parseAuthorityFile,
  registerFromFile,
  type AuthorityFile,
} from '../../../bot/delegations/authority-file';
import type { Register } from '../../../bot/delegations/delegation';
import type { Refusal } from '../../../bot/delegations/delegation-rules';
import { parseOrgFile } from '../../../bot/org/org-file';
import type { Organisation } from '../../../bot/org/organisation';
import { readDemoOrgJson } from '../../support/demo-org';
import { DEMO_PEOPLE } from '../../support/demo-people';

/** The demo catalogue bot/delegations/demo/heim-fullmakter.json, for the delegation suites. */
export const DEMO_AUTHORITY_FILE = path.join(
  __dirname,
  '..',
  '..',
  '..',
  'bot',
  'delegations',
  'demo',
  'heim-fullmakter.json',
);

/** When the demo catalogue is imported in the tests (its grants count from their validFrom). */
export const IMPORTED_AT = new Date('2026-01-05T09:00:00.000Z');

/** The demo file as JSON: a fresh copy each call (tests may change what they get). */
export function readDemoAuthorityJson(): Record<string, any> {
  return JSON.parse(fs.readFileSync(DEMO_AUTHORITY_FILE, 'utf8'));
}

export function demoAuthorityFile(): AuthorityFile {
  const parsed = parseAuthorityFile(readDemoAuthorityJson());
  if (!parsed.ok) throw new Error(`demo catalogue invalid: ${parsed.errors.join('; ')}`);
  return parsed.file;
}

/** The demo register and the references its grants got (by the file's grant ids). */
export function demoRegister(): { register: Register; refs: Map<string, string> } {
  return registerFromFile(demoAuthorityFile(), { at: IMPORTED_AT, by: 'import' });
}

/** The reference of a demo grant by its id in the file. */
export function refOf(refs: Map<string, string>, id: string): string {
  const ref = refs.get(id);
  if (!ref) throw new Error(`no demo grant "${id}"`);
  return ref;
}

/** The result of a rule that must have passed (the refusals are shown when it did not). */
export function passed<T extends object>(
  result: ({ ok: true } & T) | { ok: false; refusals: unknown[] },
): T {
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.refusals)}`);
  return result;
}

/** The refusals of a rule that must have refused. */
export function refused(result: { ok: boolean; refusals?: Refusal[] }): Refusal[] {
  if (result.ok || !result.refusals) throw new Error('expected a refusal, got ok');
  return result.refusals;
}

/**
 * The demo organisation with one more level: Sofie Lunde leads "Avdeling Sol" under Sentrum
 * barnehage and Emil Vik works there, so a grant can go a step further down the line
 * (rådmann → Ingrid → Sofie → Emil). In the demo itself Sofie leads no unit, so nobody is
 * below her and she cannot delegate onward (rule 1).
 */
export function orgWithAvdeling(): Organisation {
  const json = readDemoOrgJson();
  json.units.push({
    id: 'avdeling-sol',
    name: 'Avdeling Sol',
    kind: 'enhet',
    parentId: 'sentrum-barnehage',
    leaderId: DEMO_PEOPLE.sofie.id,
  });
  json.people.find((p: { id: string }) => p.id === DEMO_PEOPLE.emil.id).unitId = 'avdeling-sol';
  const parsed = parseOrgFile(json);
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return parsed.org;
}
