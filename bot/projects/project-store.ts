import { z } from 'zod';
import { auditEventSchema } from '../kernel/audit';
import { TableReferenceCounter } from '../store/counters';
import type { OutboxStore } from '../store/outbox-store';
import { RecordTable } from '../store/record-table';
import { listPartition, type Tables } from '../store/tables';
import {
  PHASES,
  PROJECT_EVENTS,
  PROJECT_PREFIX,
  PROJECT_STATUSES,
  type Project,
  type ProjectEvent,
} from './project';

/**
 * Table `Projects` (docs/table-layout.md): a project's own partition (PartitionKey = its
 * reference `PRO-…`) holds the record, its audit trail and its outbox rows (the record kit);
 * partition `catalogue` has a row per project, so the list is one partition read.
 */
const TABLE = 'Projects';

const vote = z.object({
  vote: z.enum(['approve', 'send_back']),
  at: z.string(),
  comment: z.string().optional(),
});
const report = z.object({
  url: z.string(),
  summary: z.string(),
  realisedBy: z.enum(['line', 'project_owner']),
});
const target = z.union([z.enum(PHASES), z.literal('closed')]);

const projectSchema: z.ZodType<Project, z.ZodTypeDef, unknown> = z.object({
  ref: z.string(),
  rev: z.number().int().positive(),
  lastActionId: z.string().optional(),
  name: z.string(),
  mandate: z.string(),
  mandatedBy: z.string(),
  ownerId: z.string(),
  steeringGroup: z.array(z.string()),
  quorum: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('majority') }),
    z.object({ kind: z.literal('all') }),
    z.object({ kind: z.literal('count'), count: z.number().int() }),
  ]),
  phase: z.enum(PHASES),
  status: z.enum(PROJECT_STATUSES),
  memberIds: z.array(z.string()),
  gate: z
    .object({
      number: z.number().int(),
      from: z.enum(PHASES),
      to: target,
      requestedBy: z.string(),
      requestedAt: z.string(),
      votes: z.record(vote),
      report: report.optional(),
    })
    .optional(),
  history: z.array(
    z.object({
      number: z.number().int(),
      from: z.enum(PHASES),
      to: target,
      outcome: z.enum(['approved', 'sent_back']),
      decidedAt: z.string(),
      approvals: z.number().int(),
      sendBacks: z.number().int(),
      votes: z.record(vote),
    }),
  ),
  finalReport: report.optional(),
});

export class ProjectStore extends RecordTable<Project, ProjectEvent> {
  private readonly counter: TableReferenceCounter;

  constructor(
    private readonly tableSet: Tables,
    outbox: OutboxStore,
  ) {
    super(
      tableSet,
      {
        table: TABLE,
        recordRow: 'project',
        recordSchema: projectSchema,
        eventSchema: auditEventSchema(PROJECT_EVENTS, PROJECT_STATUSES),
        jsonFields: ['steeringGroup', 'quorum', 'memberIds', 'gate', 'history', 'finalReport'],
      },
      outbox,
    );
    this.counter = new TableReferenceCounter(tableSet, PROJECT_PREFIX);
  }

  /** A new project under the next free reference (its `project.listed` job lists it). */
  insertProject(now: Date, build: Parameters<RecordTable<Project, ProjectEvent>['insertNew']>[2]) {
    return this.insertNew(this.counter, now, build);
  }

  /** The catalogue row of a project: written by the job stored with the project. */
  async listed(ref: string): Promise<void> {
    await this.tableSet
      .client(TABLE)
      .upsertEntity({ partitionKey: 'catalogue', rowKey: ref }, 'Replace');
  }

  async list(): Promise<Project[]> {
    const refs = (await listPartition(this.tableSet.client(TABLE), 'catalogue')).map((e) =>
      String(e.rowKey),
    );
    const found = await Promise.all(refs.map((ref) => this.get(ref)));
    return found.flatMap((f) => (f ? [f.record] : []));
  }
}
