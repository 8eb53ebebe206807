import fs from 'node:fs';
import path from 'node:path';
import type { Activity, ElectionCycle, Recurrence } from '../../../bot/arshjul/arshjul';
import { parseArshjulFile } from '../../../bot/arshjul/arshjul-file';
import { isElectionYear, nominalDates, occurrencesIn } from '../../../bot/arshjul/recurrence';

const ELECTIONS: ElectionCycle = { firstYear: 2023, everyYears: 4 };

const rule = (recurrence: Recurrence): Pick<Activity, 'recurrence'> => ({ recurrence });

function defaultActivity(id: string): Activity {
  const json: unknown = JSON.parse(
    fs.readFileSync(path.join(__dirname, '../../../bot/arshjul/demo/heim-arshjul.json'), 'utf8'),
  );
  const parsed = parseArshjulFile(json);
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const activity = parsed.file.activities.find((a) => a.id === id);
  if (!activity) throw new Error(`no activity "${id}"`);
  return activity;
}

describe('nominalDates', () => {
  test('yearly: the date in every year', () => {
    const arsregnskap = defaultActivity('arsregnskap');
    expect(nominalDates(arsregnskap, 2026, ELECTIONS)).toEqual(['2026-02-22']);
    expect(nominalDates(arsregnskap, 2031, ELECTIONS)).toEqual(['2031-02-22']);
  });

  test('several dates a year, sorted', () => {
    expect(nominalDates(defaultActivity('tertialrapport'), 2026, ELECTIONS)).toEqual([
      '2026-06-15',
      '2026-10-15',
    ]);
    // A rule built in code, unsorted: the dates still come sorted.
    expect(
      nominalDates(rule({ kind: 'dates', dates: ['11-30', '05-31'] }), 2027, ELECTIONS),
    ).toEqual(['2027-05-31', '2027-11-30']);
  });

  test('every four years from 2025: 2025 and 2029, not 2026, not before 2025', () => {
    const revision = defaultActivity('kommuneplan-revisjon');
    expect(nominalDates(revision, 2025, ELECTIONS)).toEqual(['2025-06-30']);
    expect(nominalDates(revision, 2029, ELECTIONS)).toEqual(['2029-06-30']);
    expect(nominalDates(revision, 2033, ELECTIONS)).toEqual(['2033-06-30']);
    for (const year of [2021, 2024, 2026, 2027, 2028, 2030])
      expect(nominalDates(revision, year, ELECTIONS)).toEqual([]);
  });

  test('the year after each election: planstrategi in 2024 and 2028, not 2025 or 2027', () => {
    const planstrategi = defaultActivity('planstrategi');
    expect(nominalDates(planstrategi, 2024, ELECTIONS)).toEqual(['2024-10-31']);
    expect(nominalDates(planstrategi, 2028, ELECTIONS)).toEqual(['2028-10-31']);
    // Elections before firstYear count too: 2019 → 2020.
    expect(nominalDates(planstrategi, 2020, ELECTIONS)).toEqual(['2020-10-31']);
    for (const year of [2023, 2025, 2026, 2027, 2029])
      expect(nominalDates(planstrategi, year, ELECTIONS)).toEqual([]);
  });

  test('afterElection with yearsAfter 0 falls in the election year itself', () => {
    const inElectionYear = rule({ kind: 'afterElection', yearsAfter: 0, date: '12-01' });
    expect(nominalDates(inElectionYear, 2027, ELECTIONS)).toEqual(['2027-12-01']);
    expect(nominalDates(inElectionYear, 2028, ELECTIONS)).toEqual([]);
  });
});

describe('isElectionYear', () => {
  test('every four years from 2023, forwards and backwards', () => {
    for (const year of [2015, 2019, 2023, 2027, 2031])
      expect(isElectionYear(year, ELECTIONS)).toBe(true);
    for (const year of [2020, 2022, 2024, 2025, 2026, 2028])
      expect(isElectionYear(year, ELECTIONS)).toBe(false);
  });
});

describe('occurrencesIn: the deadline moves to the next working day', () => {
  test('22 February: a Monday in 2027 stays, a Sunday in 2026 moves to Monday the 23rd', () => {
    const arsregnskap = defaultActivity('arsregnskap');
    expect(occurrencesIn(arsregnskap, 2027, ELECTIONS)).toEqual([
      { index: 1, nominal: '2027-02-22', deadline: '2027-02-22' },
    ]);
    expect(occurrencesIn(arsregnskap, 2026, ELECTIONS)).toEqual([
      { index: 1, nominal: '2026-02-22', deadline: '2026-02-23' },
    ]);
  });

  test('17 May (a Monday in 2027, a holiday) moves to the 18th', () => {
    expect(occurrencesIn(rule({ kind: 'yearly', date: '05-17' }), 2027, ELECTIONS)).toEqual([
      { index: 1, nominal: '2027-05-17', deadline: '2027-05-18' },
    ]);
  });

  test('Easter 2026: Maundy Thursday 2 April moves past Good Friday, the weekend and Easter Monday', () => {
    expect(occurrencesIn(rule({ kind: 'yearly', date: '04-02' }), 2026, ELECTIONS)).toEqual([
      { index: 1, nominal: '2026-04-02', deadline: '2026-04-07' },
    ]);
  });

  test('31 December 2028 (a Sunday) moves into the next year, past New Year’s Day', () => {
    expect(occurrencesIn(rule({ kind: 'yearly', date: '12-31' }), 2028, ELECTIONS)).toEqual([
      { index: 1, nominal: '2028-12-31', deadline: '2029-01-02' },
    ]);
  });

  test('several dates are numbered from 1 in date order', () => {
    expect(occurrencesIn(defaultActivity('vedtaksoppfolging'), 2026, ELECTIONS)).toEqual([
      { index: 1, nominal: '2026-05-31', deadline: '2026-06-01' },
      { index: 2, nominal: '2026-11-30', deadline: '2026-11-30' },
    ]);
  });

  test('a year without the rule has no occurrences', () => {
    expect(occurrencesIn(defaultActivity('planstrategi'), 2025, ELECTIONS)).toEqual([]);
  });
});
