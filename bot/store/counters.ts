import {
  formatReference,
  parseReference,
  referenceYear,
  type ReferenceCounter,
} from '../kernel/reference';
import { isNotFound, isWriteConflict } from './errors';
import { getEntityOrUndefined, type Tables } from './tables';

/**
 * Table `Counters`, PartitionKey `reference`, RowKey `<PREFIX>-<year>` (AVV-2026): the last
 * number used. Callers waiting in this process share one etag-guarded increment that reserves
 * a block (a burst of 50 costs a few round trips, not 50 rounds of conflicts); across
 * instances a lost race retries with jitter. A crash between reserving and storing leaves a
 * gap in the numbering, never a duplicate.
 *
 * With `ready` > 0 the counter keeps that many numbers reserved ahead, so that taking one costs
 * no round trip: when the caller says it used one, the next is reserved in the background. A
 * number handed out but not used (the form was a duplicate, the use was refused) is given back
 * and handed out next; at a clean stop the ready ones go back to the counter (release). The
 * price: a number kept ready when a process dies, or when the year turns, is a gap; with
 * several instances a number can be used a little after a higher one from another instance.
 *
 * With `busyReady` above `ready`, a busy instance keeps more ready: a refill reserves as many
 * numbers as were used in the last two seconds (at least `ready`, at most `busyReady`), so that
 * under a steady stream of reports most take no round trip at all, and a quiet instance keeps
 * `ready` (the gap a crash can leave grows only while reports come in that fast).
 */
/** How far back used numbers count towards how many a busy instance keeps ready. */
const BUSY_WINDOW_MS = 2000;

export class TableReferenceCounter implements ReferenceCounter {
  private waiting: {
    year: number;
    resolve: (ref: string) => void;
    reject: (err: unknown) => void;
  }[] = [];
  private allocating = false;
  /** Numbers reserved and not handed out, per year, lowest first. */
  private readonly pool = new Map<number, number[]>();
  /** Years whose pool is to be filled up again in the background, and to how many. */
  private readonly refills = new Map<number, number>();
  /** When numbers were used lately (ms, oldest first; at most `busyReady` kept). */
  private readonly uses: number[] = [];

  constructor(
    private readonly tables: Tables,
    private readonly prefix: string,
    private readonly ready = 0,
    private readonly busyReady = ready,
    private readonly clock: () => number = Date.now,
  ) {}

  next(now: Date): Promise<string> {
    const year = referenceYear(now);
    const pool = this.pool.get(year);
    if (pool && pool.length > 0)
      return Promise.resolve(formatReference(this.prefix, year, pool.shift()!));
    return new Promise((resolve, reject) => {
      this.waiting.push({ year, resolve, reject });
      if (!this.allocating) void this.allocateWaiting();
    });
  }

  /** A number from next() that was not used: it is handed out again, before any newer one. */
  giveBack(ref: string): void {
    const parsed = parseReference(this.prefix, ref);
    if (!parsed) return;
    const pool = this.pool.get(parsed.year) ?? [];
    if (pool.includes(parsed.sequence)) return;
    pool.push(parsed.sequence);
    pool.sort((a, b) => a - b);
    this.pool.set(parsed.year, pool);
  }

  /**
   * At a clean stop: the numbers kept ready go back to the counter, so that the next process
   * continues without a gap. Only numbers at the top of the counter can, and only while this
   * instance wrote it last (its etag): after another instance reserved, they stay a gap.
   */
  async release(): Promise<void> {
    for (let waited = 0; this.allocating && waited < 5000; waited += 10)
      await new Promise((r) => setTimeout(r, 10));
    const counters = this.tables.client('Counters');
    for (const [year, pool] of this.pool) {
      const known = this.known.get(year);
      if (!known || pool.length === 0) continue;
      let top = 0;
      while (pool.includes(known.value - top)) top++;
      if (top === 0) continue;
      try {
        const value = known.value - top;
        const updated = await counters.updateEntity(
          { partitionKey: 'reference', rowKey: `${this.prefix}-${year}`, value },
          'Replace',
          { etag: known.etag },
        );
        this.known.set(year, { value, etag: updated.etag ?? '' });
        this.pool.set(
          year,
          pool.filter((n) => n <= value),
        );
      } catch (err) {
        // Another instance reserved since (or the store is out): those numbers stay a gap.
        this.known.delete(year);
        if (!isWriteConflict(err) && !isNotFound(err)) throw err;
      }
    }
  }

  /**
   * A number from next() was used: the next one is reserved in the background, if fewer than
   * `ready` are in hand. (Not on next() itself: a duplicate submit that gives its number back
   * must leave the store as it was.)
   */
  used(ref: string): void {
    const parsed = parseReference(this.prefix, ref);
    if (!parsed) return;
    const now = this.clock();
    this.uses.push(now);
    while (this.uses.length > this.busyReady || this.uses[0] <= now - BUSY_WINDOW_MS)
      this.uses.shift();
    if ((this.pool.get(parsed.year)?.length ?? 0) >= this.ready) return;
    const keep = Math.max(this.ready, Math.min(this.busyReady, this.uses.length));
    this.refills.set(parsed.year, Math.max(keep, this.refills.get(parsed.year) ?? 0));
    if (!this.allocating) void this.allocateWaiting();
  }

  private async allocateWaiting(): Promise<void> {
    this.allocating = true;
    try {
      while (this.waiting.length > 0 || this.refills.size > 0) {
        const year = this.waiting[0]?.year ?? this.refills.keys().next().value!;
        const keep = this.refills.get(year) ?? this.ready;
        this.refills.delete(year);
        const batch = this.waiting.filter((w) => w.year === year);
        this.waiting = this.waiting.filter((w) => w.year !== year);
        const pool = this.pool.get(year) ?? [];
        this.pool.set(year, pool);
        // Numbers given back meanwhile go first.
        while (batch.length > 0 && pool.length > 0)
          batch.shift()!.resolve(formatReference(this.prefix, year, pool.shift()!));
        const count = batch.length + Math.max(0, keep - pool.length);
        if (count === 0) continue;
        try {
          const first = await this.reserve(year, count);
          batch.forEach((w, i) => w.resolve(formatReference(this.prefix, year, first + i)));
          for (let i = batch.length; i < count; i++) pool.push(first + i);
          pool.sort((a, b) => a - b);
        } catch (err) {
          // A failed refill is no error: the next caller reserves (and reports) it.
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
