import {
  createTask,
  decideTask,
  isBlank,
  isOverdue,
  mayViewTask,
  myOpenTasks,
  progressOf,
  type TaskDraft,
} from '../../../bot/tasks/task-rules';
import type { Task, TaskParent } from '../../../bot/tasks/task';
import { isRealDate } from '../../../bot/time/calendar-date';
import { DEMO_PEOPLE } from '../../support/demo-people';
import { demoOrg } from '../../support/demo-org';

const org = demoOrg();
const { ingrid, marte, emil, sofie, per, lars, anders, nina } = DEMO_PEOPLE;
const silje = '7c1a2b3d-0001-4a10-9c01-000000000102';
const NOW = new Date('2027-03-10T09:00:00Z');

const parent: TaskParent = {
  ref: { kind: 'process', id: 'aldersvennlig-samfunn' },
  name: 'Aldersvennlig samfunn',
  ownerId: silje,
  memberIds: [ingrid.id, marte.id],
  creatorIds: [marte.id],
  active: true,
};

const draft = (over: Partial<TaskDraft> = {}): TaskDraft => ({
  title: 'Kartlegg møteplasser for eldre',
  description: 'Hvilke lokaler kan brukes på kveldstid?',
  assignee: { kind: 'person', personId: ingrid.id },
  due: '2027-04-01',
  ...over,
});

function made(over: Partial<TaskDraft> = {}, actorId = silje): Task {
  const result = createTask({
    org,
    parent,
    actorId,
    draft: draft(over),
    ref: 'OPG-2027-0001',
    now: NOW,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.refusal));
  return result.task;
}

function act(
  task: Task,
  verb: Parameters<typeof decideTask>[0]['verb'],
  actorId: string,
  text?: string,
  extra = {},
) {
  return decideTask({ org, task, verb, actorId, data: { text, ...extra }, now: NOW });
}

describe('creating a task', () => {
  test('the owner creates it; it is open, assigned and audited', () => {
    const result = createTask({
      org,
      parent,
      actorId: silje,
      draft: draft(),
      ref: 'OPG-2027-0001',
      now: NOW,
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.task).toMatchObject({
      status: 'open',
      assigneeId: ingrid.id,
      ownerId: silje,
      rev: 1,
    });
    expect(result.event).toMatchObject({
      kind: 'created',
      actorId: silje,
      toStatus: 'open',
      targetId: ingrid.id,
    });
  });

  test('a member the owner allowed may create; another member may not; an outsider may not', () => {
    expect(
      createTask({ org, parent, actorId: marte.id, draft: draft(), ref: 'R', now: NOW }).ok,
    ).toBe(true);
    for (const actorId of [ingrid.id, emil.id]) {
      const r = createTask({ org, parent, actorId, draft: draft(), ref: 'R', now: NOW });
      expect(r).toEqual({ ok: false, refusal: { code: 'not-allowed-to-create' } });
    }
  });

  test('"the leader of unit X" resolves to that unit\'s leader', () => {
    const task = made({ assignee: { kind: 'unitLeader', unitId: 'heim-skole' } });
    expect(task.assigneeId).toBe(marte.id);
  });

  test.each([
    [{ due: '2027-03-09' }, { code: 'due-in-past', today: '2027-03-10' }],
    [{ due: '2027-02-30' }, { code: 'bad-date' }],
    [{ due: '10.04.2027' }, { code: 'bad-date' }],
    [{ title: ' \u200b\u202e ' }, { code: 'empty', field: 'title' }],
    [{ title: 'x'.repeat(201) }, { code: 'too-long', field: 'title', max: 200 }],
    [{ description: 'x'.repeat(4001) }, { code: 'too-long', field: 'description', max: 4000 }],
    [{ assignee: { kind: 'person', personId: 'not-in-org' } }, { code: 'unknown-person' }],
    [{ assignee: { kind: 'unitLeader', unitId: 'nowhere' } }, { code: 'unknown-unit' }],
  ] as [Partial<TaskDraft>, unknown][])('bad input %j is refused: %j', (over, refusal) => {
    expect(
      createTask({ org, parent, actorId: silje, draft: draft(over), ref: 'R', now: NOW }),
    ).toEqual({
      ok: false,
      refusal,
    });
  });

  test('today is a valid due date (Europe/Oslo: 23:30 UTC on the 9th is already the 10th)', () => {
    const lateEvening = new Date('2027-03-09T23:30:00Z');
    const r = createTask({
      org,
      parent,
      actorId: silje,
      draft: draft({ due: '2027-03-10' }),
      ref: 'R',
      now: lateEvening,
    });
    expect(r.ok).toBe(true);
  });

  test('a draft (unanchored) process takes no tasks', () => {
    const r = createTask({
      org,
      parent: { ...parent, active: false },
      actorId: silje,
      draft: draft(),
      ref: 'R',
      now: NOW,
    });
    expect(r).toEqual({ ok: false, refusal: { code: 'parent-not-active' } });
  });
});

describe('the task card verbs', () => {
  test('accept, block, unblock, done: each by the assignee, each audited with its note', () => {
    let task = made();
    const steps: [Parameters<typeof act>[1], string | undefined, string][] = [
      ['task.accept', undefined, 'accepted'],
      ['task.block', 'Venter på lokaleoversikt', 'blocked'],
      ['task.unblock', undefined, 'accepted'],
      ['task.done', 'Liste sendt til gruppen', 'done'],
    ];
    for (const [verb, text, status] of steps) {
      const r = act(task, verb, ingrid.id, text);
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.task.status).toBe(status);
      expect(r.task.rev).toBe(task.rev + 1);
      if (text) expect(r.event.note).toBe(text);
      task = r.task;
    }
    expect(task.doneNote).toBe('Liste sendt til gruppen');
    expect(task.blockedReason).toBeUndefined();
  });

  test('only the assignee presses the assignee verbs; only the owner decides handovers', () => {
    const task = made();
    for (const actorId of [silje, marte.id, per.id])
      expect(act(task, 'task.accept', actorId).ok).toBe(false);
    const asked = act(task, 'task.handover', ingrid.id, 'Ferie i april');
    expect(asked.ok).toBe(true);
    if (!asked.ok) return;
    expect(
      act(asked.task, 'task.handover.approve', ingrid.id, undefined, {
        assignee: { kind: 'person', personId: marte.id },
      }),
    ).toEqual({
      ok: false,
      refusal: { code: 'not-allowed' },
    });
  });

  test('done and blocked need a visible text; zero-width text is no text', () => {
    const task = made();
    expect(act(task, 'task.done', ingrid.id, '\u200b')).toEqual({
      ok: false,
      refusal: { code: 'empty', field: 'note' },
    });
    expect(act(task, 'task.block', ingrid.id, '  ')).toEqual({
      ok: false,
      refusal: { code: 'empty', field: 'reason' },
    });
  });

  test('a verb from the wrong status is refused and names the status', () => {
    const done = act(made(), 'task.done', ingrid.id, 'Ferdig');
    if (!done.ok) throw new Error('done');
    for (const verb of ['task.accept', 'task.block', 'task.done', 'task.handover'] as const)
      expect(act(done.task, verb, ingrid.id, 'x')).toEqual({
        ok: false,
        refusal: { code: 'wrong-status', status: 'done' },
      });
  });

  test('handover: asked with a suggestion, approved by the owner to the suggested person', () => {
    const accepted = act(made(), 'task.accept', ingrid.id);
    if (!accepted.ok) throw new Error();
    const asked = act(accepted.task, 'task.handover', ingrid.id, 'Sofie kjenner lokalene', {
      assignee: { kind: 'person', personId: sofie.id },
    });
    if (!asked.ok) throw new Error(JSON.stringify(asked.refusal));
    expect(asked.task).toMatchObject({
      status: 'handover_requested',
      handover: { fromStatus: 'accepted', suggestedId: sofie.id },
    });
    const approved = act(asked.task, 'task.handover.approve', silje);
    if (!approved.ok) throw new Error(JSON.stringify(approved.refusal));
    expect(approved.task).toMatchObject({ status: 'open', assigneeId: sofie.id });
    expect(approved.task.handover).toBeUndefined();
    expect(approved.event).toMatchObject({ kind: 'handed_over', targetId: sofie.id });
  });

  test("handover refused: the task returns to the status it had, with the owner's reason", () => {
    const blocked = act(made(), 'task.block', ingrid.id, 'Mangler tilgang');
    if (!blocked.ok) throw new Error();
    const asked = act(blocked.task, 'task.handover', ingrid.id, 'Ikke min oppgave');
    if (!asked.ok) throw new Error();
    expect(act(asked.task, 'task.handover.refuse', silje, '')).toEqual({
      ok: false,
      refusal: { code: 'empty', field: 'reason' },
    });
    const refused = act(asked.task, 'task.handover.refuse', silje, 'Du er best egnet');
    if (!refused.ok) throw new Error();
    expect(refused.task.status).toBe('blocked');
    expect(refused.task.handover).toBeUndefined();
  });

  test('handing over to the same person, or to someone outside the organisation, is refused', () => {
    const asked = act(made(), 'task.handover', ingrid.id, 'Bytte');
    if (!asked.ok) throw new Error();
    expect(
      act(asked.task, 'task.handover.approve', silje, undefined, {
        assignee: { kind: 'person', personId: ingrid.id },
      }).ok,
    ).toBe(false);
    expect(
      act(asked.task, 'task.handover.approve', silje, undefined, {
        assignee: { kind: 'person', personId: 'x' },
      }),
    ).toEqual({
      ok: false,
      refusal: { code: 'unknown-person' },
    });
    expect(act(asked.task, 'task.handover.approve', silje)).toEqual({
      ok: false,
      refusal: { code: 'unknown-person' },
    });
  });
});

describe('who sees a task', () => {
  test('assignee, owner, group members and the line above them; nobody else', () => {
    const task = made({ assignee: { kind: 'person', personId: emil.id } });
    const allowed = [emil.id, silje, ingrid.id, marte.id, per.id];
    const refused = [lars.id, anders.id, nina.id, sofie.id];
    for (const id of allowed)
      expect({ id, sees: mayViewTask(org, task, parent, id) }).toEqual({ id, sees: true });
    for (const id of refused)
      expect({ id, sees: mayViewTask(org, task, parent, id) }).toEqual({ id, sees: false });
  });
});

describe('lists and overdue', () => {
  const base = made();
  const at = (
    ref: string,
    due: string,
    status: Task['status'] = 'open',
    assigneeId: string = ingrid.id,
  ): Task => ({
    ...base,
    ref,
    due,
    status,
    assigneeId,
  });

  test('overdue means still active and due before today', () => {
    expect(isOverdue(at('a', '2027-03-09'), '2027-03-10')).toBe(true);
    expect(isOverdue(at('a', '2027-03-10'), '2027-03-10')).toBe(false);
    expect(isOverdue(at('a', '2027-03-01', 'done'), '2027-03-10')).toBe(false);
    expect(isOverdue(at('a', '2027-03-01', 'cancelled'), '2027-03-10')).toBe(false);
  });

  test('"mine oppgaver": only mine, only active, by due date then reference, overdue marked', () => {
    const tasks = [
      at('OPG-2027-0003', '2027-05-01'),
      at('OPG-2027-0002', '2027-03-01', 'blocked'),
      at('OPG-2027-0001', '2027-05-01'),
      at('OPG-2027-0004', '2027-01-01', 'done'),
      at('OPG-2027-0005', '2027-01-01', 'open', marte.id),
    ];
    expect(myOpenTasks(tasks, ingrid.id, '2027-03-10').map((x) => [x.task.ref, x.overdue])).toEqual(
      [
        ['OPG-2027-0002', true],
        ['OPG-2027-0001', false],
        ['OPG-2027-0003', false],
      ],
    );
  });

  test('progress counts by status; cancelled tasks are not part of the total', () => {
    const p = progressOf(
      [
        at('1', '2027-01-01'),
        at('2', '2027-06-01', 'done'),
        at('3', '2027-06-01', 'cancelled'),
        at('4', '2027-06-01', 'accepted'),
      ],
      '2027-03-10',
    );
    expect(p).toMatchObject({ total: 3, done: 1, overdue: 1 });
    expect(p.byStatus).toMatchObject({ open: 1, done: 1, cancelled: 1, accepted: 1 });
  });
});

test('helpers: blank text and calendar dates', () => {
  expect(isBlank('\u200b\u200d\u2060\u202e\u202c \u0301')).toBe(true);
  expect(isBlank('ok')).toBe(false);
  expect(['2027-02-28', '2028-02-29'].every(isRealDate)).toBe(true);
  expect(['2027-02-29', '2027-13-01', '2027-1-01', ''].some(isRealDate)).toBe(false);
});
