import { z } from 'zod';
import { unlessNotFound } from '../store/errors';
import { listPartition, safeKey, type Tables } from '../store/tables';
import { isoWeekOf } from '../time/week';
import { DEVIATION_TYPES, SEVERITIES, STATUSES, isOpen, type Deviation } from './deviation';
import type { DeviationIndex, IndexRow } from './ports';

/**
 * Table `DeviationIndex`: derived rows for the lists, never free text. PartitionKey
 * `open-unit_<unitId>` (open ones by unit) and `reporter_<personId>` (a reporter's own);
 * RowKey = reference. Rewritten after every change with idempotent upserts.
 */
const indexRowSchema: z.ZodType<IndexRow, z.ZodTypeDef, unknown> = z.object({
  ref: z.string(),
  status: z.enum(STATUSES),
  type: z.enum(DEVIATION_TYPES),
  categoryId: z.string(),
  severity: z.enum(SEVERITIES),
  unitId: z.string(),
  handlerId: z.string(),
  assigneeId: z
    .string()
    .optional()
    .transform((id) => id || undefined),
  createdAt: z.string(),
  dueAt: z.string(),
});

function rowOf(d: Deviation): Omit<IndexRow, 'ref'> {
  const row: Omit<IndexRow, 'ref'> = {
    status: d.status,
    type: d.type,
    categoryId: d.categoryId,
    severity: d.severity,
    unitId: d.unitId,
    handlerId: d.handlerId,
    createdAt: d.createdAt,
    dueAt: d.dueAt,
  };
  if (d.assigneeId) row.assigneeId = d.assigneeId;
  return row;
}

const openPartition = (unitId: string) => `open-unit_${unitId}`;
/** Reported / closed in a unit during an ISO week: what the weekly digest counts. */
const weekPartition = (what: 'reported' | 'closed', unitId: string, week: string) =>
  `${what}-week_${unitId}_${week}`;
const reporterPartition = (personId: string) => `reporter_${safeKey(personId)}`;

export class DeviationIndexStore implements DeviationIndex {
  constructor(private readonly tables: Tables) {}

  private get client() {
    return this.tables.client('DeviationIndex');
  }

  /**
   * Derived from the record as it is now, so jobs for two revisions may run in any order. The
   * week it was reported in never changes: that row is written by the report's own job (no
   * previous unit) and when the case moves to another unit, not again after every change.
   */
  async sync(current: Deviation, previousUnitId?: string): Promise<void> {
    const row = { rowKey: current.ref, ...rowOf(current) };
    const open = openPartition(current.unitId);
    const writes: Promise<unknown>[] = [
      this.client.upsertEntity(
        { partitionKey: reporterPartition(current.reporterId), ...row },
        'Replace',
      ),
      isOpen(current)
        ? this.client.upsertEntity({ partitionKey: open, ...row }, 'Replace')
        : unlessNotFound(this.client.deleteEntity(open, current.ref)),
    ];
    if (previousUnitId === undefined || previousUnitId !== current.unitId)
      writes.push(
        this.client.upsertEntity(
          {
            partitionKey: weekPartition(
              'reported',
              current.unitId,
              isoWeekOf(new Date(current.createdAt)),
            ),
            rowKey: current.ref,
          },
          'Replace',
        ),
      );
    if (current.closedAt)
      writes.push(
        this.client.upsertEntity(
          {
            partitionKey: weekPartition(
              'closed',
              current.unitId,
              isoWeekOf(new Date(current.closedAt)),
            ),
            rowKey: current.ref,
          },
          'Replace',
        ),
      );
    if (previousUnitId && previousUnitId !== current.unitId)
      writes.push(
        unlessNotFound(this.client.deleteEntity(openPartition(previousUnitId), current.ref)),
      );
    await Promise.all(writes);
  }

  /** Open deviations in the given units (one partition query per unit). */
  async openInUnits(unitIds: string[]): Promise<IndexRow[]> {
    const lists = await Promise.all(unitIds.map((id) => this.rows(openPartition(id))));
    return lists.flat();
  }

  async weekCounts(unitIds: string[], week: string): Promise<{ reported: number; closed: number }> {
    const count = async (pk: string) => (await listPartition(this.client, pk)).length;
    const [reported, closed] = await Promise.all(
      (['reported', 'closed'] as const).map(async (what) =>
        (await Promise.all(unitIds.map((id) => count(weekPartition(what, id, week))))).reduce(
          (a, b) => a + b,
          0,
        ),
      ),
    );
    return { reported, closed };
  }

  byReporter(personId: string): Promise<IndexRow[]> {
    return this.rows(reporterPartition(personId));
  }

  private async rows(partitionKey: string): Promise<IndexRow[]> {
    const entities = await listPartition(this.client, partitionKey);
    return entities.map((e) => indexRowSchema.parse({ ...e, ref: e.rowKey }));
  }
}
