import { z } from 'zod';
import { auditEventSchema } from '../kernel/audit';
import { RecordTable } from '../store/record-table';
import { TableReferenceCounter } from '../store/counters';
import type { OutboxStore } from '../store/outbox-store';
import type { Tables } from '../store/tables';
import {
  DEVIATION_EVENT_KINDS,
  DEVIATION_TYPES,
  SEVERITIES,
  STATUSES,
  type Deviation,
  type DeviationEvent,
} from './deviation';
import { DEVIATION_PREFIX } from './deviation-reference';
import type { DeviationRecords } from './ports';

/**
 * Table `Deviations` through the record kit (docs/table-layout.md): PartitionKey = reference,
 * RowKey `deviation` (the record) and `event-000001`… (the audit trail). References come from
 * `Counters` (AVV-2026).
 */
const deviationSchema: z.ZodType<Deviation, z.ZodTypeDef, unknown> = z.object({
  ref: z.string(),
  rev: z.number().int().positive(),
  type: z.enum(DEVIATION_TYPES),
  categoryId: z.string(),
  unitId: z.string(),
  occurredOn: z.string(),
  occurredTime: z.string().optional(),
  description: z.string(),
  immediateAction: z.string().optional(),
  suggestion: z.string().optional(),
  severity: z.enum(SEVERITIES),
  anonymous: z.boolean(),
  reporterId: z.string(),
  reporterName: z.string(),
  reporterLocale: z.string(),
  status: z.enum(STATUSES),
  handlerId: z.string(),
  assigneeId: z.string().optional(),
  escalations: z.number().int().nonnegative(),
  measures: z.array(
    z.object({ text: z.string(), dueDate: z.string(), byId: z.string(), at: z.string() }),
  ),
  cause: z.string().optional(),
  closingMeasures: z.string().optional(),
  rejectReason: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  dueAt: z.string(),
  closedAt: z.string().optional(),
  handlerSince: z.string().optional(),
  dpaNotifiedAt: z.string().optional(),
  lastActionId: z.string().optional(),
  formId: z.string().optional(),
});

export class DeviationStore
  extends RecordTable<Deviation, DeviationEvent>
  implements DeviationRecords
{
  private readonly counter: TableReferenceCounter;

  /** `busyReady`: how many references to keep ready at most while reports come in fast. */
  constructor(tables: Tables, outbox: OutboxStore, busyReady = 8) {
    super(
      tables,
      {
        table: 'Deviations',
        recordRow: 'deviation',
        recordSchema: deviationSchema,
        eventSchema: auditEventSchema(DEVIATION_EVENT_KINDS, STATUSES),
        // Measures grow with the case: a row each (`measure-000001`…), past one property's
        // 64 KiB. `jsonFields` still reads records stored before, with them as one JSON text.
        rowFields: [{ field: 'measures', rowPrefix: 'measure-' }],
        jsonFields: ['measures'],
      },
      outbox,
    );
    // One number reserved ahead (more while reports come in fast): a report takes its
    // reference without a round trip.
    this.counter = new TableReferenceCounter(tables, DEVIATION_PREFIX, 1, busyReady);
  }

  nextReference(now: Date): Promise<string> {
    return this.counter.next(now);
  }

  giveBackReference(ref: string): void {
    this.counter.giveBack(ref);
  }

  referenceUsed(ref: string): void {
    this.counter.used(ref);
  }

  /** At a clean stop: the reference kept ready goes back to the counter (no gap). */
  releaseReferences(): Promise<void> {
    return this.counter.release();
  }
}
