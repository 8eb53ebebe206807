import { linkedChannelsJob } from '../channels/link-notices';
import type { ActionSource } from '../kernel/card-action';
import type { Message } from '../messaging/outbox';
import { updateCopies } from '../messaging/posted-card-messages';
import type { Task, TaskEvent } from './task';
import { TASK_KIND } from './task-views';

/**
 * What tasks decide to send (pure), stored with the change that decided it and drawn at send
 * time by task-time.ts: the card to whoever must act next, a short notice to the owner, every
 * posted copy updated, and the index following the record.
 */
export const taskCardKey = (ref: string) => ({ kind: TASK_KIND, id: ref });

/** The index rows follow the record (a job in the record's own transaction). */
export function taskSyncMessage(task: Task, now: Date): Message {
  return {
    key: `sync:${task.rev}`,
    type: 'task.sync',
    to: { kind: 'job' },
    params: { ref: task.ref },
    dueAt: now.toISOString(),
  };
}

/** The task card to a person, remembered so that later changes update it. */
function cardTo(task: Task, personId: string, why: string, view: string, now: Date): Message {
  return {
    key: `card:${task.rev}:${personId}`,
    type: 'task.card',
    to: { kind: 'person', id: personId },
    params: { ref: task.ref, why },
    dueAt: now.toISOString(),
    remember: { card: taskCardKey(task.ref), view },
  };
}

/** A notice is the task card with a headline: remembered, so it follows later changes too. */
function noticeTo(task: Task, personId: string, what: string, now: Date): Message {
  return {
    key: `notice:${task.rev}:${personId}`,
    type: 'task.notice',
    to: { kind: 'person', id: personId },
    params: { ref: task.ref, what, rev: task.rev },
    dueAt: now.toISOString(),
    remember: { card: taskCardKey(task.ref), view: 'notice' },
  };
}

/** A new task: the assignee gets its card; channels linked to its process or project hear. */
export function afterCreate(task: Task, now: Date): Message[] {
  const messages = [
    taskSyncMessage(task, now),
    cardTo(task, task.assigneeId, 'new', 'assignee', now),
  ];
  const { kind, id } = task.parent;
  // The notice names the task by its reference only: never its title or description.
  if (kind === 'process' || kind === 'project')
    messages.push(
      linkedChannelsJob({ kind, id }, 'task_created', task.ref, now, { task: task.ref }),
    );
  return messages;
}

/** A change from a card: copies follow; the next one to act gets the card; the owner hears. */
export function afterTaskChange(
  before: Task,
  after: Task,
  event: TaskEvent,
  now: Date,
  source: ActionSource,
): Message[] {
  const messages: Message[] = [
    taskSyncMessage(after, now),
    updateCopies(taskCardKey(after.ref), after.rev, now, {
      conversationId: source.conversationId,
      activityId: source.activityId,
    }),
  ];
  const owner = after.ownerId;
  switch (event.kind) {
    case 'handover_requested':
      messages.push(cardTo(after, owner, 'handover', 'owner', now));
      break;
    case 'handed_over':
      messages.push(cardTo(after, after.assigneeId, 'handed', 'assignee', now));
      break;
    case 'done':
    case 'blocked':
      if (owner !== event.actorId) messages.push(noticeTo(after, owner, event.kind, now));
      break;
    default:
      break;
  }
  if (event.kind === 'handed_over' && before.assigneeId !== owner)
    messages.push(noticeTo(after, before.assigneeId, 'handed_away', now));
  return messages;
}

/** An overdue task's reminder to its assignee: once per due date (a new date reminds again). */
export function overdueReminder(
  task: { ref: string; due: string; assigneeId: string },
  sendAt: Date,
): Message {
  return {
    key: `task:${task.ref}:overdue:${task.due}:${task.assigneeId}`,
    type: 'task.reminder',
    to: { kind: 'person', id: task.assigneeId },
    params: { ref: task.ref, due: task.due },
    dueAt: sendAt.toISOString(),
    remember: { card: taskCardKey(task.ref), view: 'assignee' },
  };
}

/** The owner's weekly digest of overdue tasks in what they own, once per owner and week. */
export function ownerDigest(ownerId: string, week: string, refs: string[], sendAt: Date): Message {
  return {
    key: `task-digest:${ownerId}:${week}`,
    type: 'task.digest',
    to: { kind: 'person', id: ownerId },
    params: { refs: refs.join(','), week },
    dueAt: sendAt.toISOString(),
  };
}
