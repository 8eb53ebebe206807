import { odata } from '@azure/data-tables';
import { z } from 'zod';
import { auditEventSchema } from '../kernel/audit';
import { TableReferenceCounter } from '../store/counters';
import type { OutboxStore } from '../store/outbox-store';
import { RecordTable } from '../store/record-table';
import { getEntityOrUndefined, listPartition, safeKey, type Tables } from '../store/tables';
import {
  ACTIVE_TASK_STATUSES,
  TASK_EVENTS,
  TASK_PREFIX,
  TASK_STATUSES,
  type Task,
  type TaskEvent,
  type TaskParentKind,
  type TaskStatus,
} from './task';

/**
 * Table `Tasks` (docs/table-layout.md):
 * - a task's own partition (PartitionKey = its reference `OPG-…`): the record, its audit trail
 *   and its outbox rows (the record kit);
 * - `assignee-<person>`: a row per active task of that person (RowKey = reference), for
 *   "mine oppgaver";
 * - `parent-<kind>-<id>`: a row per task of a process or project, for "oppgaver <prosess>";
 * - `due`: a row per active task, RowKey `<due date>|<reference>`, so the overdue job reads the
 *   tasks due before a day with one range query and never reads every task.
 * Index rows hold no description and no notes. They follow the record through a job stored in
 * the record's own transaction (task-messages.ts), so a crash cannot leave them behind.
 */
const TABLE = 'Tasks';

const assignee = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('person'), personId: z.string() }),
  z.object({ kind: z.literal('unitLeader'), unitId: z.string() }),
]);
const openStatus = z.enum(['open', 'accepted', 'blocked']);

const taskSchema: z.ZodType<Task, z.ZodTypeDef, unknown> = z.object({
  ref: z.string(),
  rev: z.number().int().positive(),
  lastActionId: z.string().optional(),
  title: z.string(),
  description: z.string(),
  parent: z.object({ kind: z.enum(['process', 'project', 'vedtak']), id: z.string() }),
  ownerId: z.string(),
  createdBy: z.string(),
  createdAt: z.string(),
  assignee,
  assigneeId: z.string(),
  due: z.string(),
  status: z.enum(TASK_STATUSES),
  handover: z
    .object({ fromStatus: openStatus, reason: z.string(), suggestedId: z.string().optional() })
    .optional(),
  doneNote: z.string().optional(),
  blockedReason: z.string().optional(),
  fromMessage: z.object({ conversationId: z.string(), messageId: z.string() }).optional(),
});

export class TaskStore extends RecordTable<Task, TaskEvent> {
  private readonly counter: TableReferenceCounter;

  constructor(tables: Tables, outbox: OutboxStore) {
    super(
      tables,
      {
        table: TABLE,
        recordRow: 'task',
        recordSchema: taskSchema,
        eventSchema: auditEventSchema(TASK_EVENTS, TASK_STATUSES),
        jsonFields: ['parent', 'assignee', 'handover', 'fromMessage'],
      },
      outbox,
    );
    this.counter = new TableReferenceCounter(tables, TASK_PREFIX);
  }

  /** Stores a new task under the next free reference (OPG-2027-0001, …). */
  insertTask(now: Date, build: Parameters<RecordTable<Task, TaskEvent>['insertNew']>[2]) {
    return this.insertNew(this.counter, now, build);
  }
}

/** A task as the index holds it: what lists and reminders show, no description, no notes. */
export interface IndexedTask {
  ref: string;
  rev: number;
  title: string;
  parentKind: TaskParentKind;
  parentId: string;
  ownerId: string;
  assigneeId: string;
  due: string;
  status: TaskStatus;
}

const indexSchema = z.object({
  ref: z.string(),
  rev: z.coerce.number().int(),
  title: z.string(),
  parentKind: z.enum(['process', 'project', 'vedtak']),
  parentId: z.string(),
  ownerId: z.string(),
  assigneeId: z.string(),
  due: z.string(),
  status: z.enum(TASK_STATUSES),
});

const assigneePartition = (personId: string) => `assignee-${safeKey(personId)}`;
const parentPartition = (kind: TaskParentKind, id: string) => `parent-${kind}-${safeKey(id)}`;
const dueRow = (due: string, ref: string) => `${due}|${ref}`;

export class TableTaskIndex {
  constructor(private readonly tables: Tables) {}

  private get client() {
    return this.tables.client(TABLE);
  }

  /**
   * Brings the index in step with the record: its row under the parent always, under the
   * assignee and in `due` while it is active; rows left from an earlier assignee or due date
   * are removed. An older revision never replaces a newer one.
   */
  async put(task: Task): Promise<void> {
    const parentKey = parentPartition(task.parent.kind, task.parent.id);
    const stale = await this.rowOf(parentKey, task.ref);
    if (stale && stale.rev >= task.rev) return;
    const row: Omit<IndexedTask, 'ref'> = {
      rev: task.rev,
      title: task.title,
      parentKind: task.parent.kind,
      parentId: task.parent.id,
      ownerId: task.ownerId,
      assigneeId: task.assigneeId,
      due: task.due,
      status: task.status,
    };
    const active = ACTIVE_TASK_STATUSES.has(task.status);
    if (stale && (stale.assigneeId !== task.assigneeId || !active))
      await this.remove(assigneePartition(stale.assigneeId), task.ref);
    if (stale && (stale.due !== task.due || !active))
      await this.remove('due', dueRow(stale.due, task.ref));
    if (active) {
      await this.client.upsertEntity(
        { partitionKey: assigneePartition(task.assigneeId), rowKey: task.ref, ...row },
        'Replace',
      );
      await this.client.upsertEntity(
        { partitionKey: 'due', rowKey: dueRow(task.due, task.ref), ...row },
        'Replace',
      );
    }
    await this.client.upsertEntity(
      { partitionKey: parentKey, rowKey: task.ref, ...row },
      'Replace',
    );
  }

  private async rowOf(partition: string, ref: string): Promise<IndexedTask | undefined> {
    const e = await getEntityOrUndefined<Record<string, unknown>>(this.client, partition, ref);
    return e ? indexSchema.parse({ ...e, ref }) : undefined;
  }

  private async remove(partition: string, row: string): Promise<void> {
    try {
      await this.client.deleteEntity(partition, row);
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 404) throw err;
    }
  }

  /** "mine oppgaver": the active tasks of a person. */
  async ofAssignee(personId: string): Promise<IndexedTask[]> {
    return this.parse(
      await listPartition(this.client, assigneePartition(personId)),
      (e) => e.rowKey,
    );
  }

  /** Every task of a process or project, done ones too. */
  async ofParent(kind: TaskParentKind, id: string): Promise<IndexedTask[]> {
    return this.parse(await listPartition(this.client, parentPartition(kind, id)), (e) => e.rowKey);
  }

  /** Active tasks due before a day (YYYY-MM-DD): one range query over `due`. */
  async dueBefore(day: string, limit = 1000): Promise<IndexedTask[]> {
    const filter = odata`PartitionKey eq 'due' and RowKey lt ${day}`;
    const rows: Record<string, unknown>[] = [];
    for await (const e of this.client.listEntities<Record<string, unknown>>({
      queryOptions: { filter },
    })) {
      rows.push(e);
      if (rows.length >= limit) break;
    }
    return this.parse(rows, (e) => String(e.rowKey).split('|')[1]);
  }

  private parse(
    rows: Record<string, unknown>[],
    refOf: (e: Record<string, unknown>) => unknown,
  ): IndexedTask[] {
    return rows.map((e) => indexSchema.parse({ ...e, ref: refOf(e) }));
  }
}
