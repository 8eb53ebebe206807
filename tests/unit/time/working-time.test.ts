import {
  addWorkingDays,
  deadlineOnWorkingDay,
  isPublicHoliday,
  isWithinWorkingHours,
  isWorkingDay,
  nextSendTime,
  nextWorkingDayOnOrAfter,
  osloDateOf,
  osloTime,
  publicHolidays,
  type WorkingHours,
} from '../../../bot/time/working-time';

/** Calendar arithmetic for expectations, independent of the module under test. */
function plusDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

// Easter Sunday from a published Easter table; every movable holiday follows from it.
const EASTER: Record<number, string> = {
  2026: '2026-04-05',
  2027: '2027-03-28',
  2028: '2028-04-16',
};

function expectedHolidays(year: number): string[] {
  const easter = EASTER[year];
  const movable = [-3, -2, 0, 1, 39, 49, 50].map((offset) => plusDays(easter, offset));
  const fixed = ['01-01', '05-01', '05-17', '12-25', '12-26'].map((md) => `${year}-${md}`);
  return [...new Set([...fixed, ...movable])].sort();
}

describe('public holidays', () => {
  test('the Easter table gives the movable holidays written out by hand', () => {
    expect(expectedHolidays(2026)).toEqual([
      '2026-01-01', '2026-04-02', '2026-04-03', '2026-04-05', '2026-04-06', '2026-05-01',
      '2026-05-14', '2026-05-17', '2026-05-24', '2026-05-25', '2026-12-25', '2026-12-26',
    ]); // prettier-ignore
    // 2027: Whit Monday falls on Constitution Day, so the year has one date fewer.
    expect(expectedHolidays(2027)).toEqual([
      '2027-01-01', '2027-03-25', '2027-03-26', '2027-03-28', '2027-03-29', '2027-05-01',
      '2027-05-06', '2027-05-16', '2027-05-17', '2027-12-25', '2027-12-26',
    ]); // prettier-ignore
    expect(expectedHolidays(2028)).toEqual([
      '2028-01-01', '2028-04-13', '2028-04-14', '2028-04-16', '2028-04-17', '2028-05-01',
      '2028-05-17', '2028-05-25', '2028-06-04', '2028-06-05', '2028-12-25', '2028-12-26',
    ]); // prettier-ignore
  });

  test.each([2026, 2027, 2028])('%i has exactly the Norwegian public holidays', (year) => {
    expect(publicHolidays(year)).toEqual(expectedHolidays(year));
  });

  test.each([2026, 2027, 2028])('isPublicHoliday agrees on every day of %i', (year) => {
    const found: string[] = [];
    for (let day = `${year}-01-01`; day.startsWith(`${year}`); day = plusDays(day, 1)) {
      if (isPublicHoliday(day)) found.push(day);
    }
    expect(found).toEqual(expectedHolidays(year));
  });

  test.each([
    ['2026-02-08', "Mother's Day"],
    ['2026-11-08', "Father's Day"],
    ['2026-05-08', 'Liberation Day'],
    ['2026-06-23', "St John's Eve"],
    ['2026-07-29', 'Olsok'],
    ['2026-12-24', 'Christmas Eve'],
    ['2026-12-31', "New Year's Eve"],
  ])('%s (%s) is not a public holiday', (date) => {
    expect(isPublicHoliday(date)).toBe(false);
  });

  test('a malformed or impossible date is refused', () => {
    expect(() => isPublicHoliday('2026-02-30')).toThrow(RangeError);
    expect(() => isWorkingDay('17.05.2026')).toThrow(RangeError);
  });
});

describe('working days', () => {
  test.each([
    ['2026-04-01', true], // Wednesday before Easter
    ['2026-04-02', false], // Skjærtorsdag
    ['2026-04-03', false], // Langfredag
    ['2026-04-04', false], // Saturday
    ['2026-04-05', false], // 1. påskedag
    ['2026-04-06', false], // 2. påskedag
    ['2026-04-07', true], // Tuesday after Easter
    ['2026-12-23', true], // Wednesday
    ['2026-12-24', true], // Christmas Eve is a working day by law (Thursday)
    ['2026-12-25', false], // 1. juledag
    ['2026-12-26', false], // 2. juledag (Saturday)
    ['2026-12-28', true], // Monday
    ['2026-12-31', true], // Thursday
    ['2027-01-01', false], // 1. nyttårsdag
    ['2027-01-04', true], // Monday
    ['2026-05-14', false], // Kristi himmelfartsdag (Thursday)
    ['2026-05-15', true], // the Friday after
    ['2026-05-25', false], // 2. pinsedag (Monday)
  ])('%s is a working day: %s', (date, working) => {
    expect(isWorkingDay(date)).toBe(working);
  });

  test('next working day on or after', () => {
    expect(nextWorkingDayOnOrAfter('2026-04-01')).toBe('2026-04-01');
    expect(nextWorkingDayOnOrAfter('2026-04-02')).toBe('2026-04-07');
    expect(nextWorkingDayOnOrAfter('2026-12-25')).toBe('2026-12-28');
    expect(nextWorkingDayOnOrAfter('2027-01-01')).toBe('2027-01-04');
  });

  test('an annual-cycle deadline on a weekend or holiday moves to the next working day', () => {
    expect(deadlineOnWorkingDay('2026-06-15')).toBe('2026-06-15'); // Monday stays
    expect(deadlineOnWorkingDay('2026-03-01')).toBe('2026-03-02'); // Sunday
    expect(deadlineOnWorkingDay('2026-05-16')).toBe('2026-05-18'); // Saturday, then 17 May
    expect(deadlineOnWorkingDay('2027-05-17')).toBe('2027-05-18'); // 17 May and Whit Monday
    expect(deadlineOnWorkingDay('2026-04-03')).toBe('2026-04-07'); // Langfredag
  });
});

describe('Oslo wall-clock time', () => {
  test.each([
    ['2026-01-15', '08:00', '2026-01-15T07:00:00.000Z'], // CET
    ['2026-07-15', '08:00', '2026-07-15T06:00:00.000Z'], // CEST
    ['2026-03-29', '08:00', '2026-03-29T06:00:00.000Z'], // spring forward, after the change
    ['2026-03-29', '01:59', '2026-03-29T00:59:00.000Z'], // spring forward, before the change
    ['2026-03-29', '02:30', '2026-03-29T01:00:00.000Z'], // does not exist: 03:00 CEST
    ['2026-03-29', '03:00', '2026-03-29T01:00:00.000Z'],
    ['2026-10-25', '08:00', '2026-10-25T07:00:00.000Z'], // fall back, after the change
    ['2026-10-25', '02:30', '2026-10-25T00:30:00.000Z'], // happens twice: the first, CEST
    ['2026-10-25', '03:00', '2026-10-25T02:00:00.000Z'],
    ['2026-12-31', '23:59', '2026-12-31T22:59:00.000Z'],
  ])('%s %s in Oslo is %s', (date, hhmm, utc) => {
    expect(osloTime(date, hhmm).toISOString()).toBe(utc);
  });

  test('a malformed time is refused', () => {
    expect(() => osloTime('2026-01-15', '24:00')).toThrow(RangeError);
    expect(() => osloTime('2026-01-15', '8:00')).toThrow(RangeError);
  });

  test.each([
    ['2026-04-05T21:59:59.999Z', '2026-04-05'],
    ['2026-04-05T22:00:00.000Z', '2026-04-06'], // midnight CEST
    ['2026-12-31T23:00:00.000Z', '2027-01-01'], // midnight CET
    ['2026-10-25T00:30:00.000Z', '2026-10-25'],
  ])('the Oslo date of %s is %s', (instant, date) => {
    expect(osloDateOf(new Date(instant))).toBe(date);
  });
});

describe('addWorkingDays', () => {
  const add = (iso: string, days: number) => addWorkingDays(new Date(iso), days).toISOString();

  test('across a weekend', () => {
    // Friday 2026-01-16 10:00 CET + 1 → Monday 10:00.
    expect(add('2026-01-16T09:00:00.000Z', 1)).toBe('2026-01-19T09:00:00.000Z');
    expect(add('2026-01-14T09:00:00.000Z', 3)).toBe('2026-01-19T09:00:00.000Z');
  });

  test('across Easter, keeping 10:00 across the spring DST change', () => {
    // Wednesday 2026-03-25 10:00 CET + 3 → Monday 30th; + 5 → Tuesday 7 April 10:00 CEST.
    expect(add('2026-03-25T09:00:00.000Z', 3)).toBe('2026-03-30T08:00:00.000Z');
    expect(add('2026-04-01T08:00:00.000Z', 1)).toBe('2026-04-07T08:00:00.000Z');
  });

  test('across Christmas and New Year', () => {
    // Wednesday 2026-12-23 10:00 + 1 → Christmas Eve; + 2 → Monday 28th; + 6 → Monday 4 Jan.
    expect(add('2026-12-23T09:00:00.000Z', 1)).toBe('2026-12-24T09:00:00.000Z');
    expect(add('2026-12-23T09:00:00.000Z', 2)).toBe('2026-12-28T09:00:00.000Z');
    expect(add('2026-12-23T09:00:00.000Z', 5)).toBe('2026-12-31T09:00:00.000Z');
    expect(add('2026-12-23T09:00:00.000Z', 6)).toBe('2027-01-04T09:00:00.000Z');
  });

  test('a start on a weekend or holiday counts from the next working day', () => {
    expect(add('2026-01-17T09:00:00.000Z', 0)).toBe('2026-01-19T09:00:00.000Z'); // Saturday
    expect(add('2026-01-17T09:00:00.000Z', 1)).toBe('2026-01-20T09:00:00.000Z');
    expect(add('2026-04-03T08:00:00.000Z', 1)).toBe('2026-04-08T08:00:00.000Z'); // Langfredag
  });

  test('keeps seconds and milliseconds, and refuses negative or fractional days', () => {
    expect(add('2026-01-16T09:15:42.123Z', 1)).toBe('2026-01-19T09:15:42.123Z');
    expect(() => add('2026-01-16T09:00:00.000Z', -1)).toThrow(RangeError);
    expect(() => add('2026-01-16T09:00:00.000Z', 1.5)).toThrow(RangeError);
  });
});

describe('quiet hours', () => {
  const within = (iso: string, hours?: WorkingHours) => isWithinWorkingHours(new Date(iso), hours);
  const send = (iso: string) => nextSendTime(new Date(iso)).toISOString();

  test.each([
    ['2026-01-14T06:59:59.999Z', false], // Wednesday 07:59:59 CET
    ['2026-01-14T07:00:00.000Z', true], // 08:00
    ['2026-01-14T14:59:00.000Z', true], // 15:59
    ['2026-01-14T15:00:00.000Z', false], // 16:00
    ['2026-06-10T06:00:00.000Z', true], // 08:00 CEST
    ['2026-06-10T05:59:00.000Z', false], // 07:59 CEST
    ['2026-01-16T16:00:00.000Z', false], // Friday 17:00
    ['2026-01-17T10:00:00.000Z', false], // Saturday 11:00
    ['2026-05-14T08:00:00.000Z', false], // Kristi himmelfartsdag 10:00
  ])('%s is within working hours: %s', (iso, expected) => {
    expect(within(iso)).toBe(expected);
  });

  test('custom working hours', () => {
    const hours = { start: '07:30', end: '15:00' };
    expect(within('2026-01-14T06:30:00.000Z', hours)).toBe(true);
    expect(within('2026-01-14T14:00:00.000Z', hours)).toBe(false);
    expect(() => within('2026-01-14T10:00:00.000Z', { start: '16:00', end: '08:00' })).toThrow();
  });

  test.each([
    ['2026-01-14T10:00:00.000Z', '2026-01-14T10:00:00.000Z'], // within: now
    ['2026-01-14T05:00:00.000Z', '2026-01-14T07:00:00.000Z'], // 06:00 → 08:00 the same day
    ['2026-01-14T15:00:00.000Z', '2026-01-15T07:00:00.000Z'], // 16:00 → 08:00 tomorrow
    ['2026-01-16T16:00:00.000Z', '2026-01-19T07:00:00.000Z'], // Friday 17:00 → Monday 08:00
    ['2026-01-17T10:00:00.000Z', '2026-01-19T07:00:00.000Z'], // Saturday → Monday 08:00
    ['2026-04-01T15:30:00.000Z', '2026-04-07T06:00:00.000Z'], // Wednesday evening before Easter
    ['2026-04-02T06:00:00.000Z', '2026-04-07T06:00:00.000Z'], // Skjærtorsdag → Tuesday 08:00
    ['2026-03-27T16:00:00.000Z', '2026-03-30T06:00:00.000Z'], // Friday CET → Monday 08:00 CEST
    ['2026-10-23T16:00:00.000Z', '2026-10-26T07:00:00.000Z'], // Friday CEST → Monday 08:00 CET
    ['2026-12-23T16:00:00.000Z', '2026-12-24T07:00:00.000Z'], // → Christmas Eve 08:00
    ['2026-12-31T15:00:00.000Z', '2027-01-04T07:00:00.000Z'], // New Year's Eve 16:00 → Monday
  ])('a nudge due %s is sent %s', (due, sent) => {
    expect(send(due)).toBe(sent);
  });
});
