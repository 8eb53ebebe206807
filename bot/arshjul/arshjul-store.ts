import { z } from 'zod';
import { auditEventSchema } from '../kernel/audit';
import { ROLES } from '../org/organisation';
import { RecordTable } from '../store/record-table';
import type { OutboxStore } from '../store/outbox-store';
import {
  getEntityOrUndefined,
  listPartition,
  withoutServiceFields,
  type Tables,
} from '../store/tables';
import {
  OCCURRENCE_EVENTS,
  OCCURRENCE_STATUSES,
  type ArshjulFile,
  type Occurrence,
  type OccurrenceEvent,
} from './arshjul';
import { parseArshjulFile } from './arshjul-file';
import type {
  ArshjulCatalogue,
  CatalogueImport,
  IndexedOccurrence,
  OccurrenceIndex,
} from './ports';

/**
 * Table `Arshjul` (docs/table-layout.md):
 * - an occurrence's own partition (PartitionKey = its reference `AH-…`): the record, its audit
 *   trail and its outbox rows (the record kit);
 * - `activities`: the imported file, a row per activity (`activity-<id>`) and `meta`;
 * - `index-<year>`: a row per occurrence of that year (RowKey = reference) for the month
 *   views, "mine frister", the status card and the calendar feed: no notes, no names;
 * - `feed`, `feed-secret`: calendar feed secrets (feed-secret-store.ts).
 */
const TABLE = 'Arshjul';

const occurrenceSchema = z.object({
  ref: z.string(),
  rev: z.number().int(),
  lastActionId: z.string().optional(),
  activityId: z.string(),
  year: z.number().int(),
  index: z.number().int(),
  unitId: z.string().optional(),
  ownerRole: z.enum(ROLES).optional(),
  nominal: z.string(),
  deadline: z.string(),
  status: z.enum(OCCURRENCE_STATUSES),
  doneAt: z.string().optional(),
  doneBy: z.string().optional(),
  doneNote: z.string().optional(),
  helpCount: z.number().int(),
  sequence: z.number().int(),
});

export function occurrenceRecords(tables: Tables, outbox: OutboxStore) {
  return new RecordTable<Occurrence, OccurrenceEvent>(
    tables,
    {
      table: TABLE,
      recordRow: 'occurrence',
      recordSchema: occurrenceSchema,
      eventSchema: auditEventSchema(OCCURRENCE_EVENTS, OCCURRENCE_STATUSES),
    },
    outbox,
  );
}
export type OccurrenceRecords = ReturnType<typeof occurrenceRecords>;

const indexSchema = occurrenceSchema.omit({ lastActionId: true, doneBy: true, doneNote: true });

export class TableOccurrenceIndex implements OccurrenceIndex {
  constructor(private readonly tables: Tables) {}

  private get client() {
    return this.tables.client(TABLE);
  }

  /** Keeps the index row in step with the record (the sync job; an older revision never wins). */
  async put(o: Occurrence): Promise<void> {
    const partitionKey = `index-${o.year}`;
    const known = await getEntityOrUndefined<{ rev: number }>(this.client, partitionKey, o.ref);
    if (known && Number(known.rev) >= o.rev) return;
    const { ref, lastActionId: _a, doneBy: _b, doneNote: _c, ...fields } = o;
    const entity = { partitionKey, rowKey: ref, ...withoutUndefined(fields) };
    await this.client.upsertEntity(entity, 'Replace');
  }

  async inYear(year: number): Promise<IndexedOccurrence[]> {
    const rows = await listPartition(this.client, `index-${year}`);
    return rows.map((e) => indexSchema.parse({ ...withoutServiceFields(e), ref: e.rowKey }));
  }
}

/** Read often (every card and reminder), changed by an import: cached for `cacheMs`. */
export class TableArshjulCatalogue implements ArshjulCatalogue {
  private cached?: { at: number; file: Promise<ArshjulFile | undefined> };

  constructor(
    private readonly tables: Tables,
    private readonly cacheMs = 60_000,
  ) {}

  private get client() {
    return this.tables.client(TABLE);
  }

  read(): Promise<ArshjulFile | undefined> {
    const now = Date.now();
    if (this.cached && now - this.cached.at < this.cacheMs) return this.cached.file;
    const file = this.readStored();
    this.cached = { at: now, file };
    file.catch(() => (this.cached = undefined));
    return file;
  }

  private async readStored(): Promise<ArshjulFile | undefined> {
    const rows = await listPartition(this.client, 'activities');
    const meta = rows.find((r) => r.rowKey === 'meta');
    if (!meta) return undefined;
    const activities = rows
      .filter((r) => String(r.rowKey).startsWith('activity-'))
      .map((r) => JSON.parse(String(r.json)) as unknown);
    const parsed = parseArshjulFile({
      municipality: meta.municipality,
      elections: JSON.parse(String(meta.elections)),
      activities,
    });
    if (!parsed.ok) throw new Error(`stored årshjul is invalid: ${parsed.errors.join('; ')}`);
    return parsed.file;
  }

  async import(file: ArshjulFile, options: { removeMissing: boolean }): Promise<CatalogueImport> {
    this.cached = undefined;
    const rows = await listPartition(this.client, 'activities');
    const stored = new Map(
      rows
        .filter((r) => String(r.rowKey).startsWith('activity-'))
        .map((r) => [String(r.rowKey).slice('activity-'.length), String(r.json)]),
    );
    const result: CatalogueImport = {
      added: [],
      changed: [],
      unchanged: [],
      removed: [],
      kept: [],
    };
    for (const activity of file.activities) {
      const json = JSON.stringify(activity);
      const before = stored.get(activity.id);
      if (before === json) result.unchanged.push(activity.id);
      else {
        await this.client.upsertEntity(
          { partitionKey: 'activities', rowKey: `activity-${activity.id}`, json },
          'Replace',
        );
        (before === undefined ? result.added : result.changed).push(activity.id);
      }
      stored.delete(activity.id);
    }
    for (const id of stored.keys()) {
      if (!options.removeMissing) {
        result.kept.push(id);
        continue;
      }
      await this.client.deleteEntity('activities', `activity-${id}`);
      result.removed.push(id);
    }
    await this.client.upsertEntity(
      {
        partitionKey: 'activities',
        rowKey: 'meta',
        municipality: file.municipality,
        elections: JSON.stringify(file.elections),
      },
      'Replace',
    );
    this.cached = undefined;
    return result;
  }
}

function withoutUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
