import { odata } from '@azure/data-tables';
import type { JobStore, Timer, TimerStore } from '../scheduling/scheduler';
import { isConflict, isPreconditionFailed, unlessNotFound } from './errors';
import { getEntityOrUndefined, safeKey, type Tables } from './tables';

/**
 * Table `Schedule`:
 * - PartitionKey `timer`, RowKey `<dueAt ISO>|<kind>|<ref>|<name>` (encoded): one row per
 *   timer; a tick reads `RowKey < now` only, so what it reads is what is due, however many
 *   records are stored.
 * - PartitionKey `job`, RowKey = job name: `nextRunAt` (UTC), etag-guarded.
 */
const rowOf = (t: Timer) => [t.dueAt, t.kind, t.ref, t.name].map(safeKey).join('|');

function timerOf(rowKey: string): Timer | undefined {
  const parts = rowKey.split('|');
  if (parts.length !== 4) return undefined;
  const [dueAt, kind, ref, name] = parts.map(decodeURIComponent);
  return { dueAt, kind, ref, name };
}

export class ScheduleStore implements TimerStore, JobStore {
  constructor(private readonly tables: Tables) {}

  private get client() {
    return this.tables.client('Schedule');
  }

  async set(timers: Timer[]): Promise<void> {
    for (let i = 0; i < timers.length; i += 100)
      await this.client.submitTransaction(
        timers
          .slice(i, i + 100)
          .map((t) => ['upsert', { partitionKey: 'timer', rowKey: rowOf(t) }, 'Replace']),
      );
  }

  async due(now: Date, limit: number): Promise<Timer[]> {
    const bound = `${safeKey(now.toISOString())}}`;
    const pages = this.client
      .listEntities({
        queryOptions: {
          filter: odata`PartitionKey eq 'timer' and RowKey lt ${bound}`,
          select: ['RowKey'],
        },
      })
      .byPage({ maxPageSize: Math.min(limit, 1000) });
    const timers: Timer[] = [];
    // Azure Tables may answer with an empty page and a continuation: read on until the limit.
    for await (const page of pages) {
      for (const e of page) {
        const timer = timerOf(String(e.rowKey));
        if (timer) timers.push(timer);
      }
      if (timers.length >= limit) break;
    }
    return timers.slice(0, limit);
  }

  async remove(timer: Timer): Promise<void> {
    await unlessNotFound(this.client.deleteEntity('timer', rowOf(timer)));
  }

  /** Every timer not yet fired (operators and tests). */
  async pending(): Promise<Timer[]> {
    const timers: Timer[] = [];
    for await (const e of this.client.listEntities({
      queryOptions: { filter: odata`PartitionKey eq 'timer'`, select: ['RowKey'] },
    })) {
      const timer = timerOf(String(e.rowKey));
      if (timer) timers.push(timer);
    }
    return timers;
  }

  async read(name: string): Promise<{ nextRunAt: string; etag: string } | undefined> {
    const e = await getEntityOrUndefined<{ nextRunAt: string }>(this.client, 'job', name);
    return e && { nextRunAt: e.nextRunAt, etag: e.etag };
  }

  async advance(name: string, nextRunAt: string, etag?: string): Promise<boolean> {
    const entity = { partitionKey: 'job', rowKey: name, nextRunAt };
    try {
      if (etag) await this.client.updateEntity(entity, 'Replace', { etag });
      else await this.client.createEntity(entity);
      return true;
    } catch (err) {
      if (isConflict(err) || isPreconditionFailed(err)) return false;
      throw err;
    }
  }
}
