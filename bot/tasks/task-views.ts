import { fill, formatDate, type Language } from '../i18n';
import { workTexts } from '../i18n/work';
import type { ActionScene } from '../kernel/card-action';
import type { CardSigner } from '../kernel/card-signing';
import { asShownText, renderCard, type Card } from '../kernel/card-templates';
import type { Organisation } from '../org/organisation';
import { osloDateOf } from '../time/working-time';
import type { Assignee, Task, TaskParent } from './task';
import { TASK_VERBS, isOverdue, mayActOnTask, type TaskVerb } from './task-rules';
import type { IndexedTask } from './task-store';

/**
 * The cards of tasks: the task card, "mine oppgaver", a process's or project's tasks, the "ny
 * oppgave" form.
 */

export const TASK_KIND = 'task';

/** What the task cards see, read once per use case. */
export interface TaskScene extends ActionScene {
  /** Oslo date of `now`. */
  today: string;
  /** The processes and projects by `<kind>:<id>`. */
  parents: ReadonlyMap<string, TaskParent>;
}

export const parentKey = (ref: { kind: string; id: string }) => `${ref.kind}:${ref.id}`;

export function taskScene(
  org: Organisation,
  parents: readonly TaskParent[],
  language: Language,
  now: Date,
): TaskScene {
  return {
    org,
    language,
    now,
    today: osloDateOf(now),
    parents: new Map(parents.map((p) => [parentKey(p.ref), p])),
  };
}

const nameOf = (org: Organisation, id: string) => org.people.get(id)?.name ?? id;

/** People to choose from (an assignee, a handover): everyone in the organisation, by name. */
export function peopleChoices(org: Organisation): { title: string; value: string }[] {
  return [...org.people.values()]
    .map((p) => ({
      title: `${p.name} (${org.units.get(p.unitId)?.name ?? p.unitId})`,
      value: p.id,
    }))
    .sort((a, b) => a.title.localeCompare(b.title, 'nb'));
}

/** Value of an assignee choice that means "the leader of unit X" (resolved by the rules). */
export const UNIT_LEADER_PREFIX = 'unit:';

/**
 * Whom a task can be for: "Leder for <enhet>" for every unit with a leader, then everyone in
 * the organisation by name.
 */
export function assigneeChoices(
  org: Organisation,
  language: Language,
): { title: string; value: string }[] {
  const leaderOf = workTexts(language).taskForm.unitLeader;
  const units = [...org.units.values()]
    .filter((u) => u.leaderId !== undefined && org.people.has(u.leaderId))
    .map((u) => ({ title: fill(leaderOf, { unit: u.name }), value: UNIT_LEADER_PREFIX + u.id }))
    .sort((a, b) => a.title.localeCompare(b.title, 'nb'));
  return [...units, ...peopleChoices(org)];
}

/** The assignee a form's choice means: `unit:<id>` is the unit's leader, anything else a person. */
export function assigneeOfChoice(value: string): Assignee {
  return value.startsWith(UNIT_LEADER_PREFIX)
    ? { kind: 'unitLeader', unitId: value.slice(UNIT_LEADER_PREFIX.length) }
    : { kind: 'person', personId: value };
}

export interface TaskShown {
  headline?: string;
  headlineColor?: 'Attention' | 'Warning' | 'Good' | 'Default';
  notice?: string;
  noticeColor?: 'Attention' | 'Warning' | 'Good';
}

/** Which buttons a viewer gets: the verbs they may press from the task's status. */
function buttons(task: Task, viewerId: string): Record<string, boolean> {
  const can = (verb: TaskVerb, statuses: Task['status'][]) =>
    mayActOnTask(task, verb, viewerId) && statuses.includes(task.status);
  return {
    accept: can('task.accept', ['open']),
    unblock: can('task.unblock', ['blocked']),
    done: can('task.done', ['open', 'accepted', 'blocked']),
    block: can('task.block', ['open', 'accepted']),
    handover: can('task.handover', ['open', 'accepted', 'blocked']),
    approve: can('task.handover.approve', ['handover_requested']),
    refuse: can('task.handover.refuse', ['handover_requested']),
  };
}

function stateText(scene: TaskScene, task: Task): string {
  const t = workTexts(scene.language).taskCard;
  if (task.status === 'done' && task.doneNote)
    return fill(t.doneText, { note: asShownText(task.doneNote) });
  if (task.status === 'blocked' && task.blockedReason)
    return fill(t.blockedText, { reason: asShownText(task.blockedReason) });
  if (task.status === 'handover_requested' && task.handover) {
    const asked = fill(t.handoverText, {
      name: nameOf(scene.org, task.assigneeId),
      reason: asShownText(task.handover.reason),
    });
    const suggested = task.handover.suggestedId
      ? `\n\n${fill(t.suggested, { name: nameOf(scene.org, task.handover.suggestedId) })}`
      : '';
    return asked + suggested;
  }
  return '';
}

export function taskCard(
  scene: TaskScene,
  task: Task,
  viewerId: string,
  options: { signer: CardSigner } & TaskShown,
): Card {
  const w = workTexts(scene.language);
  const parent = scene.parents.get(parentKey(task.parent));
  return renderCard('tasks/task', {
    t: w.taskCard,
    ref: task.ref,
    rev: task.rev,
    sig: options.signer.signAll(TASK_KIND, task.ref, task.rev, TASK_VERBS),
    can: buttons(task, viewerId),
    headline: options.headline ?? '',
    headlineColor: options.headlineColor ?? 'Default',
    title: asShownText(task.title),
    parent: parent?.name ?? task.parent.id,
    due: formatDate(task.due, scene.language),
    assignee: nameOf(scene.org, task.assigneeId),
    owner: nameOf(scene.org, task.ownerId),
    status: w.taskStatuses[task.status],
    description: asShownText(task.description),
    overdueText: isOverdue(task, scene.today)
      ? fill(w.taskCard.overdue, { date: formatDate(task.due, scene.language) })
      : '',
    stateText: stateText(scene, task),
    people: peopleChoices(scene.org),
    suggestedId: task.handover?.suggestedId ?? '',
    notice: options.notice ?? '',
    noticeColor: options.noticeColor ?? 'Attention',
  });
}

export const TASK_PAGE_SIZE = 10;

/** A list of tasks (index rows), paged; the page is clamped to what exists. */
export function taskListCard(
  scene: TaskScene,
  heading: { title: string; intro?: string; empty: string },
  tasks: readonly IndexedTask[],
  page = 1,
): Card {
  const w = workTexts(scene.language);
  const pages = Math.max(1, Math.ceil(tasks.length / TASK_PAGE_SIZE));
  const shown = Math.min(Math.max(1, Math.trunc(page) || 1), pages);
  const rows = tasks.slice((shown - 1) * TASK_PAGE_SIZE, shown * TASK_PAGE_SIZE).map((task) => {
    const overdue = isOverdue(task, scene.today);
    const parent = scene.parents.get(parentKey({ kind: task.parentKind, id: task.parentId }));
    return {
      title: asShownText(task.title),
      detail: `${task.ref} · ${parent?.name ?? task.parentId} · ${nameOf(scene.org, task.assigneeId)}`,
      due: formatDate(task.due, scene.language) + (overdue ? ` (${w.taskList.overdue})` : ''),
      dueColor: overdue ? 'Attention' : 'Default',
      status: w.taskStatuses[task.status],
    };
  });
  return renderCard('tasks/list', {
    title: heading.title,
    intro: heading.intro ?? '',
    empty: heading.empty,
    rows,
    pageText: pages > 1 ? fill(w.taskList.page, { page: shown, pages }) : '',
  });
}

export interface TaskFormValues {
  parent: string;
  title: string;
  description: string;
  assignee: string;
  due: string;
}

/** How the form is shown: in a dialog (the message action) it sends with Action.Submit. */
export interface TaskFormMode {
  dialog?: boolean;
  /** The description was filled in from a Teams message: say so above the form. */
  fromMessage?: boolean;
}

/**
 * "ny oppgave": the processes and projects the actor may create tasks in, anyone (or the leader
 * of a unit) as assignee, a due date.
 */
export function taskFormCard(
  scene: TaskScene,
  parents: readonly TaskParent[],
  formId: string,
  values: Partial<TaskFormValues> = {},
  errors: string[] = [],
  mode: TaskFormMode = {},
): Card {
  const w = workTexts(scene.language);
  return renderCard('tasks/form', {
    t: w.taskForm,
    formId,
    dialog: Boolean(mode.dialog),
    fromMessage: Boolean(mode.fromMessage),
    today: scene.today,
    parents: parents.map((p) => ({ title: p.name, value: parentKey(p.ref) })),
    people: assigneeChoices(scene.org, scene.language),
    values: {
      parent: values.parent ?? (parents.length === 1 ? parentKey(parents[0].ref) : ''),
      title: values.title ?? '',
      description: values.description ?? '',
      assignee: values.assignee ?? '',
      due: values.due ?? '',
    },
    errorsTitle: errors.length ? w.taskForm.errorsTitle : '',
    errors: errors.join('\n\n'),
  });
}
