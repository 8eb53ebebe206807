import { odata } from '@azure/data-tables';
import type { Deviation } from '../deviations/deviation';
import type { DeviationIndex } from '../deviations/ports';
import { unlessNotFound } from '../store/errors';
import { getEntityOrUndefined, safeKey, type Tables } from '../store/tables';
import {
  retentionDue,
  rulesFingerprint,
  type ClosedCase,
  type RetentionRule,
} from './retention-rules';
import type { DueCase, RetentionIndexPort } from './ports';

/**
 * Table `Privacy`, partition `retention-due`: one row per closed or rejected case, RowKey
 * `<due time ISO>|<reference>`, holding the statistics fields the rules look at (type,
 * category, status, closedAt) and the rule that set the time. The daily job reads `RowKey lt
 * '<now>}'`: only cases whose time has come, never every deviation. Written beside the
 * `deviation.sync` job (the index decorator below), so a case gets its row when it closes.
 * When the rules change, every row is given its new time once (the fingerprint in
 * `retention-meta|rules` tells).
 */
const DUE = 'retention-due';
const META = 'retention-meta';

const dueRow = (dueAt: string, ref: string) => `${dueAt}|${safeKey(ref)}`;

function dueCaseOf(e: Record<string, unknown>): DueCase {
  const rowKey = String(e.rowKey);
  const [dueAt, ref] = rowKey.split('|');
  return {
    ref: decodeURIComponent(ref ?? ''),
    dueAt,
    rowKey,
    ruleId: String(e.ruleId ?? ''),
    type: e.type as Deviation['type'],
    categoryId: String(e.categoryId ?? ''),
    status: e.status as Deviation['status'],
    closedAt: String(e.closedAt ?? ''),
  };
}

export class RetentionIndex implements RetentionIndexPort {
  constructor(
    private readonly tables: Tables,
    private readonly rules: readonly RetentionRule[],
  ) {}

  private get client() {
    return this.tables.client('Privacy');
  }

  /** Upserts the case's row when it is closed or rejected (idempotent). */
  async track(d: ClosedCase & { ref: string }): Promise<void> {
    const due = retentionDue(this.rules, d);
    if (!due) return;
    await this.client.upsertEntity(
      {
        partitionKey: DUE,
        rowKey: dueRow(due.dueAt, d.ref),
        ruleId: due.rule.id,
        type: d.type,
        categoryId: d.categoryId,
        status: d.status,
        closedAt: d.closedAt,
      },
      'Replace',
    );
  }

  /** Cases whose time has come, oldest first (at most `limit`). */
  async due(now: Date, limit: number): Promise<DueCase[]> {
    const bound = `${now.toISOString()}}`;
    const found: DueCase[] = [];
    const pages = this.client
      .listEntities({
        queryOptions: { filter: odata`PartitionKey eq ${DUE} and RowKey lt ${bound}` },
      })
      .byPage({ maxPageSize: Math.min(limit, 1000) });
    for await (const page of pages) {
      for (const e of page) found.push(dueCaseOf(e as Record<string, unknown>));
      if (found.length >= limit) break;
    }
    return found.slice(0, limit);
  }

  /**
   * Gives every closed case its row (cases closed before retention was installed). Reads every
   * record of `Deviations` once (a scan): run by `npm run privacy:retention -- --backfill`.
   */
  async backfill(): Promise<number> {
    let tracked = 0;
    const filter = odata`RowKey eq 'deviation' and (status eq 'lukket' or status eq 'avvist')`;
    for await (const e of this.tables.client('Deviations').listEntities<ClosedCase>({
      queryOptions: {
        filter,
        select: ['PartitionKey', 'type', 'categoryId', 'status', 'closedAt'],
      },
    })) {
      await this.track({ ...e, ref: String(e.partitionKey) });
      tracked++;
    }
    return tracked;
  }

  async done(row: Pick<DueCase, 'rowKey'>): Promise<void> {
    await unlessNotFound(this.client.deleteEntity(DUE, row.rowKey));
  }

  /**
   * After a change of the rules, moves every row to the time the rules now give (reads the
   * `retention-due` partition once, never the deviations). Returns how many moved.
   */
  async applyRules(): Promise<number> {
    const fingerprint = rulesFingerprint(this.rules);
    const meta = await getEntityOrUndefined<{ fingerprint: string }>(this.client, META, 'rules');
    if (meta?.fingerprint === fingerprint) return 0;
    let moved = 0;
    for await (const e of this.client.listEntities({
      queryOptions: { filter: odata`PartitionKey eq ${DUE}` },
    })) {
      const row = dueCaseOf(e as Record<string, unknown>);
      const due = retentionDue(this.rules, row);
      if (!due || (due.dueAt === row.dueAt && due.rule.id === row.ruleId)) continue;
      await this.track(row);
      await this.done(row);
      moved++;
    }
    await this.client.upsertEntity(
      { partitionKey: META, rowKey: 'rules', fingerprint, at: new Date().toISOString() },
      'Replace',
    );
    return moved;
  }
}

/**
 * The deviation index with the retention row beside it: every `deviation.sync` (after each
 * change, from the record as it is then) also tracks a closed case. Wired in compose.ts.
 */
export function withRetention(
  index: DeviationIndex,
  retention: Pick<RetentionIndexPort, 'track'>,
): DeviationIndex {
  // Every other method is the index's own (its prototype), whatever the port grows to.
  const wrapped = Object.create(index) as DeviationIndex;
  wrapped.sync = async (current: Deviation, previousUnitId?: string) => {
    await index.sync(current, previousUnitId);
    await retention.track(current);
  };
  return wrapped;
}
