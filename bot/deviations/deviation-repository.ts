import type { TableClient, TransactionAction } from '@azure/data-tables';
import {
  getEntityOrUndefined,
  isWriteConflict,
  odataString,
  safeKey,
  statusOf,
  type Tables,
} from '../store/tables';
import { formatReference, referenceYear } from './deviation-reference';
import { isOpen, type Deviation, type DeviationEvent } from './deviation';

/**
 * Table layout (docs/table-layout.md):
 * - `Deviations`: PartitionKey = reference. RowKey `deviation` (the record), `event-000001`…
 *   (append-only audit trail; seq = the revision it produced) and `copy-…` (every card posted
 *   for it, so all copies can be updated). One partition per deviation lets a change and its
 *   audit event be written in one transaction, guarded by the record's etag.
 * - `DeviationIndex`: derived rows for the list queries: PartitionKey `open-unit_<unitId>`
 *   (open ones by unit, oldest first) and `reporter_<personId>` (a reporter's own); RowKey =
 *   reference. Rows hold no free text.
 * - `Counters`: PartitionKey `reference`, RowKey = year; etag-guarded increment.
 */

export interface CardCopy {
  /** Whose chat it is in; the card is rendered for this person. */
  ownerId: string;
  kind: 'handler' | 'receipt';
  conversationId: string;
  activityId: string;
  /** Serialised conversation reference, opaque to this layer. */
  reference: string;
}

export interface IndexRow {
  ref: string;
  status: Deviation['status'];
  type: Deviation['type'];
  categoryId: string;
  severity: Deviation['severity'];
  unitId: string;
  handlerId: string;
  assigneeId?: string;
  createdAt: string;
  dueAt: string;
}

export class ConcurrentChangeError extends Error {
  constructor(ref: string) {
    super(`${ref} was changed concurrently`);
  }
}

const RECORD = 'deviation';
const eventKey = (seq: number) => `event-${String(seq).padStart(6, '0')}`;

type Entity = Record<string, unknown> & { partitionKey: string; rowKey: string };

function toEntity(d: Deviation): Entity {
  const { ref, measures, ...rest } = d;
  const entity: Entity = { partitionKey: ref, rowKey: RECORD, measures: JSON.stringify(measures) };
  for (const [k, v] of Object.entries(rest)) if (v !== undefined) entity[k] = v;
  return entity;
}

function fromEntity(e: Record<string, unknown>): Deviation {
  const { partitionKey, rowKey, etag, timestamp, measures, ...rest } = e;
  void rowKey;
  void etag;
  void timestamp;
  // The service adds odata.* metadata; it is not part of the record and must not be written back.
  const fields = Object.fromEntries(Object.entries(rest).filter(([k]) => !k.startsWith('odata.')));
  return {
    ...(fields as unknown as Deviation),
    ref: String(partitionKey),
    measures: JSON.parse(String(measures ?? '[]')),
  };
}

function toIndex(d: Deviation): IndexRow {
  return {
    ref: d.ref,
    status: d.status,
    type: d.type,
    categoryId: d.categoryId,
    severity: d.severity,
    unitId: d.unitId,
    handlerId: d.handlerId,
    assigneeId: d.assigneeId,
    createdAt: d.createdAt,
    dueAt: d.dueAt,
  };
}

export class DeviationRepository {
  constructor(private readonly tables: Tables) {}

  private get records(): TableClient {
    return this.tables.client('Deviations');
  }
  private get index(): TableClient {
    return this.tables.client('DeviationIndex');
  }

  private waiting: {
    year: number;
    resolve: (ref: string) => void;
    reject: (err: unknown) => void;
  }[] = [];
  private allocating = false;

  /**
   * Allocates the next reference of the year; unique under any number of parallel callers and
   * instances. Callers waiting in this process share one etag-guarded increment of the counter
   * (a burst of 50 costs a few round trips, not 50 rounds of conflicts).
   */
  nextReference(now: Date): Promise<string> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ year: referenceYear(now), resolve, reject });
      if (!this.allocating) void this.allocateWaiting();
    });
  }

  private async allocateWaiting(): Promise<void> {
    this.allocating = true;
    try {
      while (this.waiting.length > 0) {
        const year = this.waiting[0].year;
        const batch = this.waiting.filter((w) => w.year === year);
        this.waiting = this.waiting.filter((w) => w.year !== year);
        try {
          const first = await this.reserve(year, batch.length);
          batch.forEach((w, i) => w.resolve(formatReference(year, first + i)));
        } catch (err) {
          batch.forEach((w) => w.reject(err));
        }
      }
    } finally {
      this.allocating = false;
    }
  }

  /** Reserves `count` consecutive numbers of a year; returns the first. */
  private async reserve(year: number, count: number): Promise<number> {
    const counters = this.tables.client('Counters');
    for (let attempt = 0; attempt < 100; attempt++) {
      const current = await getEntityOrUndefined<{ value: number }>(
        counters,
        'reference',
        String(year),
      );
      try {
        if (!current) {
          await counters.createEntity({
            partitionKey: 'reference',
            rowKey: String(year),
            value: count,
          });
          return 1;
        }
        const value = Number(current.value) + count;
        await counters.updateEntity(
          { partitionKey: 'reference', rowKey: String(year), value },
          'Replace',
          { etag: current.etag },
        );
        return value - count + 1;
      } catch (err) {
        if (!isWriteConflict(err)) throw err;
        // Another instance took these numbers; back off a little, with jitter, and read again.
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 + attempt * 2)));
      }
    }
    throw new Error('could not allocate a reference after 100 attempts');
  }

  async create(d: Deviation, event: DeviationEvent): Promise<void> {
    await this.records.submitTransaction([
      ['create', toEntity(d)],
      ['create', this.eventEntity(event)],
    ]);
    await this.syncIndex(undefined, d);
  }

  /**
   * One form, one report: claims the form id before anything is stored. Returns 'claimed', or
   * the reference an earlier submit of the same form produced ('' while it is still running).
   */
  async claimSubmission(formId: string, at: string): Promise<'claimed' | { ref: string }> {
    try {
      await this.index.createEntity({ partitionKey: 'submission', rowKey: formId, ref: '', at });
      return 'claimed';
    } catch (err) {
      if (!isWriteConflict(err)) throw err;
      const claim = await getEntityOrUndefined<{ ref: string }>(this.index, 'submission', formId);
      return { ref: claim?.ref ?? '' };
    }
  }

  async linkSubmission(formId: string, ref: string): Promise<void> {
    await this.index.updateEntity({ partitionKey: 'submission', rowKey: formId, ref }, 'Merge');
  }

  /** Lets the same form be sent again after a failure before anything was stored. */
  async releaseSubmission(formId: string): Promise<void> {
    await this.index.deleteEntity('submission', formId).catch((err) => {
      if (statusOf(err) !== 404) throw err;
    });
  }

  async get(ref: string): Promise<{ deviation: Deviation; etag: string } | undefined> {
    const e = await getEntityOrUndefined<Record<string, unknown>>(this.records, ref, RECORD);
    return e ? { deviation: fromEntity(e), etag: e.etag } : undefined;
  }

  /** Writes the new state and its audit event atomically, only if nobody changed it since `etag`. */
  async update(
    before: Deviation,
    after: Deviation,
    etag: string,
    event: DeviationEvent,
  ): Promise<void> {
    const actions: TransactionAction[] = [
      ['update', toEntity(after), 'Replace', { etag }],
      ['create', this.eventEntity(event)],
    ];
    try {
      await this.records.submitTransaction(actions);
    } catch (err) {
      if (isWriteConflict(err)) throw new ConcurrentChangeError(after.ref);
      throw err;
    }
    await this.syncIndex(before, after);
  }

  async events(ref: string): Promise<DeviationEvent[]> {
    const events: DeviationEvent[] = [];
    const filter = `PartitionKey eq ${odataString(ref)} and RowKey ge 'event-' and RowKey lt 'event.'`;
    for await (const e of this.records.listEntities<Record<string, unknown>>({
      queryOptions: { filter },
    })) {
      events.push({
        ref,
        seq: Number(e.seq),
        at: String(e.at),
        kind: e.kind as DeviationEvent['kind'],
        actorId: String(e.actorId),
        fromStatus: (e.fromStatus as DeviationEvent['fromStatus']) || undefined,
        toStatus: e.toStatus as DeviationEvent['toStatus'],
        targetId: (e.targetId as string) || undefined,
        note: (e.note as string) || undefined,
      });
    }
    return events;
  }

  async saveCardCopy(ref: string, copy: CardCopy): Promise<void> {
    await this.records.upsertEntity(
      { partitionKey: ref, rowKey: `copy-${safeKey(copy.conversationId)}`, ...copy },
      'Replace',
    );
  }

  async cardCopies(ref: string): Promise<CardCopy[]> {
    const copies: CardCopy[] = [];
    const filter = `PartitionKey eq ${odataString(ref)} and RowKey ge 'copy-' and RowKey lt 'copy.'`;
    for await (const e of this.records.listEntities<CardCopy>({ queryOptions: { filter } })) {
      copies.push({
        ownerId: e.ownerId,
        kind: e.kind,
        conversationId: e.conversationId,
        activityId: e.activityId,
        reference: e.reference,
      });
    }
    return copies;
  }

  /** Open deviations in the given units, oldest first per unit (one partition query per unit). */
  async openInUnits(unitIds: string[]): Promise<IndexRow[]> {
    const lists = await Promise.all(unitIds.map((id) => this.indexPartition(`open-unit_${id}`)));
    return lists.flat();
  }

  async byReporter(personId: string): Promise<IndexRow[]> {
    return this.indexPartition(`reporter_${safeKey(personId)}`);
  }

  private async indexPartition(pk: string): Promise<IndexRow[]> {
    const rows: IndexRow[] = [];
    const filter = `PartitionKey eq ${odataString(pk)}`;
    for await (const e of this.index.listEntities<Record<string, unknown>>({
      queryOptions: { filter },
    })) {
      rows.push({
        ref: String(e.rowKey),
        status: e.status as IndexRow['status'],
        type: e.type as IndexRow['type'],
        categoryId: String(e.categoryId),
        severity: e.severity as IndexRow['severity'],
        unitId: String(e.unitId),
        handlerId: String(e.handlerId),
        assigneeId: (e.assigneeId as string) || undefined,
        createdAt: String(e.createdAt),
        dueAt: String(e.dueAt),
      });
    }
    return rows;
  }

  private eventEntity(event: DeviationEvent): Entity {
    const entity: Entity = { partitionKey: event.ref, rowKey: eventKey(event.seq) };
    for (const [k, v] of Object.entries(event)) if (v !== undefined && k !== 'ref') entity[k] = v;
    return entity;
  }

  /** Index rows are derived from the record: rewritten after every change, idempotently. */
  private async syncIndex(before: Deviation | undefined, after: Deviation): Promise<void> {
    const row = toIndex(after);
    const clean = Object.fromEntries(Object.entries(row).filter(([, v]) => v !== undefined));
    const writes: Promise<unknown>[] = [
      this.index.upsertEntity(
        { partitionKey: `reporter_${safeKey(after.reporterId)}`, rowKey: after.ref, ...clean },
        'Replace',
      ),
    ];
    if (isOpen(after)) {
      writes.push(
        this.index.upsertEntity(
          { partitionKey: `open-unit_${after.unitId}`, rowKey: after.ref, ...clean },
          'Replace',
        ),
      );
    }
    if (before && isOpen(before) && (!isOpen(after) || before.unitId !== after.unitId)) {
      writes.push(
        this.index.deleteEntity(`open-unit_${before.unitId}`, after.ref).catch((err) => {
          if (statusOf(err) !== 404) throw err;
        }),
      );
    }
    await Promise.all(writes);
  }
}
