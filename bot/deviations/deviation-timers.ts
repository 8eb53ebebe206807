import type { Timer } from '../scheduling/scheduler';
import { privacyReminderTimes } from '../time/privacy-clock';
import {
  addWorkingDays,
  nextWorkingDayOnOrAfter,
  osloTime,
  type WorkingHours,
} from '../time/working-time';
import { isOpen, PRIVACY_CATEGORY_ID, type Deviation } from './deviation';

/** When deviations are looked at again. Every number is a setting (docs/operations.md). */
export interface NudgeSettings {
  /** Registered and not taken: a reminder to the responsible leader after this many working days. */
  remindNotTakenDays: number;
  /** Registered and not taken: escalation one step up the line after this many working days. */
  escalateNotTakenDays: number;
  /** Open past its due date: escalation after this many more working days. */
  escalateOverdueDays: number;
  workingHours: WorkingHours;
  /** The weekly digest (croner pattern, Europe/Oslo). */
  digestCron: string;
}

export const DEFAULT_NUDGE_SETTINGS: NudgeSettings = {
  remindNotTakenDays: 2,
  escalateNotTakenDays: 5,
  escalateOverdueDays: 3,
  workingHours: { start: '08:00', end: '16:00' },
  digestCron: '0 8 * * 1',
};

export const DEVIATION_TIMER = 'deviation';

/**
 * The timers of a deviation as it is now (pure). Names carry what they were computed from, so
 * a timer left from an earlier state is recognised as stale when it fires, and a state that
 * comes back does not fire twice (the messages' keys are the same).
 */
export function deviationTimers(d: Deviation, settings: NudgeSettings): Timer[] {
  if (!isOpen(d)) return [];
  const timer = (name: string, dueAt: Date): Timer => ({
    kind: DEVIATION_TIMER,
    ref: d.ref,
    name,
    dueAt: dueAt.toISOString(),
  });
  const since = d.handlerSince ?? d.createdAt;
  const timers: Timer[] = [];
  if (d.status === 'registrert') {
    timers.push(
      timer(
        `remind-not-taken|${since}`,
        addWorkingDays(new Date(since), settings.remindNotTakenDays),
      ),
      timer(
        `escalate-not-taken|${since}`,
        addWorkingDays(new Date(since), settings.escalateNotTakenDays),
      ),
    );
  }
  // Overdue: a reminder on the due date to whoever has it then, and after some working days
  // an escalation. Each level gets its own days: the clock starts again when it moves up.
  if (since < d.dueAt) timers.push(timer(`remind-overdue|${d.dueAt}`, new Date(d.dueAt)));
  const overdueFrom = since > d.dueAt ? since : d.dueAt;
  timers.push(
    timer(
      `escalate-overdue|${since}`,
      addWorkingDays(new Date(overdueFrom), settings.escalateOverdueDays),
    ),
  );
  d.measures.forEach((m, i) => {
    timers.push(timer(`measure-due|${i}`, osloTime(m.dueDate, settings.workingHours.start)));
    const dayAfter = new Date(osloTime(m.dueDate, '12:00').getTime() + 24 * 3600_000);
    const overdueDay = nextWorkingDayOnOrAfter(dayAfter.toISOString().slice(0, 10));
    timers.push(timer(`measure-overdue|${i}`, osloTime(overdueDay, settings.workingHours.start)));
  });
  if (d.categoryId === PRIVACY_CATEGORY_ID && !d.dpaNotifiedAt) {
    const hours = [24, 48, 60];
    privacyReminderTimes(new Date(d.createdAt), hours).forEach((at, i) =>
      timers.push(timer(`privacy|${hours[i]}`, at)),
    );
  }
  return timers;
}

/** A timer's name: what it is, and what it was computed from. */
export function timerName(name: string): { what: string; from: string } {
  const at = name.indexOf('|');
  return at === -1
    ? { what: name, from: '' }
    : { what: name.slice(0, at), from: name.slice(at + 1) };
}
