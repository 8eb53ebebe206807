import { osloDateOf } from './working-time';

/** The ISO 8601 week of an instant in Europe/Oslo, e.g. `2026-W51` (weeks start on Monday). */
export function isoWeekOf(instant: Date): string {
  const [y, m, d] = osloDateOf(instant).split('-').map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  const weekday = date.getUTCDay() || 7;
  // The Thursday of this week decides the year the week belongs to.
  date.setUTCDate(date.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(date.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((date.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${date.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}
