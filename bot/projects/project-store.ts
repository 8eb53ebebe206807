import { z } from 'zod';
import { auditEventSchema } from '../kernel/audit';
import type { OutboxStore } from '../store/outbox-store';
import { CataloguedRecordTable } from '../store/catalogued-record-table';
import type { Tables } from '../store/tables';
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

export class ProjectStore extends CataloguedRecordTable<Project, ProjectEvent> {
  constructor(tables: Tables, outbox: OutboxStore) {
    super(
      tables,
      {
        table: TABLE,
        recordRow: 'project',
        recordSchema: projectSchema,
        eventSchema: auditEventSchema(PROJECT_EVENTS, PROJECT_STATUSES),
        jsonFields: ['steeringGroup', 'quorum', 'memberIds', 'gate', 'history', 'finalReport'],
      },
      outbox,
      PROJECT_PREFIX,
    );
  }
}
