import { DEFAULT_QUORUM, type Project } from '../../../bot/projects/project';
import { prefillOfMessage } from '../../../bot/tasks/task-feature';
import { createTask, maySeeParentTasks, taskParentOfProject } from '../../../bot/tasks/task-rules';
import { assigneeChoices, assigneeOfChoice } from '../../../bot/tasks/task-views';
import { DEMO_PEOPLE } from '../../support/demo-people';
import { demoOrg } from '../../support/demo-org';

/**
 * Issue #9, tasks continued: a project as the parent of tasks, "the leader of unit X" as a form
 * choice, and the form filled in from a Teams message.
 */
const org = demoOrg();
const { per, ingrid, marte, lars, nina, emil, anders } = DEMO_PEOPLE;
const NOW = new Date('2027-03-10T09:00:00Z');

const project: Project = {
  ref: 'PRO-2027-0001',
  rev: 1,
  name: 'Velferdsteknologi',
  mandate: 'Digitalt tilsyn',
  mandatedBy: per.id,
  ownerId: ingrid.id,
  steeringGroup: [marte.id, lars.id],
  quorum: DEFAULT_QUORUM,
  phase: 'konsept',
  status: 'active',
  memberIds: [lars.id, nina.id],
  history: [],
};

describe('a project as the parent of tasks', () => {
  test('owner decides, styringsgruppe and members are the group (once each), nobody else creates', () => {
    expect(taskParentOfProject(project)).toEqual({
      ref: { kind: 'project', id: 'PRO-2027-0001' },
      name: 'Velferdsteknologi',
      ownerId: ingrid.id,
      memberIds: [marte.id, lars.id, nina.id],
      creatorIds: [],
      active: true,
    });
    expect(taskParentOfProject({ ...project, status: 'closed' }).active).toBe(false);
  });

  test('only the owner creates a task in it, and only while it is active', () => {
    const draft = {
      title: 'Kartlegg behov',
      description: '',
      assignee: assigneeOfChoice('unit:heim-skole'),
      due: '2027-04-01',
    };
    const make = (p: Project, actorId: string) =>
      createTask({
        org,
        parent: taskParentOfProject(p),
        actorId,
        draft,
        ref: 'OPG-2027-0001',
        now: NOW,
      });
    const made = make(project, ingrid.id);
    expect(made.ok && made.task.assigneeId).toBe(marte.id);
    expect(made.ok && made.task.parent).toEqual({ kind: 'project', id: project.ref });
    expect(make(project, marte.id)).toEqual({
      ok: false,
      refusal: { code: 'not-allowed-to-create' },
    });
    expect(make({ ...project, status: 'closed' }, ingrid.id)).toEqual({
      ok: false,
      refusal: { code: 'parent-not-active' },
    });
  });

  test("its task list: the owner, the group and the line above them; not a member's staff", () => {
    const parent = taskParentOfProject(project);
    for (const who of [ingrid, marte, nina, per])
      expect(maySeeParentTasks(org, parent, who.id)).toBe(true);
    for (const who of [emil, anders]) expect(maySeeParentTasks(org, parent, who.id)).toBe(false);
  });
});

describe('"Leder for <enhet>" as assignee', () => {
  test('every unit with a leader is offered first, then the people', () => {
    const choices = assigneeChoices(org, 'nb');
    const units = choices.filter((c) => c.value.startsWith('unit:'));
    expect(units).toHaveLength(org.units.size);
    expect(units).toContainEqual({ title: 'Leder for Heim skole', value: 'unit:heim-skole' });
    expect(choices.slice(0, units.length)).toEqual(units);
    expect(choices).toContainEqual(expect.objectContaining({ value: emil.id }));
    expect(assigneeChoices(org, 'en')).toContainEqual({
      title: 'Leader of Heim skole',
      value: 'unit:heim-skole',
    });
  });

  test('the choice maps to a unit leader or a person', () => {
    expect(assigneeOfChoice('unit:barnevern')).toEqual({ kind: 'unitLeader', unitId: 'barnevern' });
    expect(assigneeOfChoice(emil.id)).toEqual({ kind: 'person', personId: emil.id });
    expect(assigneeOfChoice('')).toEqual({ kind: 'person', personId: '' });
  });
});

describe('the form from a Teams message', () => {
  test('the first non-empty line is the title, capped at 80 characters; the whole text is the description', () => {
    expect(prefillOfMessage('  Kort melding  \n\nMer tekst  ')).toEqual({
      title: 'Kort melding',
      description: 'Kort melding\n\nMer tekst',
    });
    const long = 'æ'.repeat(100);
    const { title } = prefillOfMessage(long);
    expect([...title!]).toHaveLength(80);
    expect(title).toBe(`${'æ'.repeat(79)}…`);
    expect(prefillOfMessage('')).toEqual({ title: '', description: '' });
  });

  test('a very long message is cut to what the description allows', () => {
    expect([...prefillOfMessage('x'.repeat(5000)).description!]).toHaveLength(4000);
  });
});
