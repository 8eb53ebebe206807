import type { TableClient, TransactionAction } from '@azure/data-tables';
import type { z } from 'zod';
import type { AuditEvent } from '../kernel/audit';
import type { HintRequest, Message, WrittenHint } from '../messaging/outbox';
import {
  ConcurrentChangeError,
  ReferenceTakenError,
  type RecordPort,
  type Stored,
  type VersionedRecord,
} from '../kernel/records';
import type { ReferenceCounter } from '../kernel/reference';
import { isConflict, isWriteConflict } from './errors';
import { messageEntity, recordMessageRow, type OutboxStore } from './outbox-store';
import {
  getEntityOrUndefined,
  listPartition,
  withoutServiceFields,
  type TableName,
  type Tables,
} from './tables';

/**
 * The record kit: one partition per record (PartitionKey = its reference). RowKey `<recordRow>`
 * holds the record, `event-000001`… its append-only audit trail (the number is the revision
 * the event produced). A change writes the record (guarded by its etag) and its event in one
 * entity-group transaction, so the trail can never miss a step and two people pressing at once
 * leave exactly one result. Entities are checked with the feature's schema on the way out.
 * The messages a change decides (`out-<key>` rows) go into the same transaction: a change is
 * never stored without its notifications, nor notifications without the change. Their hints
 * for the dispatcher are written just before (outbox-store.ts).
 */
export interface RecordTableOptions<R, E> {
  table: TableName;
  /** RowKey of the record itself, e.g. 'deviation'. */
  recordRow: string;
  recordSchema: z.ZodType<R, z.ZodTypeDef, unknown>;
  eventSchema: z.ZodType<E, z.ZodTypeDef, unknown>;
  /** Fields kept as JSON text (arrays, objects): table properties are scalars. */
  jsonFields?: readonly string[];
  /**
   * Array fields that may grow past a property's 64 KiB: one row per element (flat objects),
   * RowKey `<rowPrefix>000001`…, written in the record's own transaction; the record row
   * holds how many (`<field>Rows`). A record stored with the field as JSON still reads.
   */
  rowFields?: readonly { field: string; rowPrefix: string }[];
}

type Entity = Record<string, unknown> & { partitionKey: string; rowKey: string };

export const eventRowKey = (seq: number) => `event-${String(seq).padStart(6, '0')}`;
const elementRowKey = (prefix: string, index: number) =>
  `${prefix}${String(index + 1).padStart(6, '0')}`;
/** The RowKey range of a prefix: `measure-` … `measure.` ('.' follows '-'). */
const rowRange = (prefix: string) => ({
  from: prefix,
  to: prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1),
});
const EVENT_ROWS = { from: 'event-', to: 'event.' };
/** How many taken references a new record skips (a counter restored from an older backup). */
const MAX_TAKEN_REFERENCES = 100;

export class RecordTable<R extends VersionedRecord, E extends AuditEvent> implements RecordPort<
  R,
  E
> {
  constructor(
    private readonly tables: Tables,
    private readonly options: RecordTableOptions<R, E>,
    private readonly outbox: OutboxStore,
  ) {}

  private get client(): TableClient {
    return this.tables.client(this.options.table);
  }

  async get(ref: string): Promise<Stored<R> | undefined> {
    const e = await getEntityOrUndefined<Record<string, unknown>>(
      this.client,
      ref,
      this.options.recordRow,
    );
    if (!e) return undefined;
    const fields = withoutServiceFields(e);
    const asRows = new Map<string, number>();
    for (const { field, rowPrefix } of this.options.rowFields ?? []) {
      const count = Number(fields[`${field}Rows`] ?? 0);
      delete fields[`${field}Rows`];
      // Stored as JSON (an older record): none of it is in rows yet.
      asRows.set(field, typeof fields[field] === 'string' ? 0 : count);
      if (typeof fields[field] === 'string') continue;
      // Rows past the count belong to no stored state (the record row is the truth).
      const rows = count > 0 ? await listPartition(this.client, ref, rowRange(rowPrefix)) : [];
      fields[field] = rows.slice(0, count).map(withoutServiceFields);
    }
    const record = this.recordOf({ ...fields, partitionKey: e.partitionKey });
    for (const [field, count] of asRows)
      this.storedRows.set((record as Record<string, unknown>)[field] as object, count);
    return { record, etag: e.etag };
  }

  /** Stores a new record and its first event; ReferenceTakenError if the reference is taken. */
  async create(
    record: R,
    event: E,
    messages: Message[] = [],
    options: { hintsWritten?: boolean } = {},
  ): Promise<void> {
    if (!options.hintsWritten) await this.writeHints(record, messages);
    try {
      await this.client.submitTransaction([
        ['create', this.recordEntity(record)],
        ['create', this.eventEntity(event)],
        ...this.elementActions(undefined, record),
        ...this.messageActions(record, messages),
      ]);
    } catch (err) {
      if (isConflict(err)) throw new ReferenceTakenError(record.ref);
      throw err;
    }
    this.outbox.written();
  }

  /**
   * Stores a new record under the next free reference: `build` makes the record and its first
   * event for a reference. A reference that is already taken is skipped, never overwritten.
   */
  async insertNew(
    counter: ReferenceCounter,
    now: Date,
    build: (ref: string) => { record: R; event: E; messages?: Message[] },
  ): Promise<R> {
    for (let attempt = 0; attempt < MAX_TAKEN_REFERENCES; attempt++) {
      const { record, event, messages } = build(await counter.next(now));
      try {
        await this.create(record, event, messages);
        return record;
      } catch (err) {
        if (!(err instanceof ReferenceTakenError)) throw err;
      }
    }
    throw new Error(`no free reference after ${MAX_TAKEN_REFERENCES} attempts`);
  }

  async update(
    before: R,
    after: R,
    etag: string,
    event: E,
    messages: Message[] = [],
  ): Promise<void> {
    const actions: TransactionAction[] = [
      ['update', this.recordEntity(after), 'Replace', { etag }],
      ['create', this.eventEntity(event)],
      ...this.elementActions(before, after),
      ...this.messageActions(after, messages),
    ];
    await this.outbox.writeHints(this.hintsFor(after, messages));
    try {
      await this.client.submitTransaction(actions);
    } catch (err) {
      if (isWriteConflict(err)) throw new ConcurrentChangeError(before.ref);
      throw err;
    }
    this.outbox.written();
  }

  private addressOf(record: R, message: Message) {
    return { table: this.options.table, partition: record.ref, row: recordMessageRow(message.key) };
  }

  /**
   * Writes the dispatcher's hints for messages a new record will carry. A caller may do it
   * alongside other work that must precede the record (the form claim), and withdraw them if
   * the record is not stored after all; a hint whose message never gets stored is dropped by
   * the dispatcher.
   */
  writeHints(record: R, messages: Message[]): Promise<WrittenHint[]> {
    return this.outbox.writeHints(this.hintsFor(record, messages));
  }

  withdrawHints(written: WrittenHint[]): Promise<void> {
    return this.outbox.withdrawHints(written);
  }

  /** The dispatcher's hints for the messages of a record (written before the messages are). */
  hintsFor(record: R, messages: Message[]): HintRequest[] {
    return messages.map((m) => ({ dueAt: m.dueAt, address: this.addressOf(record, m) }));
  }

  /** 'once' messages are created (a second decision of the same key fails the change); 'latest' ones replace. */
  private messageActions(record: R, messages: Message[]): TransactionAction[] {
    return messages.map((m) => {
      const entity = messageEntity(m, this.addressOf(record, m), record.rev);
      return m.mode === 'latest' ? ['upsert', entity, 'Replace'] : ['create', entity];
    });
  }

  async events(ref: string): Promise<E[]> {
    const rows = await listPartition(this.client, ref, EVENT_ROWS);
    return rows.map((e) =>
      this.options.eventSchema.parse({ ...withoutServiceFields(e), ref: e.partitionKey }),
    );
  }

  private recordEntity(record: R): Entity {
    const { ref, ...fields } = record as R & Record<string, unknown>;
    const entity: Entity = { partitionKey: ref, rowKey: this.options.recordRow };
    const rowFields = new Set(this.options.rowFields?.map((f) => f.field));
    for (const [k, v] of Object.entries(fields)) {
      if (v === undefined) continue;
      if (rowFields.has(k)) entity[`${k}Rows`] = (v as unknown[]).length;
      else entity[k] = this.options.jsonFields?.includes(k) ? JSON.stringify(v) : v;
    }
    return entity;
  }

  /** How many elements of a row field are stored as rows, per array as read by `get`. */
  private readonly storedRows = new WeakMap<object, number>();

  /**
   * The element rows a change writes: new elements are created, changed ones replaced, removed
   * ones deleted. Elements read from a JSON property (an older record) are all written as rows.
   * An array not read here (unknown) has every element written again.
   */
  private elementActions(before: R | undefined, after: R): TransactionAction[] {
    const actions: TransactionAction[] = [];
    for (const { field, rowPrefix } of this.options.rowFields ?? []) {
      const old = ((before as Record<string, unknown> | undefined)?.[field] ?? []) as unknown[];
      const now = (after as Record<string, unknown>)[field] as Record<string, unknown>[];
      const stored = before ? (this.storedRows.get(old) ?? -1) : 0;
      const row = (i: number) => ({ partitionKey: after.ref, rowKey: elementRowKey(rowPrefix, i) });
      now.forEach((element, i) => {
        if (i >= stored || JSON.stringify(element) !== JSON.stringify(old[i]))
          actions.push(['upsert', { ...row(i), ...element }, 'Replace']);
      });
      for (let i = now.length; i < Math.max(stored, 0); i++) actions.push(['delete', row(i)]);
    }
    return actions;
  }

  private recordOf(entity: Record<string, unknown>): R {
    const fields = withoutServiceFields(entity);
    for (const k of this.options.jsonFields ?? [])
      if (typeof fields[k] === 'string') fields[k] = JSON.parse(fields[k] as string);
    return this.options.recordSchema.parse({ ...fields, ref: entity.partitionKey });
  }

  private eventEntity(event: E): Entity {
    const { ref, ...fields } = event as E & Record<string, unknown>;
    const entity: Entity = { partitionKey: ref, rowKey: eventRowKey(event.seq) };
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) entity[k] = v;
    return entity;
  }
}
