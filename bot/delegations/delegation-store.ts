import { z } from 'zod';
import { auditEventSchema } from '../kernel/audit';
import type { Message } from '../messaging/outbox';
import type { ReferenceCounter } from '../kernel/reference';
import { ROLES } from '../org/organisation';
import { TableFormClaims } from '../store/claims';
import { TableReferenceCounter } from '../store/counters';
import { RecordTable } from '../store/record-table';
import type { OutboxStore } from '../store/outbox-store';
import { getEntityOrUndefined, listPartition, safeKey, type Tables } from '../store/tables';
import {
  GRANT_EVENTS,
  GRANT_PREFIX,
  GRANT_STATUSES,
  type AuthorityArea,
  type Grant,
  type GrantEvent,
  type PoliticalBasis,
  type Register,
} from './delegation';
import type {
  AuthorityCatalogue,
  CatalogueImport,
  ConfirmationRequest,
  GrantRecords,
  RegisterIndex,
  RequestEvent,
  RequestRecords,
} from './ports';
import { REQUEST_EVENTS, REQUEST_PREFIX, REQUEST_STATUSES } from './ports';

/**
 * Table `Delegations` (docs/table-layout.md):
 * - a grant's own partition (PartitionKey = `DEL-…`): RowKey `grant` (the record),
 *   `event-000001`… (its append-only revisions) and its `out-` rows (the record kit);
 * - a request's own partition (`BEK-…`): RowKey `request`, its events and `out-` rows;
 * - `register`: one row per grant (RowKey = reference, the grant as JSON and its revision),
 *   written after every change and again by the change's sync job. Every question the feature
 *   asks (what X holds, what X delegated, what derives from G, what expires by D, the chain)
 *   is answered from this one partition: the chains need the whole tree anyway;
 * - `catalogue`: `meta` (municipality, the council's decision), `area-<id>` (one per area),
 *   `source-<file id>` (the reference an imported file grant got, so a re-import adds nothing).
 */
const TABLE = 'Delegations';
const REGISTER = 'register';
const CATALOGUE = 'catalogue';

const role = z.enum(ROLES);
const recipient = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('person'), id: z.string() }),
  z.object({ kind: z.literal('role'), role, unitId: z.string() }),
]);
const political = z.object({ body: z.string(), caseNumber: z.string(), date: z.string() });

const grantSchema = z.object({
  ref: z.string(),
  rev: z.number().int(),
  lastActionId: z.string().optional(),
  areaId: z.string(),
  fromId: z.string(),
  to: recipient,
  parentRef: z.string().optional(),
  politicalBasis: political.optional(),
  level: z.number().int(),
  limitNok: z.number().optional(),
  validFrom: z.string(),
  validTo: z.string().optional(),
  conditions: z.string().optional(),
  blocked: z.boolean(),
  status: z.enum(GRANT_STATUSES),
  origin: z.enum(['delegation', 'confirmation', 'registered']),
  createdBy: z.string(),
  createdAt: z.string(),
  decision: z.object({ at: z.string(), by: z.string(), note: z.string().optional() }).optional(),
  end: z
    .object({
      at: z.string(),
      by: z.string(),
      cascadeFrom: z.string().optional(),
      reason: z.string().optional(),
    })
    .optional(),
  review: z
    .object({
      flaggedAt: z.string(),
      personId: z.string(),
      oldUnitId: z.string().optional(),
      newUnitId: z.string().optional(),
      oldLeaderId: z.string().optional(),
      newLeaderId: z.string().optional(),
    })
    .optional(),
}) as unknown as z.ZodType<Grant, z.ZodTypeDef, unknown>;

const requestSchema = z.object({
  ref: z.string(),
  rev: z.number().int(),
  lastActionId: z.string().optional(),
  areaId: z.string(),
  requesterId: z.string(),
  leaderId: z.string(),
  matter: z.string().optional(),
  status: z.enum(REQUEST_STATUSES),
  createdAt: z.string(),
  limitNok: z.number().optional(),
  validFrom: z.string().optional(),
  validTo: z.string().optional(),
  reason: z.string().optional(),
  decidedAt: z.string().optional(),
  grantRef: z.string().optional(),
});

const areaSchema = z.object({
  id: z.string(),
  name: z.object({ nb: z.string(), en: z.string() }),
  basis: z.union([
    z.object({
      kind: z.literal('law'),
      law: z.string(),
      section: z.string(),
      ledd: z.string().optional(),
      url: z.string(),
    }),
    z.object({ kind: z.literal('internal'), text: z.string() }),
  ]),
  limitNok: z.number().optional(),
  notes: z.string().optional(),
  councilOnly: z.boolean(),
  synonyms: z.object({ nb: z.array(z.string()), en: z.array(z.string()) }),
}) as unknown as z.ZodType<AuthorityArea, z.ZodTypeDef, unknown>;

/** Grants: the record kit, with the register row written after every change. */
export class GrantStore implements GrantRecords, RegisterIndex, AuthorityCatalogue {
  private readonly records: RecordTable<Grant, GrantEvent>;

  constructor(
    private readonly tables: Tables,
    outbox: OutboxStore,
  ) {
    this.records = new RecordTable<Grant, GrantEvent>(
      tables,
      {
        table: TABLE,
        recordRow: 'grant',
        recordSchema: grantSchema,
        eventSchema: auditEventSchema(GRANT_EVENTS, GRANT_STATUSES),
        jsonFields: ['to', 'politicalBasis', 'decision', 'end', 'review'],
      },
      outbox,
    );
  }

  private get client() {
    return this.tables.client(TABLE);
  }

  get(ref: string) {
    return this.records.get(ref);
  }

  events(ref: string) {
    return this.records.events(ref);
  }

  async create(record: Grant, event: GrantEvent, messages: Message[] = []): Promise<void> {
    await this.records.create(record, event, messages);
    await this.put(record);
  }

  async insertNew(
    counter: ReferenceCounter,
    now: Date,
    build: (ref: string) => { record: Grant; event: GrantEvent; messages?: Message[] },
  ): Promise<Grant> {
    const record = await this.records.insertNew(counter, now, build);
    await this.put(record);
    return record;
  }

  async update(
    before: Grant,
    after: Grant,
    etag: string,
    event: GrantEvent,
    messages: Message[] = [],
  ): Promise<void> {
    await this.records.update(before, after, etag, event, messages);
    // The sync job among `messages` writes it again if this process stops here.
    await this.put(after);
  }

  async put(grant: Grant): Promise<void> {
    const known = await getEntityOrUndefined<{ rev: number }>(this.client, REGISTER, grant.ref);
    if (known && Number(known.rev) >= grant.rev) return;
    const { lastActionId: _ignored, ...stored } = grant;
    await this.client.upsertEntity(
      { partitionKey: REGISTER, rowKey: grant.ref, rev: grant.rev, json: JSON.stringify(stored) },
      'Replace',
    );
  }

  async read(): Promise<Register> {
    const [catalogue, rows] = await Promise.all([
      listPartition(this.client, CATALOGUE),
      listPartition(this.client, REGISTER),
    ]);
    const meta = catalogue.find((r) => r.rowKey === 'meta');
    return {
      areas: catalogue
        .filter((r) => String(r.rowKey).startsWith('area-'))
        .map((r) => areaSchema.parse(JSON.parse(String(r.json)))),
      ...(meta ? { political: political.parse(JSON.parse(String(meta.political))) } : {}),
      grants: rows.map((r) => grantSchema.parse(JSON.parse(String(r.json)))),
      events: [],
    };
  }

  async municipality(): Promise<string | undefined> {
    const meta = await getEntityOrUndefined<{ municipality: string }>(
      this.client,
      CATALOGUE,
      'meta',
    );
    return meta ? String(meta.municipality) : undefined;
  }

  async saveCatalogue(
    municipality: string,
    politicalBasis: PoliticalBasis,
    areas: AuthorityArea[],
  ): Promise<CatalogueImport['areas']> {
    const stored = new Map(
      (await listPartition(this.client, CATALOGUE))
        .filter((r) => String(r.rowKey).startsWith('area-'))
        .map((r) => [String(r.rowKey).slice('area-'.length), String(r.json)]),
    );
    const result: CatalogueImport['areas'] = { added: [], changed: [], unchanged: [], kept: [] };
    for (const area of areas) {
      const json = JSON.stringify(area);
      const before = stored.get(area.id);
      stored.delete(area.id);
      if (before === json) {
        result.unchanged.push(area.id);
        continue;
      }
      await this.client.upsertEntity(
        { partitionKey: CATALOGUE, rowKey: `area-${area.id}`, json },
        'Replace',
      );
      (before === undefined ? result.added : result.changed).push(area.id);
    }
    // Never removed silently: grants may name them.
    result.kept.push(...stored.keys());
    await this.client.upsertEntity(
      {
        partitionKey: CATALOGUE,
        rowKey: 'meta',
        municipality,
        political: JSON.stringify(politicalBasis),
      },
      'Replace',
    );
    return result;
  }

  async sourceRef(fileId: string): Promise<string | undefined> {
    const row = await getEntityOrUndefined<{ ref: string }>(
      this.client,
      CATALOGUE,
      `source-${safeKey(fileId)}`,
    );
    return row ? String(row.ref) : undefined;
  }

  async rememberSource(fileId: string, ref: string): Promise<void> {
    await this.client.upsertEntity(
      { partitionKey: CATALOGUE, rowKey: `source-${safeKey(fileId)}`, ref },
      'Replace',
    );
  }
}

export function requestRecords(tables: Tables, outbox: OutboxStore): RequestRecords {
  return new RecordTable<ConfirmationRequest, RequestEvent>(
    tables,
    {
      table: TABLE,
      recordRow: 'request',
      recordSchema: requestSchema,
      eventSchema: auditEventSchema(REQUEST_EVENTS, REQUEST_STATUSES),
    },
    outbox,
  );
}

/** Every adapter the delegation feature needs, on the one table (and the shared counters, claims). */
export function delegationStores(tables: Tables, outbox: OutboxStore) {
  const grants = new GrantStore(tables, outbox);
  return {
    grants,
    register: grants,
    catalogue: grants,
    requests: requestRecords(tables, outbox),
    grantCounter: new TableReferenceCounter(tables, GRANT_PREFIX),
    requestCounter: new TableReferenceCounter(tables, REQUEST_PREFIX),
    claims: new TableFormClaims(tables, 'delegation'),
  };
}
