import { z } from 'zod';
import { auditEventSchema } from '../kernel/audit';
import { ConcurrentChangeError } from '../kernel/records';
import type { Organisation } from '../org/organisation';
import type { OutboxStore } from '../store/outbox-store';
import { RecordTable } from '../store/record-table';
import { listPartition, type Tables } from '../store/tables';
import { PROCESS_EVENTS, PROCESS_STATUSES, type Process, type ProcessEvent } from './process';
import { processFromEntry, type ProcessFile } from './process-file';
import { processCardTo } from './process-messages';
import { anchorersFor } from './process-rules';

/**
 * Table `Processes` (docs/table-layout.md): a process's own partition (PartitionKey = its id,
 * e.g. `aldersvennlig-samfunn`) holds the record, its audit trail and its outbox rows (the
 * record kit); partition `catalogue` has a row per process id, so the list of processes is one
 * partition read.
 */
const TABLE = 'Processes';

const processSchema: z.ZodType<Process, z.ZodTypeDef, unknown> = z.object({
  ref: z.string(),
  rev: z.number().int().positive(),
  lastActionId: z.string().optional(),
  name: z.object({ nb: z.string(), en: z.string().optional() }),
  ownerId: z.string(),
  commissionerId: z.string(),
  mandate: z.string(),
  goals: z.array(z.string()),
  status: z.enum(PROCESS_STATUSES),
  anchoredBy: z.string().optional(),
  anchoredAt: z.string().optional(),
  members: z.array(
    z.object({ personId: z.string(), sharePercent: z.number().optional(), since: z.string() }),
  ),
  nominations: z.array(
    z.object({
      personId: z.string(),
      releaserId: z.string(),
      status: z.enum(['pending', 'released', 'declined']),
      nominatedAt: z.string(),
      decidedAt: z.string().optional(),
      decidedBy: z.string().optional(),
      comment: z.string().optional(),
      sharePercent: z.number().optional(),
    }),
  ),
  creatorIds: z.array(z.string()),
  measures: z.array(
    z.object({
      number: z.number().int(),
      text: z.string(),
      decidedAt: z.string(),
      acks: z.record(
        z.object({
          status: z.enum(['pending', 'acknowledged', 'declined']),
          byId: z.string().optional(),
          at: z.string().optional(),
          comment: z.string().optional(),
        }),
      ),
      escalation: z
        .object({
          at: z.string(),
          decision: z.enum(['upheld', 'withdrawn']).optional(),
          byId: z.string().optional(),
          comment: z.string().optional(),
        })
        .optional(),
    }),
  ),
  evaluations: z
    .array(z.object({ year: z.number().int(), text: z.string(), byId: z.string(), at: z.string() }))
    .optional(),
});

export interface ProcessImport {
  added: string[];
  changed: string[];
  unchanged: string[];
}

export class ProcessStore extends RecordTable<Process, ProcessEvent> {
  constructor(
    private readonly tableSet: Tables,
    outbox: OutboxStore,
  ) {
    super(
      tableSet,
      {
        table: TABLE,
        recordRow: 'process',
        recordSchema: processSchema,
        eventSchema: auditEventSchema(PROCESS_EVENTS, PROCESS_STATUSES),
        jsonFields: [
          'name',
          'goals',
          'members',
          'nominations',
          'creatorIds',
          'measures',
          'evaluations',
        ],
      },
      outbox,
    );
  }

  /** Every process in the catalogue, read through their records. */
  async list(): Promise<Process[]> {
    const ids = (await listPartition(this.tableSet.client(TABLE), 'catalogue')).map((e) =>
      String(e.rowKey),
    );
    const found = await Promise.all(ids.map((id) => this.get(id)));
    return found.flatMap((f) => (f ? [f.record] : []));
  }

  /**
   * Upserts the catalogue: a new process is created (a draft where anchoring is needed), an
   * existing one gets the file's name, owner, mandate, goals and creators, and the file's
   * members join (nobody is removed from a group by an import). Nothing is wiped.
   */
  async import(file: ProcessFile, org: Organisation, now: Date): Promise<ProcessImport> {
    const result: ProcessImport = { added: [], changed: [], unchanged: [] };
    const at = now.toISOString();
    for (const entry of file.processes) {
      const fresh = processFromEntry(entry, org);
      await this.tableSet
        .client(TABLE)
        .upsertEntity({ partitionKey: 'catalogue', rowKey: entry.id }, 'Replace');
      for (let attempt = 0; ; attempt++) {
        const stored = await this.get(entry.id);
        if (!stored) {
          const event = {
            ref: entry.id,
            seq: 1,
            at,
            kind: 'created',
            actorId: 'import',
            toStatus: fresh.status,
          } as const;
          // A draft asks the rådmann (or the kommunalsjef in the line) to anchor its mandate.
          const anchorer = fresh.status === 'draft' ? anchorersFor(org, fresh)[0] : undefined;
          await this.create(
            fresh,
            event,
            anchorer ? [processCardTo(fresh, anchorer.id, 'anchor', now)] : [],
          );
          result.added.push(entry.id);
          break;
        }
        const before = stored.record;
        const members = [...before.members];
        for (const m of fresh.members)
          if (!members.some((x) => x.personId === m.personId)) members.push(m);
        const after: Process = {
          ...before,
          name: fresh.name,
          ownerId: fresh.ownerId,
          commissionerId: fresh.commissionerId,
          mandate: fresh.mandate,
          goals: fresh.goals,
          creatorIds: fresh.creatorIds,
          members,
          ...(before.status === 'draft' && fresh.status === 'active'
            ? { status: 'active', anchoredBy: fresh.anchoredBy, anchoredAt: fresh.anchoredAt }
            : {}),
          rev: before.rev + 1,
        };
        const { rev: _a, lastActionId: _b, ...a } = after;
        const { rev: _c, lastActionId: _d, ...b } = before;
        if (JSON.stringify(a) === JSON.stringify(b)) {
          result.unchanged.push(entry.id);
          break;
        }
        const event = {
          ref: entry.id,
          seq: after.rev,
          at,
          kind: 'catalogue_changed',
          actorId: 'import',
          fromStatus: before.status,
          toStatus: after.status,
        } as const;
        try {
          await this.update(before, after, stored.etag, event);
          result.changed.push(entry.id);
          break;
        } catch (err) {
          if (!(err instanceof ConcurrentChangeError) || attempt >= 5) throw err;
        }
      }
    }
    return result;
  }
}
