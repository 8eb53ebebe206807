/**
 * GDPR art. 33: a personal data breach is notified to Datatilsynet within 72 hours of discovery.
 * The clock runs in exact hours, through nights, weekends, holidays and DST changes.
 */

const HOUR_MS = 60 * 60 * 1000;

export const PRIVACY_DEADLINE_HOURS = 72;

/** Hours after the report at which the handler is reminded, before the deadline. */
export const PRIVACY_REMINDER_HOURS: readonly number[] = [24, 48, 60];

export interface PrivacyClockState {
  /** Hours until the deadline, fractional; negative once it has passed. */
  hoursLeft: number;
  overdue: boolean;
}

function hoursAfter(instant: Date, hours: number): Date {
  return new Date(instant.getTime() + hours * HOUR_MS);
}

export function privacyDeadline(reportedAt: Date): Date {
  return hoursAfter(reportedAt, PRIVACY_DEADLINE_HOURS);
}

/** When to remind, in order; urgent, so quiet hours and working days do not apply. */
export function privacyReminderTimes(
  reportedAt: Date,
  hours: readonly number[] = PRIVACY_REMINDER_HOURS,
): Date[] {
  for (const h of hours) {
    if (!Number.isFinite(h) || h < 0) {
      throw new RangeError(`A reminder must be a number of hours ≥ 0, got ${h}`);
    }
  }
  return [...hours].sort((a, b) => a - b).map((h) => hoursAfter(reportedAt, h));
}

/** Overdue strictly after the deadline, as `isOverdue` is for deviations. */
export function privacyClockState(reportedAt: Date, now: Date): PrivacyClockState {
  const hoursLeft = (privacyDeadline(reportedAt).getTime() - now.getTime()) / HOUR_MS;
  return { hoursLeft, overdue: hoursLeft < 0 };
}
