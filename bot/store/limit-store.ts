import type { TransactionAction } from '@azure/data-tables';
import {
  WINDOW_LENGTHS,
  windowOf,
  type LimitedUse,
  type UsageLimits,
  type UsageLimitSettings,
  type UsageVerdict,
  type WindowLength,
} from '../kernel/limits';
import { isNotFound, isWriteConflict } from './errors';
import { getEntityOrUndefined, safeKey, type Tables } from './tables';

/**
 * Table `Limits`: PartitionKey `<use>_<person id>` (encoded), RowKey `hour` or `day`; the row
 * holds the current window's name and its count. A new window overwrites the old one, so a
 * person has at most four rows, ever: nothing to expire. Both rows are written in one
 * etag-guarded transaction: parallel uses on several instances are each counted exactly once.
 */
interface CounterRow {
  window: string;
  count: number;
  etag: string;
}

const MAX_ATTEMPTS = 100;

export class TableUsageLimits implements UsageLimits {
  constructor(
    private readonly tables: Tables,
    private readonly limits: UsageLimitSettings,
  ) {}

  private get client() {
    return this.tables.client('Limits');
  }

  async take(use: LimitedUse, personId: string, now: Date): Promise<UsageVerdict> {
    // A limit of 0 is no limit: with none, nothing is read or stored.
    if (WINDOW_LENGTHS.every((length) => this.limits[use][length] === 0)) return { ok: true };
    const partitionKey = `${use}_${safeKey(personId)}`;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const rows = await Promise.all(
        WINDOW_LENGTHS.map((length) => this.row(partitionKey, length)),
      );
      const windows = WINDOW_LENGTHS.map((length, i) => {
        const window = windowOf(length, now);
        const row = rows[i];
        const count = row?.window === window.name ? row.count : 0;
        return { length, window, row, count, max: this.limits[use][length] };
      });
      const full = windows.filter((w) => w.max > 0 && w.count >= w.max);
      if (full.length > 0)
        return {
          ok: false,
          until: new Date(Math.max(...full.map((w) => w.window.endsAt.getTime()))),
        };
      const actions: TransactionAction[] = windows.map(({ length, window, row, count }) => {
        const entity = { partitionKey, rowKey: length, window: window.name, count: count + 1 };
        return row ? ['update', entity, 'Replace', { etag: row.etag }] : ['create', entity];
      });
      try {
        await this.client.submitTransaction(actions);
        return { ok: true };
      } catch (err) {
        if (!isWriteConflict(err) && !isNotFound(err)) throw err;
        // Another use was counted first: read again, with a little jitter.
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(20, 2 + attempt)));
      }
    }
    throw new Error(`could not count a ${use} after ${MAX_ATTEMPTS} attempts`);
  }

  private async row(partitionKey: string, length: WindowLength): Promise<CounterRow | undefined> {
    const e = await getEntityOrUndefined<{ window: string; count: number }>(
      this.client,
      partitionKey,
      length,
    );
    return e && { window: String(e.window), count: Number(e.count), etag: e.etag };
  }
}
