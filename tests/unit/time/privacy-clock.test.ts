import {
  privacyClockState,
  privacyDeadline,
  privacyReminderTimes,
} from '../../../bot/time/privacy-clock';

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());
const HOUR_MS = 3_600_000;

describe('the 72-hour privacy clock', () => {
  // Friday 17:30 CET: reminders must still fall at night and over the weekend.
  const reported = new Date('2026-01-16T16:30:00.000Z');

  test('reminds at 24, 48 and 60 hours, ignoring nights and weekends', () => {
    expect(iso(privacyReminderTimes(reported))).toEqual([
      '2026-01-17T16:30:00.000Z', // Saturday
      '2026-01-18T16:30:00.000Z', // Sunday
      '2026-01-19T04:30:00.000Z', // Monday 05:30, before working hours
    ]);
  });

  test('custom reminder hours come back in order', () => {
    expect(iso(privacyReminderTimes(reported, [70, 1]))).toEqual([
      '2026-01-16T17:30:00.000Z',
      '2026-01-19T14:30:00.000Z',
    ]);
    expect(() => privacyReminderTimes(reported, [-1])).toThrow(RangeError);
    expect(() => privacyReminderTimes(reported, [Number.NaN])).toThrow(RangeError);
  });

  test('the deadline is 72 hours after the report', () => {
    expect(privacyDeadline(reported).toISOString()).toBe('2026-01-19T16:30:00.000Z');
  });

  test('hours left count down, and it is overdue only after 72 hours', () => {
    expect(privacyClockState(reported, reported)).toEqual({ hoursLeft: 72, overdue: false });
    const at = (hours: number) => new Date(reported.getTime() + hours * HOUR_MS);
    expect(privacyClockState(reported, at(24))).toEqual({ hoursLeft: 48, overdue: false });
    expect(privacyClockState(reported, at(71.5))).toEqual({ hoursLeft: 0.5, overdue: false });
    expect(privacyClockState(reported, at(72))).toEqual({ hoursLeft: 0, overdue: false });
    expect(privacyClockState(reported, new Date(at(72).getTime() + 1)).overdue).toBe(true);
    expect(privacyClockState(reported, at(80))).toEqual({ hoursLeft: -8, overdue: true });
  });

  test('across spring forward the hours are exact, not wall-clock hours', () => {
    // Saturday 2026-03-28 12:00 CET; the night has only 23 hours on the wall clock.
    const saturday = new Date('2026-03-28T11:00:00.000Z');
    expect(privacyDeadline(saturday).toISOString()).toBe('2026-03-31T11:00:00.000Z'); // 13:00 CEST
    expect(iso(privacyReminderTimes(saturday))[0]).toBe('2026-03-29T11:00:00.000Z'); // 13:00 CEST
    const mondayNoonCest = new Date('2026-03-30T10:00:00.000Z');
    expect(privacyClockState(saturday, mondayNoonCest).hoursLeft).toBe(25);
  });

  test('across fall back the hours are exact, not wall-clock hours', () => {
    // Saturday 2026-10-24 12:00 CEST; the night has 25 hours on the wall clock.
    const saturday = new Date('2026-10-24T10:00:00.000Z');
    expect(privacyDeadline(saturday).toISOString()).toBe('2026-10-27T10:00:00.000Z'); // 11:00 CET
    expect(iso(privacyReminderTimes(saturday))[0]).toBe('2026-10-25T10:00:00.000Z'); // 11:00 CET
  });

  test('does not change the date passed in', () => {
    const copy = new Date(reported);
    privacyReminderTimes(copy);
    privacyDeadline(copy);
    privacyClockState(copy, new Date('2026-01-20T00:00:00.000Z'));
    expect(copy.toISOString()).toBe(reported.toISOString());
  });
});
