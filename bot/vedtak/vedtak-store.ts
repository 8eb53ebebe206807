import { z } from 'zod';
import { auditEventSchema } from '../kernel/audit';
import type { OutboxStore } from '../store/outbox-store';
import { CataloguedRecordTable } from '../store/catalogued-record-table';
import type { Tables } from '../store/tables';
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

export class VedtakStore extends CataloguedRecordTable<PoliticalDecision, VedtakEvent> {
  constructor(tables: Tables, outbox: OutboxStore) {
    super(
      tables,
      {
        table: TABLE,
        recordRow: 'vedtak',
        recordSchema: decisionSchema,
        eventSchema: auditEventSchema(VEDTAK_EVENTS, FOLLOW_UP_STATUSES),
        jsonFields: ['updates'],
      },
      outbox,
      VEDTAK_PREFIX,
    );
  }
}
