import { formatReference, referenceYear, type ReferenceCounter } from '../kernel/reference';
import { isWriteConflict } from './errors';
import { getEntityOrUndefined, type Tables } from './tables';

/**
 * Table `Counters`, PartitionKey `reference`, RowKey `<PREFIX>-<year>` (AVV-2026): the last
 * number used. Callers waiting in this process share one etag-guarded increment that reserves
 * a block (a burst of 50 costs a few round trips, not 50 rounds of conflicts); across
 * instances a lost race retries with jitter. A crash between reserving and storing leaves a
 * gap in the numbering, never a duplicate.
 */
export class TableReferenceCounter implements ReferenceCounter {
  private waiting: {
    year: number;
    resolve: (ref: string) => void;
    reject: (err: unknown) => void;
  }[] = [];
  private allocating = false;

  constructor(
    private readonly tables: Tables,
    private readonly prefix: string,
  ) {}

  next(now: Date): Promise<string> {
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
          batch.forEach((w, i) => w.resolve(formatReference(this.prefix, year, first + i)));
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
    const key = { partitionKey: 'reference', rowKey: `${this.prefix}-${year}` };
    for (let attempt = 0; attempt < 100; attempt++) {
      const current = await getEntityOrUndefined<{ value: number }>(
        counters,
        key.partitionKey,
        key.rowKey,
      );
      try {
        if (!current) {
          await counters.createEntity({ ...key, value: count });
          return 1;
        }
        const value = Number(current.value) + count;
        await counters.updateEntity({ ...key, value }, 'Replace', { etag: current.etag });
        return value - count + 1;
      } catch (err) {
        if (!isWriteConflict(err)) throw err;
        // Another instance took these numbers; back off a little, with jitter, and read again.
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 + attempt * 2)));
      }
    }
    throw new Error('could not allocate a reference after 100 attempts');
  }
}
