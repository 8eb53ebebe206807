import crypto from 'node:crypto';
import { log } from '../app/log';
import { fill, strings, type Language } from '../i18n';
import { taskRefusalText, workTexts } from '../i18n/work';
import type { Actor } from '../kernel/actor';
import { CardActionPipeline, type CardActionFeature } from '../kernel/card-action';
import { stringIn } from '../kernel/card-data';
import type { CardSigner } from '../kernel/card-signing';
import { notice, type Card } from '../kernel/card-templates';
import type { Clock } from '../kernel/clock';
import { parseReference } from '../kernel/reference';
import type { Composer, Outbox, StoredMessage } from '../messaging/outbox';
import type { CopyDrawer } from '../messaging/posted-card-messages';
import type { OrgDirectory } from '../org/organisation';
import type { Process } from '../processes/process';
import { taskParentOfProcess } from '../processes/process-rules';
import type { Project } from '../projects/project';
import type { Job } from '../scheduling/scheduler';
import { nextSendTime, osloDateOf } from '../time/working-time';
import { isoWeekOf } from '../time/week';
import { afterCreate, afterTaskChange, overdueReminder, ownerDigest } from './task-messages';
import { TASK_LIMITS, TASK_PREFIX, type Task, type TaskEvent, type TaskParent } from './task';
import {
  TASK_VERBS,
  createTask,
  decideTask,
  maySeeParentTasks,
  mayViewTask,
  taskParentOfProject,
  type TaskVerb,
} from './task-rules';
import type { IndexedTask, TableTaskIndex, TaskStore } from './task-store';
import {
  TASK_KIND,
  assigneeOfChoice,
  parentKey,
  taskCard,
  taskFormCard,
  taskListCard,
  taskScene,
  type TaskFormMode,
  type TaskFormValues,
  type TaskScene,
} from './task-views';

/**
 * Tasks in Teams (issue #9): the card verbs through the kernel's card-action pipeline, the
 * "ny oppgave" form (also in a dialog, from a Teams message), "mine oppgaver" and "oppgaver
 * <prosess eller prosjekt>", the messages drawn at send time, and the overdue job (a range query
 * over the due index, never a read of every task).
 */
export interface TaskDeps {
  records: TaskStore;
  index: TableTaskIndex;
  processes: { list(): Promise<Process[]> };
  projects: { list(): Promise<Project[]> };
  org: OrgDirectory;
  outbox: Outbox;
  signer: CardSigner;
  clock: Clock;
  /** When the overdue job runs (croner, Europe/Oslo). */
  overdueCron: string;
  workingHours: { start: string; end: string };
}

export function taskFeature(deps: TaskDeps) {
  const parentsOf = async (): Promise<TaskParent[]> => {
    const [processes, projects] = await Promise.all([deps.processes.list(), deps.projects.list()]);
    return [...processes.map(taskParentOfProcess), ...projects.map(taskParentOfProject)];
  };
  const readScene = async (language: Language): Promise<TaskScene> => {
    const [{ org }, parents] = await Promise.all([deps.org.snapshot(), parentsOf()]);
    return taskScene(org, parents, language, deps.clock.now());
  };
  const noParent = { ownerId: '', memberIds: [] as string[] };
  const mayView = (scene: TaskScene, task: Task, actorId: string) =>
    mayViewTask(scene.org, task, scene.parents.get(parentKey(task.parent)) ?? noParent, actorId);

  // --- Card verbs through the kernel ---------------------------------------------------------
  const feature: CardActionFeature<Task, TaskEvent, TaskScene> = {
    kind: TASK_KIND,
    verbs: TASK_VERBS,
    records: deps.records,
    scene: (actor) => readScene(actor.language),
    // Who may press is decided per verb in decide(); here: the two people a task card acts for.
    mayAct: ({ record, actorId }) => actorId === record.assigneeId || actorId === record.ownerId,
    // The kernel's access rules see the organisation, not the group: on a refused press the
    // card is shown to the people named on it and the line above them (the group sees the task
    // through "oppgaver <prosess>").
    mayView: ({ org, record, actorId }) => mayViewTask(org, record, noParent, actorId),
    decide: ({ verb, scene, record, data, actor }) => {
      // Each ShowCard has its own input ids (the renderer wants them unique on a card).
      const personId = stringIn(data.newAssignee) || stringIn(data.suggestedId);
      const text = [data.note, data.reason, data.handoverReason, data.refuseReason]
        .map(stringIn)
        .find((v) => v !== '');
      const result = decideTask({
        org: scene.org,
        task: record,
        verb: verb as TaskVerb,
        actorId: actor.id,
        data: {
          text: text ?? '',
          ...(personId ? { assignee: { kind: 'person', personId } } : {}),
        },
        now: scene.now,
      });
      return result.ok
        ? { ok: true, record: result.task, event: result.event }
        : { ok: false, refusal: taskRefusalText(result.refusal, scene.language) };
    },
    card: (scene, record, viewer, shown) =>
      taskCard(scene, record, viewer.id, {
        signer: deps.signer,
        notice: shown.notice,
        noticeColor: shown.noticeColor,
      }),
    messagesFor: (scene, before, after, event, source) =>
      afterTaskChange(before, after, event, scene.now, source),
  };
  const pipeline = new CardActionPipeline(feature, deps.signer);

  // --- Chat: the form, the lists -------------------------------------------------------------
  const creatable = (parents: readonly TaskParent[], actorId: string) =>
    parents.filter((p) => p.active && (p.ownerId === actorId || p.creatorIds.includes(actorId)));

  /** The form, or the clear refusal for someone who may create tasks nowhere (`ok: false`). */
  async function form(
    actor: Actor,
    prefill: Partial<TaskFormValues> = {},
    mode: TaskFormMode = {},
  ): Promise<{ ok: boolean; card: Card }> {
    const scene = await readScene(actor.language);
    const parents = creatable([...scene.parents.values()], actor.id);
    if (parents.length === 0)
      return {
        ok: false,
        card: notice(workTexts(actor.language).taskForm.noParents, '', 'Default'),
      };
    return { ok: true, card: taskFormCard(scene, parents, crypto.randomUUID(), prefill, [], mode) };
  }

  /** The form in a dialog, filled in from a Teams message ("Lag oppgave fra denne meldingen"). */
  const formFromMessage = (actor: Actor, text: string) =>
    form(actor, prefillOfMessage(text), { dialog: true, fromMessage: true });

  /**
   * "Opprett oppgave": validated by the rules; a refusal (`ok: false`) shows the form again with
   * the values and the reason. From a dialog the form stays a dialog, and a task made from a
   * Teams message remembers which message.
   */
  async function create(
    actor: Actor,
    data: Record<string, unknown>,
    options: { dialog?: boolean; fromMessage?: Task['fromMessage'] } = {},
  ): Promise<{ ok: boolean; card: Card }> {
    const scene = await readScene(actor.language);
    const values: TaskFormValues = {
      parent: stringIn(data.parent),
      title: stringIn(data.title).slice(0, 1000),
      description: stringIn(data.description).slice(0, 8000),
      assignee: stringIn(data.assignee),
      due: stringIn(data.due),
    };
    const parents = creatable([...scene.parents.values()], actor.id);
    const parent = scene.parents.get(values.parent);
    const again = (errors: string[]) => ({
      ok: false,
      card: taskFormCard(
        scene,
        parents,
        stringIn(data.formId) || crypto.randomUUID(),
        values,
        errors,
        { dialog: options.dialog },
      ),
    });
    if (!parent) return again([workTexts(actor.language).taskForm.noParents]);
    const draft = {
      title: values.title,
      description: values.description,
      assignee: assigneeOfChoice(values.assignee),
      due: values.due,
      ...(options.fromMessage ? { fromMessage: options.fromMessage } : {}),
    };
    let refusal: string | undefined;
    const task = await deps.records
      .insertTask(scene.now, (ref) => {
        const result = createTask({
          org: scene.org,
          parent,
          actorId: actor.id,
          draft,
          ref,
          now: scene.now,
        });
        if (!result.ok) {
          refusal = taskRefusalText(result.refusal, actor.language);
          throw new RefusedDraft();
        }
        const event = { ...result.event, seq: 1 };
        return { record: result.task, event, messages: afterCreate(result.task, scene.now) };
      })
      .catch((err) => {
        if (err instanceof RefusedDraft) return undefined;
        throw err;
      });
    if (!task) return again([refusal ?? '']);
    log.info(
      { ref: task.ref, parent: values.parent, fromMessage: Boolean(task.fromMessage) },
      'task created',
    );
    const name = scene.org.people.get(task.assigneeId)?.name ?? '';
    const card = taskCard(scene, task, actor.id, {
      signer: deps.signer,
      notice: fill(workTexts(actor.language).taskCard.created, { name }),
      noticeColor: 'Good',
    });
    return { ok: true, card };
  }

  const submit = async (actor: Actor, data: Record<string, unknown>) =>
    (await create(actor, data)).card;

  async function mine(actor: Actor, page = 1): Promise<Card> {
    const [scene, rows] = await Promise.all([
      readScene(actor.language),
      deps.index.ofAssignee(actor.id),
    ]);
    const w = workTexts(actor.language).taskList;
    const sorted = rows.sort((a, b) => a.due.localeCompare(b.due) || a.ref.localeCompare(b.ref));
    return taskListCard(scene, { title: w.mineTitle, empty: w.mineEmpty }, sorted, page);
  }

  /**
   * "oppgaver <prosess>" or "oppgaver <prosjekt PRO-…>": to the owner, the group (a project's
   * styringsgruppe and members) and the line above them; with progress.
   */
  async function ofProcess(actor: Actor, text: string, page = 1): Promise<Card> {
    const scene = await readScene(actor.language);
    const w = workTexts(actor.language).taskList;
    const parent = findParent(scene, text);
    if (!parent) return notice(fill(w.unknownParent, { text: text.slice(0, 40) }), '', 'Default');
    if (!maySeeParentTasks(scene.org, parent, actor.id))
      return notice(fill(w.notInGroup, { name: parent.name }), '', 'Default');
    const rows = (await deps.index.ofParent(parent.ref.kind, parent.ref.id)).sort(
      (a, b) => a.due.localeCompare(b.due) || a.ref.localeCompare(b.ref),
    );
    const counted = rows.filter((r) => r.status !== 'cancelled');
    const intro = fill(w.progress, {
      done: counted.filter((r) => r.status === 'done').length,
      total: counted.length,
      overdue: counted.filter((r) => r.status !== 'done' && r.due < scene.today).length,
    });
    const title = fill(w.parentTitle, { name: parent.name });
    return taskListCard(scene, { title, intro, empty: w.parentEmpty }, rows, page);
  }

  /** The card as this viewer may see it now ("Vis", Universal Actions refresh). */
  async function current(actor: Actor, refText: string): Promise<Card> {
    const parsed = parseReference(TASK_PREFIX, refText);
    const refusal = strings(actor.language).refusals;
    if (!parsed) return notice(fill(refusal.not_allowed_view, { ref: refText.slice(0, 20) }));
    const [scene, found] = await Promise.all([
      readScene(actor.language),
      deps.records.get(parsed.ref),
    ]);
    if (!found || !mayView(scene, found.record, actor.id))
      return notice(fill(refusal.not_allowed_view, { ref: parsed.ref }));
    return taskCard(scene, found.record, actor.id, { signer: deps.signer });
  }

  // --- Time: drawing messages, the index, overdue --------------------------------------------
  const recordOf = async (m: StoredMessage) =>
    (await deps.records.get(String(m.params.ref)))?.record;
  const personOf = (m: StoredMessage) => (m.to.kind === 'person' ? m.to.id : '');
  const headlines = (language: Language) => workTexts(language).taskCard;

  const composers: Composer[] = [
    {
      type: 'task.sync',
      async run(m) {
        const task = await recordOf(m);
        if (task) await deps.index.put(task);
      },
    },
    {
      type: 'task.card',
      async compose(m, language) {
        const task = await recordOf(m);
        if (!task) return { skip: 'gone' };
        const scene = await readScene(language);
        const why = String(m.params.why);
        const person = personOf(m);
        if (why === 'handover' && task.status !== 'handover_requested')
          return { skip: 'the handover was decided' };
        if (why !== 'handover' && task.assigneeId !== person) return { skip: 'no longer theirs' };
        const h = headlines(language);
        const headline =
          why === 'handover' ? h.handoverAsked : why === 'handed' ? h.handedToYou : h.newTask;
        return {
          card: taskCard(scene, task, person, {
            signer: deps.signer,
            headline,
            headlineColor: 'Default',
          }),
        };
      },
    },
    {
      type: 'task.notice',
      async compose(m, language) {
        const task = await recordOf(m);
        if (!task) return { skip: 'gone' };
        const scene = await readScene(language);
        const h = headlines(language);
        const what = String(m.params.what);
        const actorName = scene.org.people.get(task.assigneeId)?.name ?? '';
        const headline =
          what === 'done'
            ? fill(h.doneNotice, { name: actorName })
            : what === 'blocked'
              ? fill(h.blockedNotice, { name: actorName })
              : '';
        if (!headline) return { skip: 'nothing to say' };
        return {
          card: taskCard(scene, task, personOf(m), {
            signer: deps.signer,
            headline,
            headlineColor: 'Default',
          }),
        };
      },
    },
    {
      type: 'task.reminder',
      async compose(m, language) {
        const task = await recordOf(m);
        if (!task) return { skip: 'gone' };
        const scene = await readScene(language);
        if (!(task.due === String(m.params.due) && task.due < scene.today))
          return { skip: 'no longer overdue' };
        if (
          !['open', 'accepted', 'blocked'].includes(task.status) ||
          task.assigneeId !== personOf(m)
        )
          return { skip: 'no longer waiting for them' };
        return {
          card: taskCard(scene, task, personOf(m), {
            signer: deps.signer,
            headline: headlines(language).reminder,
            headlineColor: 'Attention',
          }),
        };
      },
    },
    {
      type: 'task.digest',
      async compose(m, language) {
        const refs = String(m.params.refs).split(',').filter(Boolean);
        const scene = await readScene(language);
        const tasks = (await Promise.all(refs.map((ref) => deps.records.get(ref))))
          .flatMap((f) => (f ? [f.record] : []))
          .filter(
            (t) =>
              t.ownerId === personOf(m) &&
              t.due < scene.today &&
              ['open', 'accepted', 'blocked', 'handover_requested'].includes(t.status),
          );
        if (tasks.length === 0) return { skip: 'nothing overdue any more' };
        const rows: IndexedTask[] = tasks.map((t) => ({
          ref: t.ref,
          rev: t.rev,
          title: t.title,
          parentKind: t.parent.kind,
          parentId: t.parent.id,
          ownerId: t.ownerId,
          assigneeId: t.assigneeId,
          due: t.due,
          status: t.status,
        }));
        const w = workTexts(language);
        return {
          card: taskListCard(scene, { title: w.taskCard.reminder, empty: '' }, rows),
        };
      },
    },
  ];

  const drawCopy: CopyDrawer = async (ref, copy, language) => {
    const found = await deps.records.get(ref);
    if (!found) return undefined;
    const scene = await readScene(language);
    if (!mayView(scene, found.record, copy.ownerId))
      return notice(fill(strings(language).refusals.not_allowed_view, { ref }), '', 'Default');
    return taskCard(scene, found.record, copy.ownerId, { signer: deps.signer });
  };

  /**
   * Daily: every task overdue today gets one reminder to its assignee (per due date); on
   * Mondays each owner gets a digest of the overdue tasks in what they own.
   */
  const overdueJob: Job = {
    name: 'tasks-overdue',
    cron: deps.overdueCron,
    async run(_scheduledAt, now) {
      const today = osloDateOf(now);
      const overdue = await deps.index.dueBefore(today);
      const sendAt = nextSendTime(now, deps.workingHours);
      const messages = overdue.map((t) => overdueReminder(t, sendAt));
      if (new Date(`${today}T12:00:00Z`).getUTCDay() === 1) {
        const byOwner = new Map<string, string[]>();
        for (const t of overdue) byOwner.set(t.ownerId, [...(byOwner.get(t.ownerId) ?? []), t.ref]);
        const week = isoWeekOf(now);
        for (const [owner, refs] of byOwner)
          messages.push(ownerDigest(owner, week, refs.slice(0, 50), sendAt));
      }
      return messages;
    },
  };

  return {
    pipeline,
    composers,
    drawCopy,
    overdueJob,
    form: async (actor: Actor) => (await form(actor)).card,
    formFromMessage,
    submit,
    create,
    mine,
    ofProcess,
    current,
  };
}

class RefusedDraft extends Error {}

/**
 * A process or project by id or reference (PRO-…) or by name, in any case; "prosjekt PRO-…" and
 * "project …" name a project.
 */
function findParent(scene: TaskScene, text: string): TaskParent | undefined {
  const lower = (s: string) => s.trim().toLocaleLowerCase('nb');
  const wanted = lower(text.replace(/^\s*(prosjekt|project)\s+/i, ''));
  if (!wanted) return undefined;
  const parents = [...scene.parents.values()];
  return (
    parents.find((p) => lower(p.ref.id) === wanted || lower(p.name) === wanted) ??
    parents.find((p) => lower(p.name).startsWith(wanted))
  );
}

/** How much of a message's first line becomes the title (the rules allow more; this reads well). */
const TITLE_FROM_MESSAGE = 80;

/** A message's plain text as a form: the first line (capped) as title, all of it as description. */
export function prefillOfMessage(text: string): Partial<TaskFormValues> {
  const lines = text
    .trim()
    .split('\n')
    .map((line) => line.trimEnd());
  const description = [...lines.join('\n')].slice(0, TASK_LIMITS.description).join('');
  const firstLine = description.split('\n').find((line) => line.trim() !== '') ?? '';
  const chars = [...firstLine.trim()];
  const title =
    chars.length > TITLE_FROM_MESSAGE
      ? `${chars.slice(0, TITLE_FROM_MESSAGE - 1).join('')}…`
      : chars.join('');
  return { title, description };
}

export type TaskFeature = ReturnType<typeof taskFeature>;
