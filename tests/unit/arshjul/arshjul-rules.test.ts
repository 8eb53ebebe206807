import type { Occurrence } from '../../../bot/arshjul/arshjul';
import { occurrenceTimers, afterChange } from '../../../bot/arshjul/arshjul-messages';
import { ARSHJUL_VERBS, decide, mayActOn, mayViewWith } from '../../../bot/arshjul/arshjul-rules';
import { parseArshjulCommand, parseMonth } from '../../../bot/arshjul/arshjul-service';
import { daysUntil } from '../../../bot/arshjul/arshjul-time';
import { occurrenceCard, arshjulScene } from '../../../bot/arshjul/arshjul-views';
import { CardSigner } from '../../../bot/kernel/card-signing';
import { DEMO_PEOPLE } from '../../support/demo-people';
import { sampleOccurrence } from '../../support/sample-occurrence';
import { cardText } from '../../support/cards';
import { deepFreeze, demoOrg, NOW } from '../fixtures';

/** The årshjul's sign-off rules, its timers and messages, and its typed commands (pure). */
const org = demoOrg();
const { ingrid, per, emil, marte, nina, sofie } = DEMO_PEOPLE;
const virksomhetsplan: Occurrence = deepFreeze(sampleOccurrence());
const arsberetning: Occurrence = deepFreeze({
  ...virksomhetsplan,
  ref: 'AH-2027-arsberetning-1',
  activityId: 'arsberetning',
  unitId: undefined,
  ownerRole: 'rådmann',
  nominal: '2027-03-31',
  deadline: '2027-03-31',
});
const actor = (id: string) => ({ id, name: 'x', language: 'nb' as const, locale: 'nb-NO' });
const query = (record: Occurrence, actorId: string) => ({ org, record, actorId, now: NOW });

describe('who may sign off', () => {
  const mayAct = mayActOn();
  test('the owner (the unit leader) and the line above; not an employee, not another unit leader', () => {
    expect(mayAct(query(virksomhetsplan, ingrid.id))).toBe(true);
    expect(mayAct(query(virksomhetsplan, per.id))).toBe(true);
    expect(mayAct(query(virksomhetsplan, emil.id))).toBe(false);
    expect(mayAct(query(virksomhetsplan, marte.id))).toBe(false);
    expect(mayAct(query(virksomhetsplan, sofie.id))).toBe(false);
  });
  test('a role-owned occurrence: the rådmann; nobody above the top', () => {
    expect(mayAct(query(arsberetning, per.id))).toBe(true);
    expect(mayAct(query(arsberetning, nina.id))).toBe(false);
  });
  test('delegations plug in as extra rules (a person the owner delegates to)', () => {
    const delegated = mayActOn([
      (q) => q.actorId === sofie.id && q.record.unitId === 'sentrum-barnehage',
    ]);
    expect(delegated(query(virksomhetsplan, sofie.id))).toBe(true);
    expect(delegated(query(arsberetning, sofie.id))).toBe(false);
  });
  test('the people of the unit may see the card; people of other units may not', () => {
    const mayView = mayViewWith(mayAct);
    expect(mayView(query(virksomhetsplan, emil.id))).toBe(true);
    expect(mayView(query(virksomhetsplan, marte.id))).toBe(false);
  });
});

describe('Utført and Trenger hjelp', () => {
  const input = (verb: string, data: Record<string, unknown> = {}, record = virksomhetsplan) => ({
    verb,
    record,
    data,
    actor: actor(ingrid.id),
    actionId: 'a1',
    now: NOW,
    language: 'nb' as const,
  });
  test('Utført signs off with who, when and the note (trimmed, control characters out, capped)', () => {
    const d = decide(input(ARSHJUL_VERBS.done, { note: '  Vedtatt\u0000 i møte  ' }));
    if (!d.ok) throw new Error(d.refusal);
    expect(d.record).toMatchObject({
      status: 'done',
      doneBy: ingrid.id,
      doneAt: NOW.toISOString(),
      doneNote: 'Vedtatt i møte',
      rev: 2,
      lastActionId: 'a1',
    });
    expect(d.event).toMatchObject({ kind: 'done', fromStatus: 'open', toStatus: 'done' });
    const long = decide(input(ARSHJUL_VERBS.done, { note: 'x'.repeat(5000) }));
    expect(long.ok && long.record.doneNote?.length).toBe(500);
    const none = decide(input(ARSHJUL_VERBS.done, { note: 42 }));
    expect(none.ok && none.record.doneNote).toBeUndefined();
  });
  test('an occurrence already done is refused with the date; nothing changes', () => {
    const done = { ...virksomhetsplan, status: 'done' as const, doneAt: '2027-01-20T10:00:00Z' };
    const d = decide(input(ARSHJUL_VERBS.done, {}, done));
    expect(d).toEqual({ ok: false, refusal: expect.stringContaining('2027-01-20') });
    expect(decide(input(ARSHJUL_VERBS.help, { helpText: 'x' }, done)).ok).toBe(false);
  });
  test('Trenger hjelp needs a text; it keeps the occurrence open and counts the request', () => {
    expect(decide(input(ARSHJUL_VERBS.help, { helpText: '  ' })).ok).toBe(false);
    const d = decide(input(ARSHJUL_VERBS.help, { helpText: 'Trenger mal' }));
    if (!d.ok) throw new Error(d.refusal);
    expect(d.record).toMatchObject({ status: 'open', helpCount: 1, rev: 2 });
    expect(d.event).toMatchObject({ kind: 'help', note: 'Trenger mal' });
  });
  test('an unknown verb is refused', () => {
    expect(decide(input('arshjul.delete')).ok).toBe(false);
  });
});

describe('timers and messages', () => {
  const settings = {
    escalateWorkingDays: 5,
    workingHours: { start: '08:00', end: '16:00' },
  };
  test('a reminder at each lead time and on the day at 08:00 Oslo, the escalation 5 working days after', () => {
    const timers = occurrenceTimers(virksomhetsplan, { leadDays: [30, 7, 1] }, settings);
    expect(timers.map((t) => [t.name, t.dueAt])).toEqual([
      ['remind-30|2027-02-01', '2027-01-02T07:00:00.000Z'],
      ['remind-7|2027-02-01', '2027-01-25T07:00:00.000Z'],
      ['remind-1|2027-02-01', '2027-01-31T07:00:00.000Z'],
      ['due|2027-02-01', '2027-02-01T07:00:00.000Z'],
      ['escalate|2027-02-01', '2027-02-08T07:00:00.000Z'],
    ]);
    expect(occurrenceTimers({ ...virksomhetsplan, status: 'done' }, undefined, settings)).toEqual(
      [],
    );
  });
  test('help goes to the leader above the asker; the audience hears of a sign-off, the presser does not', () => {
    const help = afterChange(
      org,
      undefined,
      { ...virksomhetsplan, rev: 2 },
      {
        ref: virksomhetsplan.ref,
        seq: 2,
        at: NOW.toISOString(),
        kind: 'help',
        actorId: ingrid.id,
        toStatus: 'open',
        note: 'x',
      },
      NOW,
    );
    expect(help.filter((m) => m.type === 'arshjul.help').map((m) => m.to)).toEqual([
      { kind: 'person', id: per.id },
    ]);
    const activity = {
      audience: { roles: ['rådmann' as const], channels: true },
    } as unknown as Parameters<typeof afterChange>[1];
    const signedByPer = afterChange(
      org,
      activity,
      { ...virksomhetsplan, rev: 2, status: 'done' },
      {
        ref: virksomhetsplan.ref,
        seq: 2,
        at: NOW.toISOString(),
        kind: 'done',
        actorId: per.id,
        toStatus: 'done',
      },
      NOW,
    );
    expect(signedByPer.map((m) => m.type).sort()).toEqual([
      'arshjul.channels',
      'arshjul.sync',
      'posted.copies',
    ]);
  });
});

test('days until a deadline, in Oslo calendar days, across the summer-time change', () => {
  expect(daysUntil('2027-01-25', '2027-02-01')).toBe(7);
  expect(daysUntil('2027-02-01', '2027-02-01')).toBe(0);
  expect(daysUntil('2027-01-25', '2026-12-15')).toBe(-41);
  expect(daysUntil('2027-03-27', '2027-03-29')).toBe(2);
});

describe('typed commands', () => {
  test.each([
    ['årshjul', { kind: 'month', arg: '' }],
    ['Årshjul mars', { kind: 'month', arg: 'mars' }],
    ['arshjul 2027-03', { kind: 'month', arg: '2027-03' }],
    ['annual cycle March', { kind: 'month', arg: 'march' }],
    ['årshjul kalender', { kind: 'calendar' }],
    ['årshjul status 2027', { kind: 'status', arg: '2027' }],
    ['mine frister', { kind: 'mine' }],
    ['My deadlines.', { kind: 'mine' }],
  ])('%s', (text, command) => {
    expect(parseArshjulCommand(text)).toEqual(command);
  });
  test.each(['meld avvik', 'årshjulsmøte', 'mine frister nå', '', 'årshjul ' + 'x'.repeat(300)])(
    'not a command: %s',
    (text) => {
      expect(parseArshjulCommand(text)).toBeUndefined();
    },
  );
  test('months by name, number or ISO; without a year, the next time the month comes', () => {
    expect(parseMonth('mars', '2026-11-29')).toEqual({ year: 2027, month: 3 });
    expect(parseMonth('november', '2026-11-29')).toEqual({ year: 2026, month: 11 });
    expect(parseMonth('des', '2026-11-29')).toEqual({ year: 2026, month: 12 });
    expect(parseMonth('march 2028', '2026-11-29')).toEqual({ year: 2028, month: 3 });
    expect(parseMonth('2027-13', '2026-11-29')).toBeUndefined();
    expect(parseMonth('blåbær', '2026-11-29')).toBeUndefined();
    expect(parseMonth('ma', '2026-11-29')).toBeUndefined();
  });
});

test('user text on the card stays literal: no template runs, no disguised link', () => {
  const scene = arshjulScene(org, undefined, 'nb', NOW);
  const card = occurrenceCard(
    scene,
    {
      ...virksomhetsplan,
      status: 'done',
      doneAt: NOW.toISOString(),
      doneBy: ingrid.id,
      doneNote: '${1+1} [klikk](https://evil.example)',
    },
    { signer: new CardSigner('s'.repeat(40)), mayAct: true, helpText: '${t.doneButton}' },
  );
  const text = cardText(card);
  expect(text).toContain('${1+1}');
  expect(text).toContain('${t.doneButton}');
  expect(text).not.toContain('](https://evil.example)');
});
