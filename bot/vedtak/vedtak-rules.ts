import type { Organisation } from '../org/organisation';
import { osloDateOf } from '../time/working-time';
import type { TaskDraft } from '../tasks/task-rules';
import { isBlank } from '../tasks/task-rules';
import { isRealDate } from '../time/calendar-date';
import {
  FOLLOW_UP_STATUSES,
  type FollowUpStatus,
  type PoliticalDecision,
  type StatusUpdate,
  type VedtakEvent,
} from './vedtak';

/** Registering political decisions and reporting on them (issue #9), pure. */

export type VedtakRefusal =
  | { code: 'not-radmann-staff' }
  | { code: 'empty'; field: VedtakField }
  | { code: 'too-long'; field: VedtakField; max: number }
  | { code: 'bad-date'; field: 'date' | 'deadline' }
  | { code: 'date-in-future' }
  | { code: 'deadline-before-date' }
  | { code: 'unknown-unit' }
  | { code: 'unit-without-leader' }
  | { code: 'not-responsible' }
  | { code: 'bad-status' }
  | { code: 'unchanged' };

export type VedtakField = 'body' | 'caseNumber' | 'summary' | 'comment';

export const VEDTAK_LIMITS: Readonly<Record<VedtakField, number>> = Object.freeze({
  body: 100,
  caseNumber: 40,
  summary: 2000,
  comment: 2000,
});

export interface DecisionDraft {
  body: string;
  caseNumber: string;
  date: string;
  summary: string;
  responsibleUnitId: string;
  deadline: string;
}

/** The rådmann's staff: the people of a unit at rådmannsnivå (the rådmann's office). */
export function isRadmannStaff(org: Organisation, personId: string): boolean {
  const person = org.people.get(personId);
  return person !== undefined && org.units.get(person.unitId)?.kind === 'rådmannsnivå';
}

function textProblem(
  field: VedtakField,
  text: string,
  required: boolean,
): VedtakRefusal | undefined {
  if (required && isBlank(text)) return { code: 'empty', field };
  const max = VEDTAK_LIMITS[field];
  if ([...text].length > max) return { code: 'too-long', field, max };
  return undefined;
}

/** The decision and the draft of its follow-up task (for the responsible unit's leader). */
export function registerDecision(input: {
  org: Organisation;
  actorId: string;
  draft: DecisionDraft;
  ref: string;
  taskRef: string;
  now: Date;
}):
  | { ok: true; decision: PoliticalDecision; event: Omit<VedtakEvent, 'seq'>; task: TaskDraft }
  | { ok: false; refusal: VedtakRefusal } {
  const { org, actorId, ref, taskRef, now } = input;
  if (!isRadmannStaff(org, actorId)) return { ok: false, refusal: { code: 'not-radmann-staff' } };
  const d = {
    ...input.draft,
    body: input.draft.body.trim(),
    caseNumber: input.draft.caseNumber.trim(),
    summary: input.draft.summary.trim(),
  };
  const problem =
    textProblem('body', d.body, true) ??
    textProblem('caseNumber', d.caseNumber, true) ??
    textProblem('summary', d.summary, true) ??
    datesProblem(d.date, d.deadline, osloDateOf(now));
  if (problem) return { ok: false, refusal: problem };
  const unit = org.units.get(d.responsibleUnitId);
  if (!unit) return { ok: false, refusal: { code: 'unknown-unit' } };
  if (!unit.leaderId || !org.people.has(unit.leaderId))
    return { ok: false, refusal: { code: 'unit-without-leader' } };
  const at = now.toISOString();
  const decision: PoliticalDecision = {
    ref,
    rev: 1,
    ...d,
    registeredBy: actorId,
    registeredAt: at,
    taskRef,
    status: 'not_started',
    updates: [],
  };
  return {
    ok: true,
    decision,
    event: {
      ref,
      at,
      kind: 'registered',
      actorId,
      toStatus: 'not_started',
      targetId: unit.leaderId,
    },
    task: {
      title: `${d.body} ${d.caseNumber}`,
      description: d.summary,
      assignee: { kind: 'unitLeader', unitId: unit.id },
      due: d.deadline,
    },
  };
}

function datesProblem(date: string, deadline: string, today: string): VedtakRefusal | undefined {
  if (!isRealDate(date)) return { code: 'bad-date', field: 'date' };
  if (!isRealDate(deadline)) return { code: 'bad-date', field: 'deadline' };
  if (date > today) return { code: 'date-in-future' };
  if (deadline < date) return { code: 'deadline-before-date' };
  return undefined;
}

/** The responsible unit's leader (or the line above) reports the status, with a comment. */
export function reportStatus(input: {
  org: Organisation;
  decision: PoliticalDecision;
  actorId: string;
  status: string;
  comment?: string;
  now: Date;
}):
  | { ok: true; decision: PoliticalDecision; event: Omit<VedtakEvent, 'seq'> }
  | { ok: false; refusal: VedtakRefusal } {
  const { org, decision, actorId, now } = input;
  const leaderId = org.units.get(decision.responsibleUnitId)?.leaderId;
  if (actorId !== leaderId && !isRadmannStaff(org, actorId))
    return { ok: false, refusal: { code: 'not-responsible' } };
  if (!(FOLLOW_UP_STATUSES as readonly string[]).includes(input.status))
    return { ok: false, refusal: { code: 'bad-status' } };
  const status = input.status as FollowUpStatus;
  const comment = (input.comment ?? '').trim();
  const problem = textProblem('comment', comment, false);
  if (problem) return { ok: false, refusal: problem };
  if (status === decision.status && !comment) return { ok: false, refusal: { code: 'unchanged' } };
  const at = now.toISOString();
  const update: StatusUpdate = { at, byId: actorId, status, ...(comment ? { comment } : {}) };
  const after: PoliticalDecision = {
    ...decision,
    rev: decision.rev + 1,
    status,
    updates: [...decision.updates, update],
  };
  return {
    ok: true,
    decision: after,
    event: {
      ref: decision.ref,
      at,
      kind: 'status_reported',
      actorId,
      fromStatus: decision.status,
      toStatus: status,
      ...(comment ? { note: comment } : {}),
    },
  };
}

/**
 * A decision as it stood at the end of a day (Europe/Oslo): undefined if it was not made yet,
 * else its status and last comment from the updates reported by then.
 */
export function decisionAsOf(
  decision: PoliticalDecision,
  per: string,
): { status: FollowUpStatus; comment?: string; updatedAt?: string } | undefined {
  if (decision.date > per) return undefined;
  const known = decision.updates.filter((u) => osloDateOf(new Date(u.at)) <= per);
  const last = known[known.length - 1];
  if (!last) return { status: 'not_started' };
  const lastComment = [...known].reverse().find((u) => u.comment)?.comment;
  return {
    status: last.status,
    updatedAt: last.at,
    ...(lastComment ? { comment: lastComment } : {}),
  };
}
