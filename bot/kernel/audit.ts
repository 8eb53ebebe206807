import { z } from 'zod';

/**
 * One line of a record's append-only audit trail. `seq` is the revision the change produced,
 * so the trail and the record can never disagree: both are written in one transaction.
 */
export interface AuditEvent<Kind extends string = string, Status extends string = string> {
  /** The record's reference, e.g. AVV-2026-0042. */
  ref: string;
  seq: number;
  at: string;
  kind: Kind;
  actorId: string;
  fromStatus?: Status;
  toStatus: Status;
  /** Who the change moved the record to (assign, escalate, release), if anyone. */
  targetId?: string;
  /** The text the actor entered for this step. */
  note?: string;
}

/** The schema a stored event is checked against on the way out of the store. */
export function auditEventSchema<Kind extends string, Status extends string>(
  kinds: readonly [Kind, ...Kind[]],
  statuses: readonly [Status, ...Status[]],
): z.ZodType<AuditEvent<Kind, Status>> {
  const status = z.enum(statuses as [Status, ...Status[]]);
  return z.object({
    ref: z.string(),
    seq: z.number().int().positive(),
    at: z.string(),
    kind: z.enum(kinds as [Kind, ...Kind[]]),
    actorId: z.string(),
    fromStatus: status.optional(),
    toStatus: status,
    targetId: z.string().optional(),
    note: z.string().optional(),
  }) as unknown as z.ZodType<AuditEvent<Kind, Status>>;
}
