import type { TableClient } from '@azure/data-tables';
import { DEFAULT_CATEGORIES, type Category } from './categories';
import { odata } from '@azure/data-tables';
import { type Tables } from '../store/tables';
import {
  makeOrganisation,
  type Organisation,
  type OrgDirectory,
  type OrgSnapshot,
  type Person,
  type Unit,
} from './organisation';
import type { OrgFile } from './org-file';

/**
 * Table `Org`: PartitionKey `unit` | `person` | `config`, RowKey the id. The whole organisation
 * of a municipality (hundreds of units, a few thousand people) is read as two partition
 * queries and cached for ORG_CACHE_SECONDS; lookups are then in memory.
 */
export type { OrgSnapshot };

export interface ImportSummary {
  units: number;
  people: number;
  /** Ids in the store that the file no longer has: kept unless removal was asked for. */
  missingUnits: string[];
  missingPeople: string[];
  removed: boolean;
  /** What the import listeners did (e.g. "2 grants flagged for review"), one line each. */
  followUps: string[];
}

/**
 * Told of every import with the organisation before and after it (rule 6 of the delegations
 * flags the grants of people who moved). Returns a line for the operator, or nothing.
 */
export type OrgImportListener = (
  before: Organisation,
  after: Organisation,
) => Promise<string | undefined | void>;

export class OrgStore implements OrgDirectory {
  private cached?: { at: number; snapshot: Promise<OrgSnapshot> };
  private readonly listeners: OrgImportListener[] = [];

  constructor(
    private readonly tables: Tables,
    private readonly cacheMs: number,
  ) {}

  private get table(): TableClient {
    return this.tables.client('Org');
  }

  async snapshot(now = Date.now()): Promise<OrgSnapshot> {
    if (this.cached && now - this.cached.at < this.cacheMs) return this.cached.snapshot;
    const snapshot = this.read();
    this.cached = { at: now, snapshot };
    snapshot.catch(() => (this.cached = undefined));
    return snapshot;
  }

  invalidate(): void {
    this.cached = undefined;
  }

  /** Features that follow the organisation register here (the composition root wires them). */
  onImported(listener: OrgImportListener): void {
    this.listeners.push(listener);
  }

  async isEmpty(): Promise<boolean> {
    const page = await this.table
      .listEntities({ queryOptions: { filter: `PartitionKey eq 'unit'`, select: ['RowKey'] } })
      .byPage({ maxPageSize: 1 })
      .next();
    return page.done || page.value.length === 0;
  }

  private async partition<T extends object>(pk: string): Promise<(T & { rowKey: string })[]> {
    const rows: (T & { rowKey: string })[] = [];
    for await (const e of this.table.listEntities<T>({
      queryOptions: { filter: odata`PartitionKey eq ${pk}` },
    })) {
      rows.push(e as T & { rowKey: string });
    }
    return rows;
  }

  private async read(): Promise<OrgSnapshot> {
    const [units, people, config] = await Promise.all([
      this.partition<{ name: string; kind: Unit['kind']; parentId?: string; leaderId?: string }>(
        'unit',
      ),
      this.partition<{ name: string; email?: string; role: Person['role']; unitId: string }>(
        'person',
      ),
      this.partition<{ value: string }>('config'),
    ]);
    const settings = new Map(config.map((c) => [c.rowKey, c.value]));
    return {
      municipality: settings.get('municipality') ?? '',
      categories: settings.has('categories')
        ? (JSON.parse(settings.get('categories')!) as Category[])
        : DEFAULT_CATEGORIES,
      org: makeOrganisation(
        people.map((p) => ({
          id: p.rowKey,
          name: p.name,
          email: p.email || undefined,
          role: p.role,
          unitId: p.unitId,
        })),
        units.map((u) => ({
          id: u.rowKey,
          name: u.name,
          kind: u.kind,
          parentId: u.parentId || undefined,
          leaderId: u.leaderId || undefined,
        })),
      ),
    };
  }

  /** Upserts the file. Entries the file lacks are reported, and removed only when asked. */
  async importFile(file: OrgFile, options: { removeMissing: boolean }): Promise<ImportSummary> {
    const existing = await this.read();
    const unitIds = new Set(file.units.map((u) => u.id));
    const personIds = new Set(file.people.map((p) => p.id));
    const missingUnits = [...existing.org.units.keys()].filter((id) => !unitIds.has(id));
    const missingPeople = [...existing.org.people.keys()].filter((id) => !personIds.has(id));

    const batches = (pk: string, rows: Record<string, unknown>[]) => {
      const actions = rows.map((r) => ['upsert', { partitionKey: pk, ...r }, 'Replace'] as const);
      const chunks = [];
      for (let i = 0; i < actions.length; i += 100) chunks.push(actions.slice(i, i + 100));
      return chunks;
    };
    const unitRows = file.units.map((u) => ({
      rowKey: u.id,
      name: u.name,
      kind: u.kind,
      parentId: u.parentId ?? '',
      leaderId: u.leaderId ?? '',
    }));
    const personRows = file.people.map((p) => ({
      rowKey: p.id,
      name: p.name,
      email: p.email ?? '',
      role: p.role,
      unitId: p.unitId,
    }));
    const configRows = [
      { rowKey: 'municipality', value: file.municipality },
      {
        rowKey: 'categories',
        value: JSON.stringify(file.deviationCategories ?? DEFAULT_CATEGORIES),
      },
    ];
    for (const chunk of [
      ...batches('unit', unitRows),
      ...batches('person', personRows),
      ...batches('config', configRows),
    ]) {
      await this.table.submitTransaction(chunk.map((a) => [...a]) as never);
    }
    if (options.removeMissing) {
      for (const id of missingUnits) await this.table.deleteEntity('unit', id);
      for (const id of missingPeople) await this.table.deleteEntity('person', id);
    }
    this.invalidate();
    const after = this.listeners.length ? (await this.read()).org : existing.org;
    const followUps: string[] = [];
    for (const listener of this.listeners) {
      const line = await listener(existing.org, after);
      if (line) followUps.push(line);
    }
    return {
      units: unitRows.length,
      people: personRows.length,
      missingUnits,
      missingPeople,
      removed: options.removeMissing,
      followUps,
    };
  }
}
