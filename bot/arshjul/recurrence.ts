import { deadlineOnWorkingDay } from '../time/working-time';
import type { Activity, ElectionCycle } from './arshjul';

/** When an activity falls due (pure): the rule's dates in a year, and the working-day deadlines. */

/** Is `year` a local election year? Counts backwards from `firstYear` too (2019 for 2023/4). */
export function isElectionYear(year: number, elections: ElectionCycle): boolean {
  const { firstYear, everyYears } = elections;
  // Before firstYear the remainder is -0 (2015 - 2023 = -8; -8 % 4 is -0), and -0 === 0.
  return (year - firstYear) % everyYears === 0;
}

/** The dates 'YYYY-MM-DD' the activity's rule gives in `year`, sorted; none in a year it skips. */
export function nominalDates(
  activity: Pick<Activity, 'recurrence'>,
  year: number,
  elections: ElectionCycle,
): string[] {
  const r = activity.recurrence;
  const inYear = (monthDay: string) => `${String(year).padStart(4, '0')}-${monthDay}`;
  switch (r.kind) {
    case 'yearly':
      return [inYear(r.date)];
    case 'dates':
      return [...new Set(r.dates)].sort().map(inYear);
    case 'everyYears':
      // The rule starts at `from`: years before it have no occurrence.
      return year >= r.from && (year - r.from) % r.every === 0 ? [inYear(r.date)] : [];
    case 'afterElection':
      return isElectionYear(year - r.yearsAfter, elections) ? [inYear(r.date)] : [];
  }
}

export interface YearOccurrence {
  /** The date's place among the year's dates, from 1. */
  index: number;
  nominal: string;
  /** `nominal`, or the next working day when that is a weekend or a public holiday. */
  deadline: string;
}

/**
 * The occurrences of an activity in `year` (the year of the nominal date). A deadline moved past
 * a weekend or holiday can fall in the next year (31 December on a Sunday → 2 January).
 */
export function occurrencesIn(
  activity: Pick<Activity, 'recurrence'>,
  year: number,
  elections: ElectionCycle,
): YearOccurrence[] {
  return nominalDates(activity, year, elections).map((nominal, i) => ({
    index: i + 1,
    nominal,
    deadline: deadlineOnWorkingDay(nominal),
  }));
}
