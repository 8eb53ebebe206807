import {
  assignableLeaders,
  mayHandle,
  mayKnowReporter,
  mayView,
} from '../../bot/deviations/deviation-access';
import {
  isInLineAbove,
  leaderAbove,
  leadersInUnit,
  leadersUpTheLine,
  makeOrganisation,
  responsibleLeader,
  unitChainUp,
  unitsLedBy,
  type Person,
  type Unit,
} from '../../bot/org/organisation';
import { SAMPLE_SUGGESTION, sampleDeviation } from '../support/sample-deviation';

/*
 * A small municipality:
 *   top (rådmann)
 *   ├── enhet-a (leaderA; also leaderA2 with role 'leder'; employees empA, reporterA)
 *   │   └── avd-a1 (no leader of its own; employee empA1)
 *   └── enhet-b (leaderB; employee empB)
 */
const people: Person[] = [
  { id: 'radmann', name: 'Rita Rådmann', role: 'rådmann', unitId: 'top' },
  { id: 'leaderA', name: 'Anne Enhetsleder', role: 'enhetsleder', unitId: 'enhet-a' },
  { id: 'leaderA2', name: 'Arne Avdelingsleder', role: 'leder', unitId: 'enhet-a' },
  { id: 'empA', name: 'Eva Ansatt', role: 'ansatt', unitId: 'enhet-a' },
  { id: 'reporterA', name: 'Rolf Melder', role: 'ansatt', unitId: 'enhet-a' },
  { id: 'empA1', name: 'Ida Ansatt', role: 'ansatt', unitId: 'avd-a1' },
  { id: 'leaderB', name: 'Bjørn Enhetsleder', role: 'enhetsleder', unitId: 'enhet-b' },
  { id: 'empB', name: 'Berit Ansatt', role: 'ansatt', unitId: 'enhet-b' },
];
const units: Unit[] = [
  { id: 'top', name: 'Rådmannen', kind: 'rådmannsnivå', leaderId: 'radmann' },
  { id: 'enhet-a', name: 'Enhet A', kind: 'enhet', parentId: 'top', leaderId: 'leaderA' },
  { id: 'avd-a1', name: 'Avdeling A1', kind: 'enhet', parentId: 'enhet-a' },
  { id: 'enhet-b', name: 'Enhet B', kind: 'enhet', parentId: 'top', leaderId: 'leaderB' },
];
const org = makeOrganisation(people, units);

const inA = (overrides = {}) =>
  sampleDeviation({
    suggestion: SAMPLE_SUGGESTION,
    unitId: 'enhet-a',
    handlerId: 'leaderA',
    reporterId: 'reporterA',
    reporterName: 'Rolf Melder',
    ...overrides,
  });

const ids = (list: { id: string }[]) => list.map((x) => x.id);

describe('mayHandle: who may act on a deviation in enhet-a', () => {
  const d = inA();
  test.each([
    ['leaderA', 'the handler (unit leader)', true],
    ['radmann', 'the line above (rådmann)', true],
    ['empA', 'an employee of the unit', false],
    ['reporterA', 'the reporter (an employee)', false],
    ['leaderB', 'the leader of a sibling unit', false],
    ['empB', 'an employee of a sibling unit', false],
    ['leaderA2', 'a leader in the unit it is not assigned to', false],
    ['stranger', 'someone not in the organisation', false],
  ])('%s (%s) -> %s', (personId, _who, expected) => {
    expect(mayHandle(org, d, personId)).toBe(expected);
  });

  test('the assignee may handle once assigned', () => {
    expect(mayHandle(org, inA({ assigneeId: 'leaderA2' }), 'leaderA2')).toBe(true);
  });

  test('after escalation to the rådmann, only the rådmann handles; the unit leader still sees it', () => {
    const escalated = inA({ handlerId: 'radmann' });
    expect(mayHandle(org, escalated, 'radmann')).toBe(true);
    expect(mayHandle(org, escalated, 'leaderA')).toBe(false);
    expect(mayView(org, escalated, 'leaderA')).toBe(true);
    expect(mayHandle(org, escalated, 'leaderB')).toBe(false);
    expect(mayView(org, escalated, 'leaderB')).toBe(false);
  });

  test('in a sub-unit without its own leader, the leader of the unit above may handle', () => {
    const d1 = sampleDeviation({
      suggestion: SAMPLE_SUGGESTION,
      unitId: 'avd-a1',
      handlerId: 'leaderA',
      reporterId: 'empA1',
    });
    expect(mayHandle(org, d1, 'leaderA')).toBe(true);
    expect(mayHandle(org, d1, 'radmann')).toBe(true);
    expect(mayHandle(org, d1, 'empA1')).toBe(false);
    expect(mayHandle(org, d1, 'leaderB')).toBe(false);
  });

  test('a reporter who is the unit leader may handle as leader', () => {
    expect(mayHandle(org, inA({ reporterId: 'leaderA' }), 'leaderA')).toBe(true);
  });
});

describe('mayView', () => {
  const d = inA();
  test.each([
    ['leaderA', true],
    ['radmann', true],
    ['reporterA', true],
    ['empA', false],
    ['leaderB', false],
    ['leaderA2', false],
  ])('%s -> %s', (personId, expected) => {
    expect(mayView(org, d, personId)).toBe(expected);
  });
});

describe('mayKnowReporter', () => {
  test('an anonymous reporter is hidden from everyone but the reporter', () => {
    const d = inA({ anonymous: true });
    expect(mayKnowReporter(d, 'reporterA')).toBe(true);
    for (const viewer of ['leaderA', 'leaderA2', 'radmann', 'empA', 'leaderB'])
      expect(mayKnowReporter(d, viewer)).toBe(false);
  });

  test('a named reporter is known to the handlers', () => {
    const d = inA({ anonymous: false });
    for (const viewer of ['leaderA', 'radmann', 'reporterA'])
      expect(mayKnowReporter(d, viewer)).toBe(true);
  });
});

describe('assignableLeaders', () => {
  test('leaders in the unit except the handler holding it', () => {
    expect(ids(assignableLeaders(org, inA()))).toEqual(['leaderA2']);
  });

  test('leaders in the unit except the assignee holding it', () => {
    const list = ids(assignableLeaders(org, inA({ assigneeId: 'leaderA2' })));
    expect(list).not.toContain('leaderA2');
    expect(list).toContain('leaderA');
  });

  test('never employees, never leaders of other units', () => {
    const list = ids(assignableLeaders(org, inA()));
    for (const id of ['empA', 'reporterA', 'leaderB', 'radmann']) expect(list).not.toContain(id);
  });
});

describe('organisation: the line', () => {
  test('unitChainUp walks up to the top, nearest first', () => {
    expect(ids(unitChainUp(org, 'avd-a1'))).toEqual(['avd-a1', 'enhet-a', 'top']);
    expect(ids(unitChainUp(org, 'top'))).toEqual(['top']);
    expect(unitChainUp(org, 'no-such-unit')).toEqual([]);
  });

  test('unitChainUp stops on a cycle', () => {
    const cyclic = makeOrganisation(
      [],
      [
        { id: 'x', name: 'X', kind: 'enhet', parentId: 'y' },
        { id: 'y', name: 'Y', kind: 'enhet', parentId: 'z' },
        { id: 'z', name: 'Z', kind: 'enhet', parentId: 'x' },
      ],
    );
    expect(ids(unitChainUp(cyclic, 'x'))).toEqual(['x', 'y', 'z']);
    const selfParent = makeOrganisation([], [{ id: 's', name: 'S', kind: 'enhet', parentId: 's' }]);
    expect(ids(unitChainUp(selfParent, 's'))).toEqual(['s']);
    expect(isInLineAbove(cyclic, 'x', 'nobody')).toBe(false);
  });

  test('leadersUpTheLine lists each leader once, nearest first', () => {
    expect(ids(leadersUpTheLine(org, 'avd-a1'))).toEqual(['leaderA', 'radmann']);
  });

  test('leaderAbove', () => {
    expect(leaderAbove(org, 'enhet-a', 'leaderA')?.id).toBe('radmann');
    expect(leaderAbove(org, 'avd-a1', 'leaderA')?.id).toBe('radmann');
    expect(leaderAbove(org, 'enhet-a', 'radmann')).toBeUndefined();
    expect(leaderAbove(org, 'enhet-b', 'leaderB')?.id).toBe('radmann');
  });

  test('unitsLedBy includes the units below', () => {
    expect(ids(unitsLedBy(org, 'leaderA')).sort()).toEqual(['avd-a1', 'enhet-a']);
    expect(ids(unitsLedBy(org, 'radmann')).sort()).toEqual(['avd-a1', 'enhet-a', 'enhet-b', 'top']);
    expect(ids(unitsLedBy(org, 'leaderB'))).toEqual(['enhet-b']);
    expect(unitsLedBy(org, 'empA')).toEqual([]);
    expect(unitsLedBy(org, 'leaderA2')).toEqual([]);
  });

  test('unitsLedBy terminates on a cycle', () => {
    const cyclic = makeOrganisation(
      [],
      [
        { id: 'x', name: 'X', kind: 'enhet', parentId: 'y', leaderId: 'p' },
        { id: 'y', name: 'Y', kind: 'enhet', parentId: 'x' },
      ],
    );
    expect(ids(unitsLedBy(cyclic, 'p')).sort()).toEqual(['x', 'y']);
  });

  test('responsibleLeader is the unit leader, else the nearest leader above', () => {
    expect(responsibleLeader(org, 'enhet-a')?.id).toBe('leaderA');
    expect(responsibleLeader(org, 'avd-a1')?.id).toBe('leaderA');
    expect(responsibleLeader(org, 'top')?.id).toBe('radmann');
    const noLeaders = makeOrganisation([], [{ id: 'top', name: 'Top', kind: 'rådmannsnivå' }]);
    expect(responsibleLeader(noLeaders, 'top')).toBeUndefined();
  });

  test('leadersInUnit: the unit leader and people with a leader role in it, not employees', () => {
    expect(ids(leadersInUnit(org, 'enhet-a')).sort()).toEqual(['leaderA', 'leaderA2']);
    expect(leadersInUnit(org, 'avd-a1')).toEqual([]);
  });
});
