import { z } from 'zod';
import { auditEventSchema } from '../kernel/audit';
import { TableReferenceCounter } from '../store/counters';
import type { OutboxStore } from '../store/outbox-store';
import { RecordTable } from '../store/record-table';
import { listPartition, type Tables } from '../store/tables';
import {
  FOLLOW_UP_STATUSES,
  VEDTAK_EVENTS,
  VEDTAK_PREFIX,
  type PoliticalDecision,
  type VedtakEvent,
} from './vedtak';

/**
 * Table `Vedtak` (docs/table-layout.md): a political decision's own partition (PartitionKey =
 * `VED-…`) holds the record, its audit trail and its outbox rows (the record kit); partition
 * `catalogue` has a row per decision (written by a job stored with it), so the report reads one
 * partition and then the records.
 */
const TABLE = 'Vedtak';

const decisionSchema: z.ZodType<PoliticalDecision, z.ZodTypeDef, unknown> = z.object({
  ref: z.string(),
  rev: z.number().int().positive(),
  lastActionId: z.string().optional(),
  body: z.string(),
  caseNumber: z.string(),
  date: z.string(),
  summary: z.string(),
  responsibleUnitId: z.string(),
  deadline: z.string(),
  registeredBy: z.string(),
  registeredAt: z.string(),
  taskRef: z.string(),
  status: z.enum(FOLLOW_UP_STATUSES),
  updates: z.array(
    z.object({
      at: z.string(),
      byId: z.string(),
      status: z.enum(FOLLOW_UP_STATUSES),
      comment: z.string().optional(),
    }),
  ),
});

export class VedtakStore extends RecordTable<PoliticalDecision, VedtakEvent> {
  private readonly counter: TableReferenceCounter;

  constructor(
    private readonly tableSet: Tables,
    outbox: OutboxStore,
  ) {
    super(
      tableSet,
      {
        table: TABLE,
        recordRow: 'vedtak',
        recordSchema: decisionSchema,
        eventSchema: auditEventSchema(VEDTAK_EVENTS, FOLLOW_UP_STATUSES),
        jsonFields: ['updates'],
      },
      outbox,
    );
    this.counter = new TableReferenceCounter(tableSet, VEDTAK_PREFIX);
  }

  insertDecision(
    now: Date,
    build: Parameters<RecordTable<PoliticalDecision, VedtakEvent>['insertNew']>[2],
  ) {
    return this.insertNew(this.counter, now, build);
  }

  async listed(ref: string): Promise<void> {
    await this.tableSet
      .client(TABLE)
      .upsertEntity({ partitionKey: 'catalogue', rowKey: ref }, 'Replace');
  }

  async list(): Promise<PoliticalDecision[]> {
    const refs = (await listPartition(this.tableSet.client(TABLE), 'catalogue')).map((e) =>
      String(e.rowKey),
    );
    const found = await Promise.all(refs.map((ref) => this.get(ref)));
    return found.flatMap((f) => (f ? [f.record] : []));
  }
}
