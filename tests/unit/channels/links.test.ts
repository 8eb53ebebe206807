import {
  linkableTargets,
  matchTargets,
  mayLink,
  mayUnlink,
  parseTargetChoice,
  targetChoice,
  type ChannelLink,
  type LinkTarget,
} from '../../../bot/channels/links';
import { afterProjectChange } from '../../../bot/projects/project-feature';
import type { Project, ProjectEvent } from '../../../bot/projects/project';
import type { Task } from '../../../bot/tasks/task';
import { afterCreate } from '../../../bot/tasks/task-messages';
import { DEMO_PEOPLE } from '../../support/demo-people';
import { demoOrg, NOW } from '../fixtures';

/** Channel links: who may link what, the choices on the cards, and the jobs the changes store. */
const org = demoOrg();
const { per, ingrid, marte, lars } = DEMO_PEOPLE;
const target = (id: string, ownerId: string, open = true): LinkTarget => ({
  kind: 'process',
  id,
  name: id.toUpperCase(),
  ownerId,
  open,
});
const ingrids = target('aldersvennlig', ingrid.id);

describe('who may link', () => {
  test('the owner and the leaders in the line above the owner; no other leader', () => {
    expect(mayLink(org, ingrids, ingrid.id)).toBe(true);
    expect(mayLink(org, ingrids, per.id)).toBe(true);
    expect(mayLink(org, ingrids, marte.id)).toBe(false);
    expect(mayLink(org, target('x', 'someone-who-left'), per.id)).toBe(false);
  });

  test('the picker offers only open targets the person may link, processes before projects', () => {
    const all = [
      { ...target('pro', ingrid.id), kind: 'project' as const, id: 'PRO-2027-0001' },
      ingrids,
      target('closed', ingrid.id, false),
      target('lars', lars.id),
    ];
    expect(linkableTargets(org, all, ingrid.id).map(targetChoice)).toEqual([
      'process:aldersvennlig',
      'project:PRO-2027-0001',
    ]);
    expect(linkableTargets(org, all, marte.id)).toEqual([]);
  });

  test('a link to what no longer exists is removed by whoever made it', () => {
    const link: ChannelLink = {
      kind: 'process',
      id: 'gone',
      teamId: 't',
      channelId: 'c',
      linkedBy: marte.id,
      at: NOW.toISOString(),
    };
    expect(mayUnlink(org, link, undefined, marte.id)).toBe(true);
    expect(mayUnlink(org, link, undefined, per.id)).toBe(false);
    expect(mayUnlink(org, link, ingrids, marte.id)).toBe(false);
  });
});

describe('choices and names', () => {
  test.each(['', 'process', ':x', 'vedtak:V-1', 'process:'])('"%s" is no choice', (value) => {
    expect(parseTargetChoice(value)).toBeUndefined();
  });

  test('a choice round-trips, ids with colons too', () => {
    expect(parseTargetChoice('project:PRO:1')).toEqual({ kind: 'project', id: 'PRO:1' });
    expect(parseTargetChoice(targetChoice(ingrids))).toEqual({
      kind: 'process',
      id: 'aldersvennlig',
    });
  });

  test('a target is named by id or whole name, in any case', () => {
    expect(matchTargets([ingrids], ' ALDERSVENNLIG ')).toEqual([ingrids]);
    expect(matchTargets([ingrids], 'alders')).toEqual([]);
    expect(matchTargets([ingrids], '')).toEqual([]);
  });
});

describe('the jobs a change stores', () => {
  const task = (kind: 'process' | 'project' | 'vedtak'): Task => ({
    ref: 'OPG-2027-0007',
    rev: 1,
    title: 'Hemmelig tittel',
    description: 'Hemmelig beskrivelse',
    parent: { kind, id: 'aldersvennlig' },
    ownerId: ingrid.id,
    createdBy: ingrid.id,
    createdAt: NOW.toISOString(),
    assignee: { kind: 'person', personId: marte.id },
    assigneeId: marte.id,
    due: '2027-03-19',
    status: 'open',
  });
  const fanouts = (messages: { type: string }[]) =>
    messages.filter((m) => m.type === 'channel-link.fanout');

  test('a new task of a process or project fans out once, by reference only', () => {
    for (const kind of ['process', 'project'] as const) {
      const [job] = fanouts(afterCreate(task(kind), NOW));
      expect(job).toMatchObject({
        key: 'channels:task_created:OPG-2027-0007',
        to: { kind: 'job' },
        params: { kind, id: 'aldersvennlig', task: 'OPG-2027-0007' },
      });
      expect(JSON.stringify(job)).not.toMatch(/Hemmelig/);
    }
    expect(fanouts(afterCreate(task('vedtak'), NOW))).toEqual([]);
  });

  const project: Project = {
    ref: 'PRO-2027-0003',
    rev: 9,
    name: 'Velferdsteknologi',
    mandate: 'Hemmelig mandat',
    mandatedBy: per.id,
    ownerId: ingrid.id,
    steeringGroup: [marte.id, lars.id, per.id],
    quorum: { kind: 'majority' },
    phase: 'avslutning',
    status: 'closed',
    memberIds: [],
    history: [
      {
        number: 4,
        from: 'avslutning',
        to: 'closed',
        outcome: 'approved',
        decidedAt: NOW.toISOString(),
        approvals: 2,
        sendBacks: 1,
        votes: { [lars.id]: { vote: 'send_back', at: NOW.toISOString(), comment: 'Hemmelig' } },
      },
    ],
  };
  const source = { conversationId: 'c', activityId: 'a' } as never;
  const eventOf = (kind: ProjectEvent['kind']): ProjectEvent => ({
    ref: project.ref,
    seq: 9,
    at: NOW.toISOString(),
    kind,
    actorId: marte.id,
    toStatus: 'closed',
  });

  test('a closing fans out its counts and phases, never a comment or a voter', () => {
    const [job] = fanouts(afterProjectChange(project, eventOf('closed'), NOW, source));
    expect(job).toMatchObject({
      key: 'channels:closed:PRO-2027-0003:9',
      params: {
        kind: 'project',
        id: 'PRO-2027-0003',
        from: 'avslutning',
        to: 'closed',
        approvals: 2,
        sendBacks: 1,
        size: 3,
      },
    });
    expect(JSON.stringify(job)).not.toMatch(/Hemmelig|0000000000025/);
  });

  test('asking for a decision or a vote posts nothing to channels', () => {
    for (const kind of ['gate_requested', 'voted'] as const)
      expect(fanouts(afterProjectChange(project, eventOf(kind), NOW, source))).toEqual([]);
  });
});
