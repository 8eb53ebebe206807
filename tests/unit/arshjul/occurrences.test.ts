import fs from 'node:fs';
import path from 'node:path';
import type { ArshjulFile, OccurrencePlan } from '../../../bot/arshjul/arshjul';
import { parseArshjulFile } from '../../../bot/arshjul/arshjul-file';
import {
  occurrenceRef,
  ownerOf,
  ownerUnitOf,
  planOccurrences,
  reminderTimes,
} from '../../../bot/arshjul/occurrences';
import { parseOrgFile } from '../../../bot/org/org-file';
import { makeOrganisation, type Organisation } from '../../../bot/org/organisation';

const ROOT = path.join(__dirname, '../../..');
const readJson = (file: string): unknown =>
  JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8'));

function defaultFile(): ArshjulFile {
  const parsed = parseArshjulFile(readJson('bot/arshjul/demo/heim-arshjul.json'));
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return parsed.file;
}

function demoOrg(): Organisation {
  const parsed = parseOrgFile(readJson('bot/org/demo/heim-kommune.json'));
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return parsed.org;
}

const file = defaultFile();
const org = demoOrg();
const of = (plans: OccurrencePlan[], activityId: string) =>
  plans.filter((p) => p.activityId === activityId);

describe('occurrenceRef', () => {
  test('AH-<year>-<activity>-<n>, with the unit id for an occurrence per unit', () => {
    expect(occurrenceRef('arsregnskap', 2026, 1)).toBe('AH-2026-arsregnskap-1');
    expect(occurrenceRef('tertialrapport', 2026, 2)).toBe('AH-2026-tertialrapport-2');
    expect(occurrenceRef('virksomhetsplan', 2027, 1, 'heim-skole')).toBe(
      'AH-2027-virksomhetsplan-1-heim-skole',
    );
    // Unit ids are kept as they are (Azure Table keys allow them).
    expect(occurrenceRef('ros-analyse', 2026, 1, 'Helse og mestring')).toBe(
      'AH-2026-ros-analyse-1-Helse og mestring',
    );
  });
});

describe('planOccurrences for Heim in 2026', () => {
  const plans = planOccurrences(file, org, '2026-01-01', '2026-12-31');

  test('the count: 14 for roles and named units, 44 per unit (4 enheter, 5 staber)', () => {
    expect(plans).toHaveLength(58);
    expect(of(plans, 'prosessevaluering')).toHaveLength(1);
    expect(of(plans, 'tjenesterapport')).toHaveLength(4);
    expect(of(plans, 'utviklingsprosjekt')).toHaveLength(9);
    // Not in 2026: no election the year before, not a revision year.
    expect(of(plans, 'planstrategi')).toEqual([]);
    expect(of(plans, 'delegeringsreglement')).toEqual([]);
    expect(of(plans, 'kommuneplan-revisjon')).toEqual([]);
  });

  test('virksomhetsplan: one per enhet and stab, each owned by its unit’s leader', () => {
    const virksomhetsplaner = of(plans, 'virksomhetsplan');
    const expected = [...org.units.values()]
      .filter((u) => u.kind === 'enhet' || u.kind === 'stab')
      .map((u) => u.id)
      .sort();
    expect(virksomhetsplaner.map((p) => p.unitId)).toEqual(expected);
    expect(expected).toHaveLength(9);
    for (const p of virksomhetsplaner) {
      expect(p.ref).toBe(`AH-2026-virksomhetsplan-1-${p.unitId}`);
      // 31 January 2026 is a Saturday.
      expect(p).toMatchObject({
        year: 2026,
        index: 1,
        nominal: '2026-01-31',
        deadline: '2026-02-02',
      });
      expect(p.ownerRole).toBeUndefined();
      expect(ownerOf(p, org)?.id).toBe(org.units.get(p.unitId!)!.leaderId);
      expect(ownerUnitOf(p, org)).toBe(p.unitId);
    }
    const skole = virksomhetsplaner.find((p) => p.unitId === 'heim-skole')!;
    expect(ownerOf(skole, org)?.name).toBe('Marte Solberg');
    const okonomi = virksomhetsplaner.find((p) => p.unitId === 'okonomi')!;
    expect(ownerOf(okonomi, org)?.name).toBe('Nina Holm');
  });

  test('a role owner: one occurrence, no unit, owned by the rådmann in the rådmann’s unit', () => {
    const [arsberetning] = of(plans, 'arsberetning');
    expect(arsberetning).toEqual({
      ref: 'AH-2026-arsberetning-1',
      activityId: 'arsberetning',
      year: 2026,
      index: 1,
      nominal: '2026-03-31',
      deadline: '2026-03-31',
      ownerRole: 'rådmann',
    });
    expect(ownerOf(arsberetning, org)?.name).toBe('Per Kristiansen');
    expect(ownerUnitOf(arsberetning, org)).toBe('radmann');
  });

  test('a named unit: one occurrence with that unit, the ref without it', () => {
    expect(of(plans, 'arsregnskap')).toEqual([
      {
        ref: 'AH-2026-arsregnskap-1',
        activityId: 'arsregnskap',
        year: 2026,
        index: 1,
        nominal: '2026-02-22',
        deadline: '2026-02-23',
        unitId: 'okonomi',
      },
    ]);
    expect(ownerOf(of(plans, 'arsregnskap')[0], org)?.name).toBe('Nina Holm');
  });

  test('several dates a year: numbered 1 and 2', () => {
    expect(of(plans, 'tertialrapport').map((p) => [p.ref, p.deadline])).toEqual([
      ['AH-2026-tertialrapport-1', '2026-06-15'],
      ['AH-2026-tertialrapport-2', '2026-10-15'],
    ]);
  });

  test('refs are unique, sorted by deadline then ref, and the same every time', () => {
    const refs = plans.map((p) => p.ref);
    expect(new Set(refs).size).toBe(refs.length);
    for (let i = 1; i < plans.length; i++) {
      const [a, b] = [plans[i - 1], plans[i]];
      expect(a.deadline < b.deadline || (a.deadline === b.deadline && a.ref < b.ref)).toBe(true);
    }
    expect(plans[0].ref).toBe('AH-2026-virksomhetsplan-1-barnevern');
    expect(planOccurrences(file, org, '2026-01-01', '2026-12-31')).toEqual(plans);
    // The order of the activities in the file does not matter.
    const reversed = { ...file, activities: [...file.activities].reverse() };
    expect(planOccurrences(reversed, org, '2026-01-01', '2026-12-31')).toEqual(plans);
  });
});

describe('planOccurrences: the window', () => {
  test('both ends are inclusive, and it is the deadline that counts, not the nominal date', () => {
    // arsregnskap: nominal Sunday 2026-02-22, deadline Monday 2026-02-23.
    const refs = (from: string, to: string) =>
      planOccurrences(file, org, from, to).map((p) => p.ref);
    expect(refs('2026-02-23', '2026-02-23')).toEqual(['AH-2026-arsregnskap-1']);
    expect(refs('2026-02-22', '2026-02-22')).toEqual([]);
    expect(refs('2026-02-24', '2026-03-30')).not.toContain('AH-2026-arsregnskap-1');
    expect(refs('2026-02-01', '2026-02-22')).not.toContain('AH-2026-arsregnskap-1');
    expect(refs('2026-02-02', '2026-02-02')).toHaveLength(9); // the virksomhetsplaner
    expect(refs('2026-02-03', '2026-02-23')).toEqual(['AH-2026-kostra-1', 'AH-2026-arsregnskap-1']);
  });

  test('an occurrence moved into the next year is found in that year’s window', () => {
    const yearEnd: ArshjulFile = {
      ...file,
      activities: [
        { ...file.activities[0], id: 'nyttar', recurrence: { kind: 'yearly', date: '12-31' } },
      ],
    };
    expect(planOccurrences(yearEnd, org, '2029-01-01', '2029-01-31')).toEqual([
      {
        ref: 'AH-2028-nyttar-1',
        activityId: 'nyttar',
        year: 2028,
        index: 1,
        nominal: '2028-12-31',
        deadline: '2029-01-02',
        unitId: 'okonomi',
      },
    ]);
    expect(planOccurrences(yearEnd, org, '2028-01-01', '2028-12-31')).toEqual([]);
  });

  test('election-bound and four-yearly activities in the years they fall', () => {
    const refs = (from: string, to: string) =>
      planOccurrences(file, org, from, to).map((p) => p.ref);
    expect(refs('2028-01-01', '2028-12-31')).toEqual(
      expect.arrayContaining(['AH-2028-planstrategi-1', 'AH-2028-delegeringsreglement-1']),
    );
    expect(refs('2029-01-01', '2029-12-31')).toContain('AH-2029-kommuneplan-revisjon-1');
    expect(refs('2029-01-01', '2029-12-31')).not.toContain('AH-2029-planstrategi-1');
  });

  test('an empty or reversed window gives nothing', () => {
    expect(planOccurrences(file, org, '2026-03-01', '2026-02-01')).toEqual([]);
    expect(planOccurrences({ ...file, activities: [] }, org, '2026-01-01', '2026-12-31')).toEqual(
      [],
    );
  });
});

describe('ownerOf and ownerUnitOf', () => {
  const small = makeOrganisation(
    [
      { id: 'z-first-in-file', name: 'Zara', role: 'kommunalsjef', unitId: 'top' },
      { id: 'a-lowest-id', name: 'Anna', role: 'kommunalsjef', unitId: 'oppvekst' },
      { id: 'boss', name: 'Rådmann', role: 'rådmann', unitId: 'top' },
    ],
    [
      { id: 'top', name: 'Rådmannen', kind: 'rådmannsnivå', leaderId: 'boss' },
      { id: 'oppvekst', name: 'Oppvekst', kind: 'enhet', parentId: 'top' },
    ],
  );

  test('a role held by several: the one with the lowest id, and that person’s unit', () => {
    expect(ownerOf({ ownerRole: 'kommunalsjef' }, small)?.name).toBe('Anna');
    expect(ownerUnitOf({ ownerRole: 'kommunalsjef' }, small)).toBe('oppvekst');
  });

  test('a unit without a leader: the nearest leader above', () => {
    expect(ownerOf({ unitId: 'oppvekst' }, small)?.id).toBe('boss');
    expect(ownerUnitOf({ unitId: 'oppvekst' }, small)).toBe('oppvekst');
  });

  test('no one: a role no one holds, an unknown unit', () => {
    expect(ownerOf({ ownerRole: 'stabsleder' }, small)).toBeUndefined();
    expect(ownerUnitOf({ ownerRole: 'stabsleder' }, small)).toBeUndefined();
    expect(ownerOf({ unitId: 'nowhere' }, small)).toBeUndefined();
  });
});

describe('reminderTimes', () => {
  test('each lead day before the deadline, in calendar days, then the deadline itself', () => {
    expect(reminderTimes({ deadline: '2026-02-23' }, [30, 7, 1])).toEqual([
      { name: 'remind-30', at: '2026-01-24' },
      { name: 'remind-7', at: '2026-02-16' },
      { name: 'remind-1', at: '2026-02-22' },
      { name: 'due', at: '2026-02-23' },
    ]);
  });

  test('across a year end and into a leap day, whatever the order given', () => {
    expect(reminderTimes({ deadline: '2026-01-05' }, [1, 10])).toEqual([
      { name: 'remind-10', at: '2025-12-26' },
      { name: 'remind-1', at: '2026-01-04' },
      { name: 'due', at: '2026-01-05' },
    ]);
    expect(reminderTimes({ deadline: '2028-03-01' }, [1])[0]).toEqual({
      name: 'remind-1',
      at: '2028-02-29',
    });
  });

  test('no lead days: only the reminder on the day; lead day 0 is that same reminder', () => {
    expect(reminderTimes({ deadline: '2026-06-15' }, [])).toEqual([
      { name: 'due', at: '2026-06-15' },
    ]);
    expect(reminderTimes({ deadline: '2026-06-15' }, [7, 0])).toEqual([
      { name: 'remind-7', at: '2026-06-08' },
      { name: 'due', at: '2026-06-15' },
    ]);
  });

  test('past dates are kept (the caller filters)', () => {
    const plan = planOccurrences(file, org, '2026-02-23', '2026-02-23')[0];
    expect(reminderTimes(plan, [365]).map((r) => r.at)).toEqual(['2025-02-23', '2026-02-23']);
  });
});
