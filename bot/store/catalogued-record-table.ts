import type { AuditEvent } from '../kernel/audit';
import type { VersionedRecord } from '../kernel/records';
import { TableReferenceCounter } from './counters';
import type { OutboxStore } from './outbox-store';
import { RecordTable, type RecordTableOptions } from './record-table';
import { listPartition, type Tables } from './tables';

/**
 * The record kit for a kind whose records are listed whole (projects, political decisions):
 * references from `Counters` (`<PREFIX>-<year>`), and partition `catalogue` with a row per
 * record, written by a job stored in the new record's own transaction (`listed`), so a record is
 * never left out of the list. A list is one partition read, then the records.
 */
export class CataloguedRecordTable<
  R extends VersionedRecord,
  E extends AuditEvent,
> extends RecordTable<R, E> {
  private readonly counter: TableReferenceCounter;

  constructor(
    private readonly tableSet: Tables,
    private readonly tableOptions: RecordTableOptions<R, E>,
    outbox: OutboxStore,
    prefix: string,
  ) {
    super(tableSet, tableOptions, outbox);
    this.counter = new TableReferenceCounter(tableSet, prefix);
  }

  /** A new record under the next free reference (its job lists it). */
  insert(now: Date, build: Parameters<RecordTable<R, E>['insertNew']>[2]): Promise<R> {
    return this.insertNew(this.counter, now, build);
  }

  /** The catalogue row of a record: written by the job stored with it. */
  async listed(ref: string): Promise<void> {
    await this.tableSet
      .client(this.tableOptions.table)
      .upsertEntity({ partitionKey: 'catalogue', rowKey: ref }, 'Replace');
  }

  async list(): Promise<R[]> {
    const rows = await listPartition(this.tableSet.client(this.tableOptions.table), 'catalogue');
    const found = await Promise.all(rows.map((e) => this.get(String(e.rowKey))));
    return found.flatMap((f) => (f ? [f.record] : []));
  }
}
