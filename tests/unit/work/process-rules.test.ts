import {
  anchor,
  anchorersFor,
  answerMeasure,
  decideEscalation,
  decideMeasure,
  decideRelease,
  escalateMeasure,
  initialStatus,
  nominate,
  releaserFor,
  taskParentOfProcess,
} from '../../../bot/processes/process-rules';
import type { Process } from '../../../bot/processes/process';
import { DEMO_PEOPLE } from '../../support/demo-people';
import { demoOrg } from '../../support/demo-org';

const org = demoOrg();
const { ingrid, marte, emil, sofie, per, lars, nina } = DEMO_PEOPLE;
const silje = '7c1a2b3d-0001-4a10-9c01-000000000102';
const tone = '7c1a2b3d-0001-4a10-9c01-000000000403';
const NOW = new Date('2027-03-10T09:00:00Z');

function process(over: Partial<Process> = {}): Process {
  return {
    ref: 'aldersvennlig-samfunn',
    rev: 1,
    name: { nb: 'Aldersvennlig samfunn', en: 'Age-friendly community' },
    ownerId: silje,
    commissionerId: per.id,
    mandate: 'Gjøre Heim til et godt sted å bli gammel',
    goals: ['Flere møteplasser', 'Universell utforming'],
    status: 'active',
    members: [],
    nominations: [],
    creatorIds: [],
    measures: [],
    ...over,
  };
}

function ok<T extends { ok: boolean }>(r: T): Extract<T, { ok: true }> {
  if (!r.ok) throw new Error(JSON.stringify(r));
  return r as Extract<T, { ok: true }>;
}

describe('anchoring at rådmannsnivå', () => {
  test('a process owned at unit level starts as a draft; one owned at rådmannsnivå does not', () => {
    expect(initialStatus(org, { ownerId: silje })).toBe('draft');
    expect(initialStatus(org, { ownerId: nina.id })).toBe('draft');
    expect(initialStatus(org, { ownerId: '00000000-0000-0000-0000-0000000000023' })).toBe('active');
  });

  test('the rådmann (here the line above every unit) confirms; nobody else', () => {
    expect(anchorersFor(org, { ownerId: silje }).map((p) => p.id)).toEqual([per.id]);
    const draft = process({ status: 'draft' });
    for (const actorId of [silje, ingrid.id, lars.id])
      expect(anchor({ org, process: draft, actorId, now: NOW })).toEqual({
        ok: false,
        refusal: { code: 'not-anchorer' },
      });
    const r = ok(anchor({ org, process: draft, actorId: per.id, now: NOW }));
    expect(r.process).toMatchObject({ status: 'active', anchoredBy: per.id, rev: 2 });
    expect(r.event).toMatchObject({ kind: 'anchored', fromStatus: 'draft', toStatus: 'active' });
    expect(anchor({ org, process: r.process, actorId: per.id, now: NOW })).toEqual({
      ok: false,
      refusal: { code: 'already-anchored' },
    });
  });

  test("a kommunalsjef who leads a unit in the owner's line may anchor, nearest first", () => {
    const ola = '00000000-0000-0000-0000-0000000000023';
    const json = { ...org, units: new Map(org.units) };
    json.units.set('oppvekst', {
      id: 'oppvekst',
      name: 'Oppvekst',
      kind: 'rådmannsnivå',
      parentId: 'radmann',
      leaderId: ola,
    });
    json.units.set('helse-og-mestring', {
      ...org.units.get('helse-og-mestring')!,
      parentId: 'oppvekst',
    });
    expect(anchorersFor(json, { ownerId: silje }).map((p) => p.id)).toEqual([ola, per.id]);
  });

  test('a draft process takes no measures and no tasks', () => {
    const draft = process({ status: 'draft' });
    expect(
      decideMeasure({
        org,
        process: draft,
        actorId: silje,
        text: 'x',
        unitIds: ['heim-skole'],
        now: NOW,
      }),
    ).toEqual({ ok: false, refusal: { code: 'draft' } });
    expect(taskParentOfProcess(draft).active).toBe(false);
  });
});

describe('release of staff (avse personell)', () => {
  test("the nominee's own leader releases; a unit leader is released by the leader above", () => {
    expect(releaserFor(org, silje, org.people.get(emil.id)!)).toBe(ingrid.id);
    expect(releaserFor(org, silje, org.people.get(ingrid.id)!)).toBe(per.id);
    // The owner's own staff join at once.
    expect(releaserFor(org, silje, org.people.get(tone)!)).toBeUndefined();
  });

  test("the owner's own employee joins at once; another unit's employee waits for release", () => {
    let p = ok(
      nominate({ org, process: process(), actorId: silje, nomineeId: tone, now: NOW }),
    ).process;
    expect(p.members.map((m) => m.personId)).toEqual([tone]);
    const r = ok(nominate({ org, process: p, actorId: silje, nomineeId: emil.id, now: NOW }));
    expect(r.event).toMatchObject({ kind: 'nominated', targetId: emil.id });
    p = r.process;
    expect(p.nominations).toEqual([
      expect.objectContaining({ personId: emil.id, releaserId: ingrid.id, status: 'pending' }),
    ]);
    expect(p.members.map((m) => m.personId)).toEqual([tone]);
  });

  test('released with a share of time: membership starts; declined needs a reason', () => {
    const p = ok(
      nominate({ org, process: process(), actorId: silje, nomineeId: emil.id, now: NOW }),
    ).process;
    expect(
      decideRelease({
        org,
        process: p,
        actorId: ingrid.id,
        nomineeId: emil.id,
        release: false,
        now: NOW,
      }),
    ).toEqual({
      ok: false,
      refusal: { code: 'comment-required' },
    });
    expect(
      decideRelease({
        org,
        process: p,
        actorId: ingrid.id,
        nomineeId: emil.id,
        release: true,
        sharePercent: 0,
        now: NOW,
      }),
    ).toEqual({
      ok: false,
      refusal: { code: 'bad-share' },
    });
    const released = ok(
      decideRelease({
        org,
        process: p,
        actorId: ingrid.id,
        nomineeId: emil.id,
        release: true,
        sharePercent: 20,
        comment: 'Onsdager',
        now: NOW,
      }),
    );
    expect(released.process.members).toEqual([
      expect.objectContaining({ personId: emil.id, sharePercent: 20 }),
    ]);
    expect(released.process.nominations[0]).toMatchObject({
      status: 'released',
      decidedBy: ingrid.id,
    });
    const declined = ok(
      decideRelease({
        org,
        process: p,
        actorId: ingrid.id,
        nomineeId: emil.id,
        release: false,
        comment: 'Bemanning',
        now: NOW,
      }),
    );
    expect(declined.process.members).toEqual([]);
    expect(declined.event).toMatchObject({ kind: 'release_declined', note: 'Bemanning' });
  });

  test('someone who does not lead the nominee cannot decide; nor can the nominee', () => {
    const p = ok(
      nominate({ org, process: process(), actorId: silje, nomineeId: emil.id, now: NOW }),
    ).process;
    for (const actorId of [marte.id, silje, emil.id, sofie.id])
      expect(
        decideRelease({ org, process: p, actorId, nomineeId: emil.id, release: true, now: NOW }),
      ).toEqual({
        ok: false,
        refusal: { code: 'not-releaser' },
      });
    // The line above the releaser may decide (the rådmann).
    expect(
      decideRelease({
        org,
        process: p,
        actorId: per.id,
        nomineeId: emil.id,
        release: true,
        now: NOW,
      }).ok,
    ).toBe(true);
  });

  test('nominations: only the owner, only people in the organisation, never twice', () => {
    const p = ok(
      nominate({ org, process: process(), actorId: silje, nomineeId: emil.id, now: NOW }),
    ).process;
    expect(nominate({ org, process: p, actorId: silje, nomineeId: emil.id, now: NOW })).toEqual({
      ok: false,
      refusal: { code: 'already-nominated' },
    });
    expect(
      nominate({ org, process: p, actorId: ingrid.id, nomineeId: marte.id, now: NOW }),
    ).toEqual({ ok: false, refusal: { code: 'not-owner' } });
    expect(nominate({ org, process: p, actorId: silje, nomineeId: 'stranger', now: NOW })).toEqual({
      ok: false,
      refusal: { code: 'unknown-person' },
    });
    expect(nominate({ org, process: p, actorId: silje, nomineeId: silje, now: NOW })).toEqual({
      ok: false,
      refusal: { code: 'already-member' },
    });
  });
});

describe('measures for the line', () => {
  const decided = () =>
    ok(
      decideMeasure({
        org,
        process: process(),
        actorId: silje,
        text: 'Åpne skolens gymsal for seniordans',
        unitIds: ['heim-skole', 'sentrum-barnehage'],
        now: NOW,
      }),
    ).process;

  test("each affected unit's leader acknowledges or declines (with a reason), once", () => {
    let p = decided();
    expect(p.measures[0].acks).toEqual({
      'heim-skole': { status: 'pending' },
      'sentrum-barnehage': { status: 'pending' },
    });
    expect(
      answerMeasure({
        org,
        process: p,
        actorId: ingrid.id,
        number: 1,
        unitId: 'heim-skole',
        acknowledge: true,
        now: NOW,
      }),
    ).toEqual({
      ok: false,
      refusal: { code: 'not-unit-leader' },
    });
    p = ok(
      answerMeasure({
        org,
        process: p,
        actorId: marte.id,
        number: 1,
        unitId: 'heim-skole',
        acknowledge: true,
        now: NOW,
      }),
    ).process;
    expect(
      answerMeasure({
        org,
        process: p,
        actorId: marte.id,
        number: 1,
        unitId: 'heim-skole',
        acknowledge: false,
        comment: 'nei',
        now: NOW,
      }),
    ).toEqual({
      ok: false,
      refusal: { code: 'already-answered' },
    });
    expect(
      answerMeasure({
        org,
        process: p,
        actorId: ingrid.id,
        number: 1,
        unitId: 'sentrum-barnehage',
        acknowledge: false,
        now: NOW,
      }),
    ).toEqual({
      ok: false,
      refusal: { code: 'comment-required' },
    });
    p = ok(
      answerMeasure({
        org,
        process: p,
        actorId: ingrid.id,
        number: 1,
        unitId: 'sentrum-barnehage',
        acknowledge: false,
        comment: 'Ingen kapasitet',
        now: NOW,
      }),
    ).process;
    expect(p.measures[0].acks['sentrum-barnehage']).toMatchObject({
      status: 'declined',
      comment: 'Ingen kapasitet',
    });
  });

  test('a declined measure goes to the rådmann once, and only the rådmann decides it', () => {
    let p = decided();
    expect(escalateMeasure({ process: p, actorId: silje, number: 1, now: NOW })).toEqual({
      ok: false,
      refusal: { code: 'nothing-declined' },
    });
    p = ok(
      answerMeasure({
        org,
        process: p,
        actorId: ingrid.id,
        number: 1,
        unitId: 'sentrum-barnehage',
        acknowledge: false,
        comment: 'Nei',
        now: NOW,
      }),
    ).process;
    expect(escalateMeasure({ process: p, actorId: ingrid.id, number: 1, now: NOW })).toEqual({
      ok: false,
      refusal: { code: 'not-owner' },
    });
    p = ok(escalateMeasure({ process: p, actorId: silje, number: 1, now: NOW })).process;
    expect(escalateMeasure({ process: p, actorId: silje, number: 1, now: NOW })).toEqual({
      ok: false,
      refusal: { code: 'already-escalated' },
    });
    expect(
      decideEscalation({ org, process: p, actorId: silje, number: 1, uphold: true, now: NOW }),
    ).toEqual({ ok: false, refusal: { code: 'not-radmann' } });
    const r = ok(
      decideEscalation({
        org,
        process: p,
        actorId: per.id,
        number: 1,
        uphold: true,
        comment: 'Tiltaket står',
        now: NOW,
      }),
    );
    expect(r.process.measures[0].escalation).toMatchObject({ decision: 'upheld', byId: per.id });
    expect(
      decideEscalation({
        org,
        process: r.process,
        actorId: per.id,
        number: 1,
        uphold: false,
        now: NOW,
      }),
    ).toEqual({
      ok: false,
      refusal: { code: 'already-answered' },
    });
  });

  test('a measure names known units', () => {
    expect(
      decideMeasure({ org, process: process(), actorId: silje, text: 'x', unitIds: [], now: NOW }),
    ).toEqual({ ok: false, refusal: { code: 'no-units' } });
    expect(
      decideMeasure({
        org,
        process: process(),
        actorId: silje,
        text: 'x',
        unitIds: ['nope'],
        now: NOW,
      }),
    ).toEqual({
      ok: false,
      refusal: { code: 'unknown-unit', unitId: 'nope' },
    });
  });
});

test('a process as a task parent: members are the group; only when active', () => {
  const p = process({
    members: [{ personId: ingrid.id, since: '2027-01-01T00:00:00Z' }],
    creatorIds: [ingrid.id],
  });
  expect(taskParentOfProcess(p)).toEqual({
    ref: { kind: 'process', id: 'aldersvennlig-samfunn' },
    name: 'Aldersvennlig samfunn',
    ownerId: silje,
    memberIds: [ingrid.id],
    creatorIds: [ingrid.id],
    active: true,
  });
});
