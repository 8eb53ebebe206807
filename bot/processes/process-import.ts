import fs from 'node:fs';
import type { Organisation } from '../org/organisation';
import { checkProcessesAgainstOrg, parseProcessFile } from './process-file';
import type { ProcessImport, ProcessStore } from './process-store';

/**
 * `npm run processes:import -- <file>`: the catalogue file, validated completely (errors name
 * the entry and the field), checked against the organisation (people it does not know, an
 * owner who leads nothing: warnings), then upserted. Nothing is removed.
 */
export type ProcessFileImport =
  { ok: true; result: ProcessImport; warnings: string[] } | { ok: false; errors: string[] };

export async function importProcessFile(
  path: string,
  processes: Pick<ProcessStore, 'import'>,
  org: Organisation,
  now: Date,
): Promise<ProcessFileImport> {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(path, 'utf8'));
  } catch (err) {
    return { ok: false, errors: [`${path}: not readable JSON (${(err as Error).message})`] };
  }
  const parsed = parseProcessFile(json);
  if (!parsed.ok) return { ok: false, errors: parsed.errors };
  const warnings = checkProcessesAgainstOrg(parsed.file, org);
  return { ok: true, result: await processes.import(parsed.file, org, now), warnings };
}
