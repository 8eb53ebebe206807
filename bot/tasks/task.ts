import type { AuditEvent } from '../kernel/audit';
import type { VersionedRecord } from '../kernel/records';

/**
 * Tasks of cross-cutting processes, projects and political decisions (issue #9): what a group
 * decides someone must do, with a due date. Pure types; the rules are in task-rules.ts.
 */

export const TASK_PREFIX = 'OPG';

/** What a task belongs to: the group whose owner decides over it and whose members see it. */
export type TaskParentKind = 'process' | 'project' | 'vedtak';
export interface TaskParentRef {
  kind: TaskParentKind;
  /** The process id, project reference or decision reference. */
  id: string;
}

/**
 * Who is to do it: a named person, or "the leader of unit X". A unit's leader is resolved when
 * the task is made and again when it is handed over, so a change of leader is followed then.
 */
export type Assignee =
  { kind: 'person'; personId: string } | { kind: 'unitLeader'; unitId: string };

export const TASK_STATUSES = [
  'open',
  'accepted',
  'blocked',
  'handover_requested',
  'done',
  'cancelled',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** Statuses in which a task still waits for someone: reminders, "mine oppgaver", overdue. */
export const ACTIVE_TASK_STATUSES: ReadonlySet<TaskStatus> = new Set([
  'open',
  'accepted',
  'blocked',
  'handover_requested',
]);

export interface HandoverRequest {
  /** The status the task had when the handover was asked for: where a refusal returns it. */
  fromStatus: Exclude<TaskStatus, 'handover_requested' | 'done' | 'cancelled'>;
  reason: string;
  /** Whom the assignee suggests, if anyone; the owner decides. */
  suggestedId?: string;
}

export interface Task extends VersionedRecord {
  title: string;
  description: string;
  parent: TaskParentRef;
  /** Who decides over the task (handovers): the parent's owner when the task was made. */
  ownerId: string;
  createdBy: string;
  createdAt: string;
  assignee: Assignee;
  /** The person the assignee resolved to: the one who acts on the task card. */
  assigneeId: string;
  /** YYYY-MM-DD, Europe/Oslo. */
  due: string;
  status: TaskStatus;
  /** Set while a handover waits for the owner. */
  handover?: HandoverRequest;
  /** The note given with "done", the reason given with "blocked". */
  doneNote?: string;
  blockedReason?: string;
  /** For a task made from a Teams message ("Lag oppgave fra denne meldingen"). */
  fromMessage?: { conversationId: string; messageId: string };
}

export const TASK_EVENTS = [
  'created',
  'accepted',
  'blocked',
  'unblocked',
  'done',
  'handover_requested',
  'handed_over',
  'handover_refused',
  'cancelled',
  'due_changed',
] as const;
export type TaskEventKind = (typeof TASK_EVENTS)[number];
export type TaskEvent = AuditEvent<TaskEventKind, TaskStatus>;

/** What the rules know about a task's parent: who owns it, who is in its group, who may add tasks. */
export interface TaskParent {
  ref: TaskParentRef;
  /** Shown on cards and lists. */
  name: string;
  ownerId: string;
  /** The group: process members, a project's styringsgruppe and members. */
  memberIds: readonly string[];
  /** Members the owner allowed to create tasks. */
  creatorIds: readonly string[];
  /** A draft process (not anchored yet) or a closed one takes no tasks. */
  active: boolean;
}

/** Limits on what a person types into a task: checked before anything is stored. */
export const TASK_LIMITS = Object.freeze({
  title: 200,
  description: 4000,
  note: 2000,
});
