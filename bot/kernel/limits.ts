import { osloDateOf, osloTime } from '../time/working-time';

/**
 * Abuse limits per person: how many new reports and report forms one person may have in an
 * hour and in a day (Europe/Oslo). Counted in storage (store/limit-store.ts) so that they hold
 * across instances. The defaults are far above what one person reports in earnest: reporting
 * must never be blocked, the limits only stop a script or a stuck client from flooding a leader.
 */
export type LimitedUse = 'report' | 'form';

export type WindowLength = 'hour' | 'day';

export type UsageLimitSettings = Record<LimitedUse, Record<WindowLength, number>>;

/** What a person may do now: go on, or wait until the window that is full ends. */
export type UsageVerdict = { ok: true } | { ok: false; until: Date };

export interface UsageLimits {
  /** Counts one use now unless a window is full (then nothing is counted or stored). */
  take(use: LimitedUse, personId: string, now: Date): Promise<UsageVerdict>;
}

export const DEFAULT_USAGE_LIMITS: UsageLimitSettings = Object.freeze({
  report: { hour: 20, day: 100 },
  form: { hour: 20, day: 100 },
});

export const WINDOW_LENGTHS: readonly WindowLength[] = ['hour', 'day'];

/** The window an instant falls in: its name (the counter row's `window`) and when it ends. */
export function windowOf(length: WindowLength, now: Date): { name: string; endsAt: Date } {
  if (length === 'hour') {
    const start = Math.floor(now.getTime() / 3_600_000) * 3_600_000;
    // Oslo's offset is whole hours: a UTC hour is an Oslo hour.
    return {
      name: new Date(start).toISOString().slice(0, 13),
      endsAt: new Date(start + 3_600_000),
    };
  }
  const today = osloDateOf(now);
  const tomorrow = new Date(Date.parse(`${today}T12:00:00Z`) + 86_400_000).toISOString();
  return { name: today, endsAt: osloTime(tomorrow.slice(0, 10), '00:00') };
}
