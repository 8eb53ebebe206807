import type { ReferenceCounter } from '../kernel/reference';
import type { Organisation } from '../org/organisation';
import type { Grant, Register } from './delegation';
import { checkAgainstOrg, inheritedLimit, type AuthorityFile } from './authority-file';
import { registeredGrant } from './delegation-rules';
import type { AuthorityCatalogue, CatalogueImport, GrantRecords, RegisterIndex } from './ports';

/**
 * `npm run authority:import` and the demo load: the file's areas and the council's decision are
 * upserted (an area the file no longer has is kept and named, never removed silently); its
 * grants are registered (active, event `registered`) unless a grant of the same file id was
 * imported before. Nothing is stored when a grant breaks a rule against the organisation.
 */
export type ImportOutcome =
  { ok: true; result: CatalogueImport } | { ok: false; problems: string[] };

export interface ImportStores {
  grants: GrantRecords;
  register: RegisterIndex;
  catalogue: AuthorityCatalogue;
  grantCounter: ReferenceCounter;
}

export async function importAuthorityFile(
  stores: ImportStores,
  file: AuthorityFile,
  org: Organisation,
  options: { now: Date; by: string },
): Promise<ImportOutcome> {
  const problems = checkAgainstOrg(file, org, options.now);
  if (problems.length) return { ok: false, problems };
  const areas = await stores.catalogue.saveCatalogue(file.municipality, file.political, file.areas);
  const register = await stores.register.read();
  const known = new Map(register.grants.map((g) => [g.ref, g]));
  const byFileId = new Map<string, Grant>();
  const grants: CatalogueImport['grants'] = { added: [], unchanged: [] };
  for (const entry of file.grants) {
    const earlier = await stores.catalogue.sourceRef(entry.id);
    const stored = earlier && known.get(earlier);
    if (stored) {
      byFileId.set(entry.id, stored);
      grants.unchanged.push(entry.id);
      continue;
    }
    const parent = entry.parent !== undefined ? byFileId.get(entry.parent) : undefined;
    const grant = await stores.grants.insertNew(stores.grantCounter, options.now, (ref) => {
      const change = registeredGrant({
        ref,
        areaId: entry.area,
        fromId: entry.from,
        to: entry.to,
        parent,
        politicalBasis: file.political,
        limitNok:
          entry.limitNok ?? inheritedLimit({ ...register, areas: file.areas }, parent, entry.area),
        validFrom: entry.validFrom,
        validTo: entry.validTo ?? parent?.validTo,
        conditions: entry.conditions,
        blocked: entry.blocked,
        by: options.by,
        at: options.now,
      });
      return { record: change.after, event: change.event };
    });
    await stores.catalogue.rememberSource(entry.id, grant.ref);
    byFileId.set(entry.id, grant);
    grants.added.push(entry.id);
  }
  return { ok: true, result: { areas, grants } };
}

/** The register with every grant's revisions, for the reglement as of a date (one read per grant). */
export async function registerWithEvents(
  stores: Pick<ImportStores, 'grants' | 'register'>,
): Promise<Register> {
  const register = await stores.register.read();
  const events = await Promise.all(register.grants.map((g) => stores.grants.events(g.ref)));
  return { ...register, events: events.flat() };
}
