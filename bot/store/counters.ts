import { formatReference, referenceYear, type ReferenceCounter } from '../kernel/reference';
import { isNotFound, isWriteConflict } from './errors';
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

  /** The counter row as this instance last wrote or read it: the next update tries it directly. */
  private readonly known = new Map<number, { value: number; etag: string }>();

  /** Reserves `count` consecutive numbers of a year; returns the first. */
  private async reserve(year: number, count: number): Promise<number> {
    const counters = this.tables.client('Counters');
    const key = { partitionKey: 'reference', rowKey: `${this.prefix}-${year}` };
    for (let attempt = 0; attempt < 100; attempt++) {
      // One round trip when this instance wrote last; a read only after another one did.
      let current = this.known.get(year);
      if (!current) {
        const row = await getEntityOrUndefined<{ value: number }>(
          counters,
          key.partitionKey,
          key.rowKey,
        );
        current = row && { value: Number(row.value), etag: row.etag };
      }
      try {
        if (!current) {
          const created = await counters.createEntity({ ...key, value: count });
          this.known.set(year, { value: count, etag: created.etag ?? '' });
          return 1;
        }
        const value = current.value + count;
        const updated = await counters.updateEntity({ ...key, value }, 'Replace', {
          etag: current.etag,
        });
        this.known.set(year, { value, etag: updated.etag ?? '' });
        return value - count + 1;
      } catch (err) {
        this.known.delete(year);
        if (!isWriteConflict(err) && !isNotFound(err)) throw err;
        // Another instance took these numbers; back off a little, with jitter, and read again.
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 + attempt * 2)));
      }
    }
    throw new Error('could not allocate a reference after 100 attempts');
  }
}
