import Holidays from 'date-holidays';

/** Working time in Norway: dates are Oslo calendar dates 'YYYY-MM-DD', instants are UTC Dates. */

export const OSLO = 'Europe/Oslo';

/** When nudges may be sent on a working day: [start, end), wall-clock 'HH:mm' in Oslo. */
export interface WorkingHours {
  start: string;
  end: string;
}

export const DEFAULT_WORKING_HOURS: Readonly<WorkingHours> = Object.freeze({
  start: '08:00',
  end: '16:00',
});

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

// One formatter: building Intl formatters is the expensive part of a lookup.
const osloParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: OSLO,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
});

function wallClockOf(instant: Date): Record<'year' | 'month' | 'day' | 'hour' | 'minute', string> {
  const parts = Object.fromEntries(osloParts.formatToParts(instant).map((p) => [p.type, p.value]));
  return {
    year: parts.year,
    month: parts.month,
    day: parts.day,
    hour: parts.hour,
    minute: parts.minute,
  };
}

/** Oslo's offset from UTC in minutes at an instant: +60 in winter (CET), +120 in summer (CEST). */
function osloOffsetMinutes(instant: Date): number {
  const w = wallClockOf(instant);
  const wallAsUtc = Date.UTC(+w.year, +w.month - 1, +w.day, +w.hour, +w.minute);
  return Math.round(
    (wallAsUtc - Math.floor(instant.getTime() / MINUTE_MS) * MINUTE_MS) / MINUTE_MS,
  );
}

/** The Oslo calendar date of an instant, 'YYYY-MM-DD'. */
export function osloDateOf(instant: Date): string {
  const w = wallClockOf(instant);
  return `${w.year}-${w.month}-${w.day}`;
}

function parseDate(date: string): { y: number; m: number; d: number } {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const [y, m, d] = match ? [+match[1], +match[2], +match[3]] : [NaN, NaN, NaN];
  // Round-trip through Date.UTC so that '2026-02-30' is refused rather than rolled over.
  if (!match || new Date(Date.UTC(y, m - 1, d)).toISOString().slice(0, 10) !== date) {
    throw new RangeError(`Not a calendar date 'YYYY-MM-DD': '${date}'`);
  }
  return { y, m, d };
}

function parseWallClock(hhmm: string): { h: number; min: number } {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (!match) throw new RangeError(`Not a wall-clock time 'HH:mm': '${hhmm}'`);
  return { h: +match[1], min: +match[2] };
}

function addDays(date: string, days: number): string {
  const { y, m, d } = parseDate(date);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** The UTC instant of a wall-clock time on an Oslo date, correct on both DST change days. */
export function osloTime(date: string, hhmm: string): Date {
  const { y, m, d } = parseDate(date);
  const { h, min } = parseWallClock(hhmm);
  const wallAsUtc = Date.UTC(y, m - 1, d, h, min);
  // Oslo changes offset at most once within a day either side, so these two cover every case.
  const before = osloOffsetMinutes(new Date(wallAsUtc - DAY_MS));
  const after = osloOffsetMinutes(new Date(wallAsUtc + DAY_MS));
  const candidates = [before, after]
    .map((offset) => wallAsUtc - offset * MINUTE_MS)
    .filter((t) => wallAsUtc - osloOffsetMinutes(new Date(t)) * MINUTE_MS === t);
  // Fall back: the time happens twice, take the first. Spring forward: it never happens.
  if (candidates.length > 0) return new Date(Math.min(...candidates));
  return firstInstantWithOffset(
    wallAsUtc - after * MINUTE_MS,
    wallAsUtc - before * MINUTE_MS,
    after,
  );
}

/** A time in the spring-forward gap moves to the moment the clocks jump (02:30 → 03:00 CEST). */
function firstInstantWithOffset(lo: number, hi: number, offset: number): Date {
  let [low, high] = [lo / MINUTE_MS, hi / MINUTE_MS];
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (osloOffsetMinutes(new Date(mid * MINUTE_MS)) === offset) high = mid;
    else low = mid;
  }
  return new Date(high * MINUTE_MS);
}

let norway: Holidays | undefined;
const holidaysByYear = new Map<number, readonly string[]>();

/** Norway's public holidays (helligdager and 1/17 May) in a year, sorted Oslo dates. */
export function publicHolidays(year: number): readonly string[] {
  let dates = holidaysByYear.get(year);
  if (!dates) {
    norway ??= new Holidays('NO');
    // `date` is the local calendar date 'YYYY-MM-DD 00:00:00'; `start` is a UTC instant a day early.
    const publicOnly = norway.getHolidays(year).filter((h) => h.type === 'public');
    dates = [...new Set(publicOnly.map((h) => h.date.slice(0, 10)))].sort();
    holidaysByYear.set(year, dates);
  }
  return dates;
}

export function isPublicHoliday(date: string): boolean {
  return publicHolidays(parseDate(date).y).includes(date);
}

/** Monday to Friday and not a public holiday. */
export function isWorkingDay(date: string): boolean {
  const { y, m, d } = parseDate(date);
  const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return weekday !== 0 && weekday !== 6 && !isPublicHoliday(date);
}

export function nextWorkingDayOnOrAfter(date: string): string {
  let day = date;
  while (!isWorkingDay(day)) day = addDays(day, 1);
  return day;
}

/** A deadline in the annual cycle that falls on a weekend or holiday moves to the next working day. */
export function deadlineOnWorkingDay(date: string): string {
  return nextWorkingDayOnOrAfter(date);
}

/**
 * The same Oslo wall-clock time `days` working days later. A start on a weekend or holiday
 * counts from the next working day, so Saturday + 1 is Tuesday, like Monday + 1.
 */
export function addWorkingDays(instant: Date, days: number): Date {
  if (!Number.isInteger(days) || days < 0) {
    throw new RangeError(`Working days must be a whole number ≥ 0, got ${days}`);
  }
  let day = nextWorkingDayOnOrAfter(osloDateOf(instant));
  for (let i = 0; i < days; i++) day = nextWorkingDayOnOrAfter(addDays(day, 1));
  const w = wallClockOf(instant);
  // Seconds and milliseconds ride along: Oslo's offsets are whole minutes.
  const subMinute = ((instant.getTime() % MINUTE_MS) + MINUTE_MS) % MINUTE_MS;
  return new Date(osloTime(day, `${w.hour}:${w.minute}`).getTime() + subMinute);
}

function checkHours(hours: WorkingHours): void {
  const [start, end] = [parseWallClock(hours.start), parseWallClock(hours.end)];
  if (start.h * 60 + start.min >= end.h * 60 + end.min) {
    throw new RangeError(`Working hours must start before they end: ${hours.start}–${hours.end}`);
  }
}

/** On a working day, at or after `start` and before `end`, Oslo time. */
export function isWithinWorkingHours(
  instant: Date,
  hours: WorkingHours = DEFAULT_WORKING_HOURS,
): boolean {
  checkHours(hours);
  const date = osloDateOf(instant);
  if (!isWorkingDay(date)) return false;
  const t = instant.getTime();
  return osloTime(date, hours.start).getTime() <= t && t < osloTime(date, hours.end).getTime();
}

/** When a nudge due at `instant` may go out: now if within working hours, else the next morning. */
export function nextSendTime(instant: Date, hours: WorkingHours = DEFAULT_WORKING_HOURS): Date {
  if (isWithinWorkingHours(instant, hours)) return instant;
  const today = osloDateOf(instant);
  const morning = osloTime(today, hours.start);
  if (isWorkingDay(today) && instant.getTime() < morning.getTime()) return morning;
  return osloTime(nextWorkingDayOnOrAfter(addDays(today, 1)), hours.start);
}
