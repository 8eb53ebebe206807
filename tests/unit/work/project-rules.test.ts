import fc from 'fast-check';
import {
  approvalsNeeded,
  castVote,
  checkQuorum,
  requestGate,
  tally,
} from '../../../bot/projects/project-rules';
import type { Project, Quorum, Vote } from '../../../bot/projects/project';

const NOW = new Date('2027-03-10T09:00:00Z');
const OWNER = 'owner';
const GROUP = ['a', 'b', 'c', 'd', 'e'];

function project(over: Partial<Project> = {}): Project {
  return {
    ref: 'PRO-2027-0001',
    rev: 1,
    name: 'Velferdsteknologi',
    mandate: 'Innføre digitalt tilsyn',
    mandatedBy: 'radmann',
    ownerId: OWNER,
    steeringGroup: GROUP,
    quorum: { kind: 'majority' },
    phase: 'konsept',
    status: 'active',
    memberIds: [],
    history: [],
    ...over,
  };
}

function ok<T extends { ok: boolean }>(r: T): Extract<T, { ok: true }> {
  if (!r.ok) throw new Error(JSON.stringify(r));
  return r as Extract<T, { ok: true }>;
}

function withGate(over: Partial<Project> = {}): Project {
  return ok(requestGate({ project: project(over), actorId: OWNER, now: NOW })).project;
}

const vote = (
  p: Project,
  actorId: string,
  v: Vote,
  comment?: string,
  gateNumber = p.gate?.number ?? 1,
) => castVote({ project: p, actorId, gateNumber, vote: v, comment, now: NOW });

describe('quorum', () => {
  test.each([
    [{ kind: 'majority' }, 5, 3],
    [{ kind: 'majority' }, 4, 3],
    [{ kind: 'majority' }, 1, 1],
    [{ kind: 'all' }, 5, 5],
    [{ kind: 'count', count: 2 }, 5, 2],
  ] as [Quorum, number, number][])('%j of %d members needs %d approvals', (q, size, needed) => {
    expect(approvalsNeeded(q, size)).toBe(needed);
  });

  test('a count that does not fit the group, or an empty group, is refused', () => {
    expect(checkQuorum({ kind: 'count', count: 6 }, 5)).toEqual({ code: 'bad-quorum' });
    expect(checkQuorum({ kind: 'count', count: 0 }, 5)).toEqual({ code: 'bad-quorum' });
    expect(checkQuorum({ kind: 'count', count: 1.5 }, 5)).toEqual({ code: 'bad-quorum' });
    expect(checkQuorum({ kind: 'majority' }, 0)).toEqual({ code: 'bad-quorum' });
    expect(checkQuorum({ kind: 'count', count: 5 }, 5)).toBeUndefined();
  });
});

describe('a phase gate', () => {
  test('only the owner asks, one gate at a time', () => {
    expect(requestGate({ project: project(), actorId: 'a', now: NOW })).toEqual({
      ok: false,
      refusal: { code: 'not-owner' },
    });
    const p = withGate();
    expect(p.gate).toMatchObject({ number: 1, from: 'konsept', to: 'planlegging' });
    expect(requestGate({ project: p, actorId: OWNER, now: NOW })).toEqual({
      ok: false,
      refusal: { code: 'gate-pending', number: 1 },
    });
  });

  test('the majority approves: the project moves to the next phase at the deciding vote', () => {
    let p = withGate();
    p = ok(vote(p, 'a', 'approve')).project;
    const second = ok(vote(p, 'b', 'send_back', 'Mangler kostnadsanslag'));
    expect(second.event.kind).toBe('voted');
    p = second.project;
    p = ok(vote(p, 'c', 'approve')).project;
    expect(p.phase).toBe('konsept');
    const deciding = ok(vote(p, 'd', 'approve'));
    expect(deciding.event).toMatchObject({ kind: 'gate_approved', actorId: 'd' });
    expect(deciding.project.phase).toBe('planlegging');
    expect(deciding.project.gate).toBeUndefined();
    expect(deciding.project.history[0]).toMatchObject({
      outcome: 'approved',
      approvals: 3,
      sendBacks: 1,
    });
    expect(Object.keys(deciding.project.history[0].votes).sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  test('sent back as soon as the quorum can no longer be reached', () => {
    let p = withGate({ quorum: { kind: 'all' } });
    p = ok(vote(p, 'a', 'approve')).project;
    const r = ok(vote(p, 'b', 'send_back', 'Ikke forankret i linjen'));
    expect(r.event.kind).toBe('gate_sent_back');
    expect(r.project.phase).toBe('konsept');
    expect(r.project.history[0].outcome).toBe('sent_back');
    // A new gate can be asked for; it is gate 2 and the old votes do not count.
    const again = ok(requestGate({ project: r.project, actorId: OWNER, now: NOW })).project;
    expect(again.gate).toMatchObject({ number: 2, votes: {} });
  });

  test('one member, one vote; outsiders and stale cards are refused', () => {
    let p = withGate();
    p = ok(vote(p, 'a', 'approve')).project;
    expect(vote(p, 'a', 'approve')).toEqual({
      ok: false,
      refusal: { code: 'already-voted', vote: 'approve' },
    });
    expect(vote(p, 'a', 'send_back', 'angrer')).toEqual({
      ok: false,
      refusal: { code: 'already-voted', vote: 'approve' },
    });
    expect(vote(p, OWNER, 'approve')).toEqual({
      ok: false,
      refusal: { code: 'not-in-steering-group' },
    });
    expect(vote(p, 'b', 'approve', undefined, 7)).toEqual({
      ok: false,
      refusal: { code: 'stale-gate', number: 1 },
    });
    expect(vote(project(), 'b', 'approve', undefined, 1)).toEqual({
      ok: false,
      refusal: { code: 'no-gate' },
    });
  });

  test('sending back needs a comment', () => {
    expect(vote(withGate(), 'a', 'send_back', ' \u200b ')).toEqual({
      ok: false,
      refusal: { code: 'comment-required' },
    });
  });

  test('closing from avslutning needs a final report, and records where the result is realised', () => {
    const last = project({ phase: 'avslutning' });
    expect(requestGate({ project: last, actorId: OWNER, now: NOW })).toEqual({
      ok: false,
      refusal: { code: 'report-required' },
    });
    const bad = { url: 'javascript:alert(1)', summary: 'Ferdig', realisedBy: 'line' as const };
    expect(requestGate({ project: last, actorId: OWNER, now: NOW, report: bad })).toEqual({
      ok: false,
      refusal: { code: 'bad-report-url' },
    });
    const report = {
      url: 'https://heim.sharepoint.com/sluttrapport',
      summary: 'Tilsyn innført i to enheter',
      realisedBy: 'line' as const,
    };
    let p = ok(requestGate({ project: last, actorId: OWNER, now: NOW, report })).project;
    expect(p.gate?.to).toBe('closed');
    for (const id of ['a', 'b']) p = ok(vote(p, id, 'approve')).project;
    const closing = ok(vote(p, 'c', 'approve'));
    expect(closing.event.kind).toBe('closed');
    expect(closing.project).toMatchObject({ status: 'closed', finalReport: report });
    expect(vote(closing.project, 'd', 'approve', undefined, 1)).toEqual({
      ok: false,
      refusal: { code: 'closed' },
    });
  });
});

describe('properties over random votes', () => {
  const votes = fc.uniqueArray(
    fc.record({ who: fc.constantFrom(...GROUP), v: fc.constantFrom<Vote>('approve', 'send_back') }),
    {
      selector: (x) => x.who,
      minLength: 1,
      maxLength: GROUP.length,
    },
  );
  const quorum = fc.oneof(
    fc.constant<Quorum>({ kind: 'majority' }),
    fc.constant<Quorum>({ kind: 'all' }),
    fc.integer({ min: 1, max: GROUP.length }).map<Quorum>((count) => ({ kind: 'count', count })),
  );

  function run(start: Project, sequence: { who: string; v: Vote }[]): Project {
    let p = start;
    for (const { who, v } of sequence) {
      const r = vote(p, who, v, v === 'send_back' ? 'nei' : undefined, 1);
      if (!r.ok) {
        // Only a decided gate refuses a further vote of a new member.
        expect(r.refusal.code).toBe('no-gate');
        break;
      }
      p = r.project;
    }
    return p;
  }

  test('the outcome does not depend on the order the votes arrive in (two members at once)', () => {
    fc.assert(
      fc.property(quorum, votes, fc.nat(), (q, sequence, seed) => {
        const start = withGate({ quorum: q });
        const shuffled = [...sequence].sort(
          (x, y) =>
            ((x.who.charCodeAt(0) * (seed + 7)) % 11) - ((y.who.charCodeAt(0) * (seed + 7)) % 11),
        );
        const a = run(start, sequence);
        const b = run(start, shuffled);
        const outcome = (p: Project) => [p.phase, p.history[0]?.outcome ?? 'pending'];
        // Same result unless the gate settled before every vote arrived (then the order decides who got in).
        if (a.gate && b.gate) expect(tally(a)).toEqual(tally(b));
        const needed = q.kind === 'majority' ? 3 : q.kind === 'all' ? 5 : q.count;
        const approvals = sequence.filter((x) => x.v === 'approve').length;
        const sendBacks = sequence.length - approvals;
        if (approvals >= needed && GROUP.length - sendBacks >= needed) {
          // Enough approvals whichever arrive first, and send-backs can never block: approved both ways.
          expect(outcome(a)).toEqual(['planlegging', 'approved']);
          expect(outcome(b)).toEqual(['planlegging', 'approved']);
        }
        if (GROUP.length - sendBacks < needed && approvals < needed) {
          expect(outcome(a)).toEqual(['konsept', 'sent_back']);
          expect(outcome(b)).toEqual(['konsept', 'sent_back']);
        }
      }),
      { numRuns: 500 },
    );
  });

  test('a gate is never approved with fewer approvals than the quorum, and nobody is counted twice', () => {
    fc.assert(
      fc.property(
        quorum,
        fc.array(
          fc.record({
            who: fc.constantFrom(...GROUP, 'x'),
            v: fc.constantFrom<Vote>('approve', 'send_back'),
          }),
          { maxLength: 12 },
        ),
        (q, sequence) => {
          let p = withGate({ quorum: q });
          for (const { who, v } of sequence) {
            const r = vote(p, who, v, 'grunn', 1);
            if (r.ok) p = r.project;
          }
          const decided = p.history[0];
          const counted = decided ? decided.votes : (p.gate?.votes ?? {});
          expect(Object.keys(counted).every((id) => GROUP.includes(id))).toBe(true);
          if (decided?.outcome === 'approved')
            expect(decided.approvals).toBeGreaterThanOrEqual(approvalsNeeded(q, GROUP.length));
          if (decided)
            expect(decided.approvals + decided.sendBacks).toBe(Object.keys(decided.votes).length);
        },
      ),
      { numRuns: 500 },
    );
  });
});
