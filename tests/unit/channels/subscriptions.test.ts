import type { Subscription } from '../../../bot/channels/ports';
import {
  choiceOf,
  followingChannels,
  matchUnits,
  maySubscribe,
  mayUnsubscribe,
  parseChoice,
  parseSubscriptionText,
  subscribableUnits,
  unitAndBelow,
} from '../../../bot/channels/subscriptions';
import { makeOrganisation, type Organisation } from '../../../bot/org/organisation';
import { DEMO_PEOPLE } from '../../support/demo-people';
import { demoOrg } from '../fixtures';

/** The pure rules of team-channel subscriptions, against the demo organisation of Heim kommune. */
const org = demoOrg();
const { per, ingrid, sofie, emil, lars, marte } = DEMO_PEOPLE;
const ids = (units: { id: string }[]) => units.map((u) => u.id);

const subscription = (unitId: string, channelId: string, teamId = 'team-a'): Subscription => ({
  topic: 'avvik',
  teamId,
  channelId,
  unitId,
  subscribedBy: ingrid.id,
  at: '2026-11-27T10:00:00.000Z',
});

describe('who may subscribe a channel to a unit', () => {
  test('the leader of the unit may', () => {
    expect(maySubscribe(org, 'sentrum-barnehage', ingrid.id)).toEqual({
      ok: true,
      unit: org.units.get('sentrum-barnehage'),
    });
  });

  test('a leader above it in the line may (the rådmann, any unit)', () => {
    for (const unitId of org.units.keys()) expect(maySubscribe(org, unitId, per.id).ok).toBe(true);
  });

  test('an employee leads nothing: not_leader, whatever the unit', () => {
    expect(maySubscribe(org, 'sentrum-barnehage', emil.id)).toEqual({
      ok: false,
      reason: 'not_leader',
    });
    expect(maySubscribe(org, 'no-such-unit', emil.id)).toEqual({
      ok: false,
      reason: 'not_leader',
    });
  });

  test('a leader role without a unit to lead (Sofie, leder in the barnehage) is not_leader too', () => {
    expect(maySubscribe(org, 'sentrum-barnehage', sofie.id)).toEqual({
      ok: false,
      reason: 'not_leader',
    });
  });

  test('the leader of another unit is outside the line', () => {
    expect(maySubscribe(org, 'sentrum-barnehage', lars.id)).toEqual({
      ok: false,
      reason: 'outside_line',
    });
    expect(maySubscribe(org, 'radmann', ingrid.id)).toEqual({
      ok: false,
      reason: 'outside_line',
    });
  });

  test('a unit that does not exist is unknown_unit for a leader', () => {
    expect(maySubscribe(org, 'no-such-unit', ingrid.id)).toEqual({
      ok: false,
      reason: 'unknown_unit',
    });
  });
});

describe('the units a person may pick', () => {
  test('what they lead and every unit below, the top first', () => {
    expect(ids(subscribableUnits(org, ingrid.id))).toEqual(['sentrum-barnehage']);
    expect(ids(subscribableUnits(org, lars.id))).toEqual(['barnevern']);
    const all = ids(subscribableUnits(org, per.id));
    expect(all[0]).toBe('radmann');
    expect([...all].sort()).toEqual([...org.units.keys()].sort());
  });

  test('nothing for an employee', () => {
    expect(subscribableUnits(org, emil.id)).toEqual([]);
  });

  test('every unit offered is one the rule allows', () => {
    for (const person of [per, ingrid, lars, marte])
      for (const unit of subscribableUnits(org, person.id))
        expect(maySubscribe(org, unit.id, person.id).ok).toBe(true);
  });

  test('a deeper line: the units below come after, by depth then name', () => {
    const deep = makeOrganisation(
      [],
      [
        { id: 'top', name: 'Top', kind: 'rådmannsnivå', leaderId: 'boss' },
        { id: 'b', name: 'Bølgen', kind: 'enhet', parentId: 'top', leaderId: 'x' },
        { id: 'a', name: 'Alfa', kind: 'enhet', parentId: 'top' },
        { id: 'a1', name: 'Avdeling 1', kind: 'enhet', parentId: 'a' },
      ],
    );
    expect(ids(subscribableUnits(deep, 'boss'))).toEqual(['top', 'a', 'b', 'a1']);
    expect(ids(unitAndBelow(deep, 'a'))).toEqual(['a', 'a1']);
    expect(ids(unitAndBelow(deep, 'nowhere'))).toEqual([]);
  });
});

describe('who may end a subscription', () => {
  const s = subscription('sentrum-barnehage', 'c1');

  test('the leader of the unit and leaders above it', () => {
    expect(mayUnsubscribe(org, s, ingrid.id)).toBe(true);
    expect(mayUnsubscribe(org, s, per.id)).toBe(true);
  });

  test('not an employee, not the leader of another unit', () => {
    expect(mayUnsubscribe(org, s, emil.id)).toBe(false);
    expect(mayUnsubscribe(org, s, lars.id)).toBe(false);
  });

  test('a subscription to the top: only the rådmann, not the leaders below', () => {
    const top = subscription('radmann', 'c1');
    expect(mayUnsubscribe(org, top, per.id)).toBe(true);
    expect(mayUnsubscribe(org, top, ingrid.id)).toBe(false);
  });

  test('a unit gone from the organisation: the one who subscribed, or any leader', () => {
    const gone = { ...subscription('nedlagt-enhet', 'c1'), subscribedBy: marte.id };
    expect(mayUnsubscribe(org, gone, marte.id)).toBe(true);
    expect(mayUnsubscribe(org, gone, lars.id)).toBe(true);
    expect(mayUnsubscribe(org, gone, emil.id)).toBe(false);
  });
});

describe('naming a unit', () => {
  test.each([
    'Sentrum barnehage',
    'sentrum barnehage',
    'SENTRUM BARNEHAGE',
    '  Sentrum   barnehage ',
    'sentrum-barnehage',
  ])('"%s" names Sentrum barnehage', (text) => {
    expect(ids(matchUnits(org, text))).toEqual(['sentrum-barnehage']);
  });

  test('the start of a word in the name is enough when it names one unit', () => {
    expect(ids(matchUnits(org, 'sentrum'))).toEqual(['sentrum-barnehage']);
    expect(ids(matchUnits(org, 'barnevern'))).toEqual(['barnevern']);
    expect(ids(matchUnits(org, 'økonomi'))).toEqual(['okonomi']);
  });

  test('an exact name wins over names that merely start the same', () => {
    const o: Organisation = makeOrganisation(
      [],
      [
        { id: 'h', name: 'Heim', kind: 'rådmannsnivå' },
        { id: 'hs', name: 'Heim skole', kind: 'enhet', parentId: 'h' },
      ],
    );
    expect(ids(matchUnits(o, 'heim'))).toEqual(['h']);
    expect(ids(matchUnits(o, 'hei'))).toEqual(['h', 'hs']);
  });

  test('no unit for unknown or empty text, and a word inside a word is no match', () => {
    expect(matchUnits(org, 'Månebasen')).toEqual([]);
    expect(matchUnits(org, '')).toEqual([]);
    expect(matchUnits(org, '   ')).toEqual([]);
    expect(matchUnits(org, 'hage')).toEqual([]);
  });
});

describe('reading the command text', () => {
  test.each([
    ['avvik Sentrum barnehage', { topic: 'avvik', unitText: 'Sentrum barnehage' }],
    ['AVVIK sentrum barnehage', { topic: 'avvik', unitText: 'sentrum barnehage' }],
    ['på avvik for Sentrum barnehage', { topic: 'avvik', unitText: 'Sentrum barnehage' }],
    ['avvik «Sentrum barnehage».', { topic: 'avvik', unitText: 'Sentrum barnehage' }],
    ['deviations Sentrum barnehage', { topic: 'avvik', unitText: 'Sentrum barnehage' }],
    ['to deviations in Heim skole', { topic: 'avvik', unitText: 'Heim skole' }],
    ['avvik', { topic: 'avvik', unitText: '' }],
    ['', { topic: undefined, unitText: '' }],
    ['Sentrum barnehage', { topic: undefined, unitText: 'Sentrum barnehage' }],
    ['for Sentrum barnehage', { topic: undefined, unitText: 'Sentrum barnehage' }],
    ['IKT', { topic: undefined, unitText: 'IKT' }],
  ])('"%s"', (text, expected) => {
    expect(parseSubscriptionText(text)).toEqual(expected);
  });

  test('the årshjul topic, in Norwegian and English ("annual cycle" is two words)', () => {
    expect(parseSubscriptionText('årshjul Sentrum barnehage')).toEqual({
      topic: 'arshjul',
      unitText: 'Sentrum barnehage',
    });
    expect(parseSubscriptionText('annual cycle for Heim skole')).toEqual({
      topic: 'arshjul',
      unitText: 'Heim skole',
    });
    expect(parseSubscriptionText('cycle Heim skole').topic).toBeUndefined();
  });
});

describe('which channels follow a unit', () => {
  const subscriptions = [
    subscription('sentrum-barnehage', 'barnehage'),
    subscription('radmann', 'ledelse'),
    subscription('heim-skole', 'skole'),
    // The same channel subscribed twice along the line: it hears once.
    subscription('sentrum-barnehage', 'ledelse'),
    subscription('sentrum-barnehage', 'barnehage', 'team-b'),
  ];

  test('subscribed to the unit or a unit above it, each channel once', () => {
    expect(followingChannels(subscriptions, org, 'sentrum-barnehage')).toEqual([
      { teamId: 'team-a', channelId: 'barnehage' },
      { teamId: 'team-a', channelId: 'ledelse' },
      { teamId: 'team-b', channelId: 'barnehage' },
    ]);
  });

  test('not a unit beside it or below it', () => {
    expect(followingChannels(subscriptions, org, 'heim-skole')).toEqual([
      { teamId: 'team-a', channelId: 'ledelse' },
      { teamId: 'team-a', channelId: 'skole' },
    ]);
    expect(followingChannels(subscriptions, org, 'radmann')).toEqual([
      { teamId: 'team-a', channelId: 'ledelse' },
    ]);
  });

  test('a unit not in the organisation is followed only by its own subscribers', () => {
    expect(followingChannels([subscription('ny', 'x')], org, 'ny')).toEqual([
      { teamId: 'team-a', channelId: 'x' },
    ]);
    expect(followingChannels(subscriptions, org, 'ny')).toEqual([]);
  });
});

describe('a subscription as a card choice', () => {
  test('round trip, also for unit ids with a colon', () => {
    expect(parseChoice(choiceOf({ topic: 'avvik', unitId: 'sentrum-barnehage' }))).toEqual({
      topic: 'avvik',
      unitId: 'sentrum-barnehage',
    });
    expect(parseChoice(choiceOf({ topic: 'arshjul', unitId: 'a:b' }))).toEqual({
      topic: 'arshjul',
      unitId: 'a:b',
    });
  });

  test.each(['', 'avvik', 'avvik:', ':x', 'ukjent:x', 'x'])('"%s" is no choice', (value) => {
    expect(parseChoice(value)).toBeUndefined();
  });
});
