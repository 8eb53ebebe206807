import { hasVisibleText } from '../kernel/visible-text';
import { isInLineAbove, type Organisation } from '../org/organisation';
import type { Project } from '../projects/project';
import { isRealDate } from '../time/calendar-date';
import { osloDateOf } from '../time/working-time';
import {
  ACTIVE_TASK_STATUSES,
  TASK_LIMITS,
  type Assignee,
  type Task,
  type TaskEvent,
  type TaskEventKind,
  type TaskParent,
  type TaskStatus,
} from './task';

/**
 * The rules of tasks (issue #9), pure: who may create, see and act on a task, and what each verb
 * does. A refusal is a value; task-texts.ts says it in the user's language.
 */

export type TextField = 'title' | 'description' | 'note' | 'reason';

export type TaskRefusal =
  | { code: 'parent-not-active' }
  | { code: 'not-allowed-to-create' }
  | { code: 'not-allowed' }
  | { code: 'empty'; field: TextField }
  | { code: 'too-long'; field: TextField; max: number }
  | { code: 'bad-date' }
  | { code: 'due-in-past'; today: string }
  | { code: 'unknown-person' }
  | { code: 'unknown-unit' }
  | { code: 'unit-without-leader'; unitId: string }
  | { code: 'same-assignee' }
  | { code: 'wrong-status'; status: TaskStatus };

export type TaskResult =
  { ok: true; task: Task; event: Omit<TaskEvent, 'seq'> } | { ok: false; refusal: TaskRefusal };

const refuse = (refusal: TaskRefusal): { ok: false; refusal: TaskRefusal } => ({
  ok: false,
  refusal,
});

/** Text a person cannot see (spaces, zero-width and direction marks, lone combining marks). */
export const isBlank = (text: string): boolean => !hasVisibleText(text);

/** The person an assignee is now: the person, or the unit's own leader. */
export function resolveAssignee(
  org: Organisation,
  assignee: Assignee,
): { ok: true; personId: string } | { ok: false; refusal: TaskRefusal } {
  if (assignee.kind === 'person')
    return org.people.has(assignee.personId)
      ? { ok: true, personId: assignee.personId }
      : refuse({ code: 'unknown-person' });
  const unit = org.units.get(assignee.unitId);
  if (!unit) return refuse({ code: 'unknown-unit' });
  if (!unit.leaderId || !org.people.has(unit.leaderId))
    return refuse({ code: 'unit-without-leader', unitId: unit.id });
  return { ok: true, personId: unit.leaderId };
}

export interface TaskDraft {
  title: string;
  description: string;
  assignee: Assignee;
  due: string;
  fromMessage?: Task['fromMessage'];
}

function checkText(
  field: TextField,
  text: string,
  max: number,
  required: boolean,
): TaskRefusal | undefined {
  if (required && isBlank(text)) return { code: 'empty', field };
  if ([...text].length > max) return { code: 'too-long', field, max };
  return undefined;
}

function checkDue(due: string, now: Date): TaskRefusal | undefined {
  if (!isRealDate(due)) return { code: 'bad-date' };
  const today = osloDateOf(now);
  if (due < today) return { code: 'due-in-past', today };
  return undefined;
}

/** The owner, or a member the owner allowed, creates a task in an active process or project. */
export function createTask(input: {
  org: Organisation;
  parent: TaskParent;
  actorId: string;
  draft: TaskDraft;
  ref: string;
  now: Date;
}): TaskResult {
  const { org, parent, actorId, draft, ref, now } = input;
  if (!parent.active) return refuse({ code: 'parent-not-active' });
  if (actorId !== parent.ownerId && !parent.creatorIds.includes(actorId))
    return refuse({ code: 'not-allowed-to-create' });
  const title = draft.title.trim();
  const description = draft.description.trim();
  const problem =
    checkText('title', title, TASK_LIMITS.title, true) ??
    checkText('description', description, TASK_LIMITS.description, false) ??
    checkDue(draft.due, now);
  if (problem) return refuse(problem);
  const resolved = resolveAssignee(org, draft.assignee);
  if (!resolved.ok) return resolved;
  const at = now.toISOString();
  const task: Task = {
    ref,
    rev: 1,
    title,
    description,
    parent: parent.ref,
    ownerId: parent.ownerId,
    createdBy: actorId,
    createdAt: at,
    assignee: draft.assignee,
    assigneeId: resolved.personId,
    due: draft.due,
    status: 'open',
    ...(draft.fromMessage ? { fromMessage: draft.fromMessage } : {}),
  };
  return {
    ok: true,
    task,
    event: {
      ref,
      at,
      kind: 'created',
      actorId,
      toStatus: 'open',
      targetId: resolved.personId,
    },
  };
}

/**
 * A project as the parent of tasks: its owner decides, the styringsgruppe and the project
 * members are the group, and only the owner creates tasks in it (while it is active).
 */
export function taskParentOfProject(project: Project): TaskParent {
  return {
    ref: { kind: 'project', id: project.ref },
    name: project.name,
    ownerId: project.ownerId,
    memberIds: [...new Set([...project.steeringGroup, ...project.memberIds])],
    creatorIds: [],
    active: project.status === 'active',
  };
}

/** Who sees the list of a parent's tasks: its owner, its group and the line above any of them. */
export function maySeeParentTasks(
  org: Organisation,
  parent: Pick<TaskParent, 'ownerId' | 'memberIds'>,
  actorId: string,
): boolean {
  const insiders = [parent.ownerId, ...parent.memberIds];
  if (insiders.includes(actorId)) return true;
  return insiders.some((id) => {
    const person = org.people.get(id);
    return person !== undefined && isInLineAbove(org, person.unitId, actorId);
  });
}

/**
 * Who sees a task: its assignee, its owner, whoever made it, the parent's group, and the line
 * above any of them ("only the owner, the group and the line above them see a process's tasks").
 */
export function mayViewTask(
  org: Organisation,
  task: Task,
  parent: Pick<TaskParent, 'ownerId' | 'memberIds'>,
  actorId: string,
): boolean {
  const insiders = new Set([
    task.assigneeId,
    task.ownerId,
    task.createdBy,
    parent.ownerId,
    ...parent.memberIds,
  ]);
  if (insiders.has(actorId)) return true;
  for (const id of insiders) {
    const person = org.people.get(id);
    if (person && person.id !== actorId && isInLineAbove(org, person.unitId, actorId)) return true;
  }
  return false;
}

export const TASK_VERBS = [
  'task.accept',
  'task.done',
  'task.block',
  'task.unblock',
  'task.handover',
  'task.handover.approve',
  'task.handover.refuse',
  'task.cancel',
] as const;
export type TaskVerb = (typeof TASK_VERBS)[number];

/** The owner decides handovers and may cancel; everything else is the assignee's. */
const OWNER_VERBS: ReadonlySet<TaskVerb> = new Set([
  'task.handover.approve',
  'task.handover.refuse',
  'task.cancel',
]);

/** Which statuses each verb may start from. */
const FROM: Record<TaskVerb, readonly TaskStatus[]> = {
  'task.accept': ['open'],
  'task.done': ['open', 'accepted', 'blocked'],
  'task.block': ['open', 'accepted'],
  'task.unblock': ['blocked'],
  'task.handover': ['open', 'accepted', 'blocked'],
  'task.handover.approve': ['handover_requested'],
  'task.handover.refuse': ['handover_requested'],
  'task.cancel': ['open', 'accepted', 'blocked', 'handover_requested'],
};

/** May this person press this verb on this task (before looking at its status)? */
export function mayActOnTask(task: Task, verb: TaskVerb, actorId: string): boolean {
  return OWNER_VERBS.has(verb) ? actorId === task.ownerId : actorId === task.assigneeId;
}

export interface TaskInput {
  /** Done note, blocked reason, handover reason, refusal comment. */
  text?: string;
  /** For task.handover (a suggestion) and task.handover.approve (the new assignee). */
  assignee?: Assignee;
}

/** One verb applied to a task by an actor at a time: the new task and its event, or why not. */
export function decideTask(input: {
  org: Organisation;
  task: Task;
  verb: TaskVerb;
  actorId: string;
  data: TaskInput;
  now: Date;
}): TaskResult {
  const { org, task, verb, actorId, data, now } = input;
  if (!mayActOnTask(task, verb, actorId)) return refuse({ code: 'not-allowed' });
  if (!FROM[verb].includes(task.status))
    return refuse({ code: 'wrong-status', status: task.status });
  const text = (data.text ?? '').trim();
  const step = stepFor(org, task, verb, text, data.assignee);
  if ('refusal' in step) return refuse(step.refusal);
  const after: Task = { ...task, ...step.changes, rev: task.rev + 1 };
  for (const key of step.clear ?? []) delete after[key];
  return {
    ok: true,
    task: after,
    event: {
      ref: task.ref,
      at: now.toISOString(),
      kind: step.kind,
      actorId,
      fromStatus: task.status,
      toStatus: after.status,
      ...(step.targetId ? { targetId: step.targetId } : {}),
      ...(text ? { note: text } : {}),
    },
  };
}

interface Step {
  kind: TaskEventKind;
  changes: Partial<Task>;
  clear?: ('handover' | 'blockedReason')[];
  targetId?: string;
}

function stepFor(
  org: Organisation,
  task: Task,
  verb: TaskVerb,
  text: string,
  assignee: Assignee | undefined,
): Step | { refusal: TaskRefusal } {
  const textProblem = (field: 'note' | 'reason', required: boolean) =>
    checkText(field, text, TASK_LIMITS.note, required);
  switch (verb) {
    case 'task.accept':
      return { kind: 'accepted', changes: { status: 'accepted' } };
    case 'task.done': {
      const problem = textProblem('note', true);
      if (problem) return { refusal: problem };
      return {
        kind: 'done',
        changes: { status: 'done', doneNote: text },
        clear: ['blockedReason'],
      };
    }
    case 'task.block': {
      const problem = textProblem('reason', true);
      if (problem) return { refusal: problem };
      return { kind: 'blocked', changes: { status: 'blocked', blockedReason: text } };
    }
    case 'task.unblock':
      return { kind: 'unblocked', changes: { status: 'accepted' }, clear: ['blockedReason'] };
    case 'task.handover':
      return handoverRequest(org, task, text, assignee);
    case 'task.handover.approve':
      return handoverApproval(org, task, assignee ?? suggestedAssignee(task));
    case 'task.handover.refuse': {
      const problem = textProblem('reason', true);
      if (problem) return { refusal: problem };
      return {
        kind: 'handover_refused',
        changes: { status: task.handover?.fromStatus ?? 'open' },
        clear: ['handover'],
      };
    }
    case 'task.cancel': {
      const problem = textProblem('reason', true);
      if (problem) return { refusal: problem };
      return { kind: 'cancelled', changes: { status: 'cancelled' }, clear: ['handover'] };
    }
  }
}

function handoverRequest(
  org: Organisation,
  task: Task,
  reason: string,
  suggestion: Assignee | undefined,
): Step | { refusal: TaskRefusal } {
  const problem = checkText('reason', reason, TASK_LIMITS.note, true);
  if (problem) return { refusal: problem };
  let suggestedId: string | undefined;
  if (suggestion) {
    const resolved = resolveAssignee(org, suggestion);
    if (!resolved.ok) return { refusal: resolved.refusal };
    if (resolved.personId === task.assigneeId) return { refusal: { code: 'same-assignee' } };
    suggestedId = resolved.personId;
  }
  const fromStatus = task.status as NonNullable<Task['handover']>['fromStatus'];
  return {
    kind: 'handover_requested',
    changes: {
      status: 'handover_requested',
      handover: { fromStatus, reason, ...(suggestedId ? { suggestedId } : {}) },
    },
    ...(suggestedId ? { targetId: suggestedId } : {}),
  };
}

function suggestedAssignee(task: Task): Assignee | undefined {
  const id = task.handover?.suggestedId;
  return id ? { kind: 'person', personId: id } : undefined;
}

function handoverApproval(
  org: Organisation,
  task: Task,
  assignee: Assignee | undefined,
): Step | { refusal: TaskRefusal } {
  if (!assignee) return { refusal: { code: 'unknown-person' } };
  const resolved = resolveAssignee(org, assignee);
  if (!resolved.ok) return { refusal: resolved.refusal };
  if (resolved.personId === task.assigneeId) return { refusal: { code: 'same-assignee' } };
  return {
    kind: 'handed_over',
    // The new assignee starts afresh: they accept it themselves.
    changes: { status: 'open', assignee, assigneeId: resolved.personId },
    clear: ['handover', 'blockedReason'],
    targetId: resolved.personId,
  };
}

/** Overdue: still waiting for someone, and the due date (Europe/Oslo) has passed. */
export function isOverdue(task: Pick<Task, 'status' | 'due'>, today: string): boolean {
  return ACTIVE_TASK_STATUSES.has(task.status) && task.due < today;
}

/** "mine oppgaver": my active tasks by due date (then reference), overdue marked. */
export function myOpenTasks(
  tasks: readonly Task[],
  personId: string,
  today: string,
): { task: Task; overdue: boolean }[] {
  return tasks
    .filter((t) => t.assigneeId === personId && ACTIVE_TASK_STATUSES.has(t.status))
    .sort((a, b) => a.due.localeCompare(b.due) || a.ref.localeCompare(b.ref))
    .map((task) => ({ task, overdue: isOverdue(task, today) }));
}

export interface TaskProgress {
  total: number;
  done: number;
  overdue: number;
  byStatus: Record<TaskStatus, number>;
}

/** "oppgaver <prosess>": how far a process or project has come (cancelled tasks do not count). */
export function progressOf(tasks: readonly Task[], today: string): TaskProgress {
  const byStatus: Record<TaskStatus, number> = {
    open: 0,
    accepted: 0,
    blocked: 0,
    handover_requested: 0,
    done: 0,
    cancelled: 0,
  };
  let overdue = 0;
  for (const task of tasks) {
    byStatus[task.status] += 1;
    if (isOverdue(task, today)) overdue += 1;
  }
  return { total: tasks.length - byStatus.cancelled, done: byStatus.done, overdue, byStatus };
}
