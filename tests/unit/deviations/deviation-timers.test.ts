import {
  DEFAULT_NUDGE_SETTINGS,
  deviationTimers,
  timerName,
} from '../../../bot/deviations/deviation-timers';
import { sampleDeviation } from '../../support/sample-deviation';

/** When a deviation is looked at again (pure): names, due times, and what each depends on. */
const at = (iso: string) => new Date(iso).toISOString();
const names = (d: Parameters<typeof deviationTimers>[0]) =>
  deviationTimers(d, DEFAULT_NUDGE_SETTINGS).map((t) => [t.name, t.dueAt]);

describe('deviationTimers', () => {
  // Monday 7 December 2026, 10:00 in Oslo.
  const reported = sampleDeviation({
    createdAt: '2026-12-07T09:00:00.000Z',
    handlerSince: '2026-12-07T09:00:00.000Z',
    dueAt: '2026-12-21T09:00:00.000Z',
  });

  test('a new case: reminder after 2 working days, escalation after 5, overdue on its due date', () => {
    expect(names(reported)).toEqual([
      ['remind-not-taken|2026-12-07T09:00:00.000Z', at('2026-12-09T09:00:00Z')],
      ['escalate-not-taken|2026-12-07T09:00:00.000Z', at('2026-12-14T09:00:00Z')],
      ['remind-overdue|2026-12-21T09:00:00.000Z', at('2026-12-21T09:00:00Z')],
      ['escalate-overdue|2026-12-07T09:00:00.000Z', at('2026-12-24T09:00:00Z')],
    ]);
  });

  test('working days skip weekends and public holidays (Easter 2027)', () => {
    // Wednesday 24 March 2027: Maundy Thursday, Good Friday, the weekend and Easter Monday are off.
    const d = sampleDeviation({
      createdAt: '2027-03-24T09:00:00.000Z',
      handlerSince: '2027-03-24T09:00:00.000Z',
      dueAt: '2027-04-07T09:00:00.000Z',
    });
    const byName = Object.fromEntries(names(d).map(([n, due]) => [timerName(n).what, due]));
    expect(byName['remind-not-taken']).toBe(at('2027-03-31T08:00:00Z')); // Tue 30, Wed 31; 10:00 summer time
    expect(byName['escalate-not-taken']).toBe(at('2027-04-05T08:00:00Z')); // summer time: 10:00 is 08:00Z
  });

  test('once taken, no "not taken" timers; the clock of each level starts when it gets the case', () => {
    const taken = { ...reported, status: 'under_behandling' as const };
    expect(names(taken).map(([n]) => timerName(n).what)).toEqual([
      'remind-overdue',
      'escalate-overdue',
    ]);
    const escalatedLate = { ...reported, handlerSince: '2026-12-22T09:00:00.000Z' };
    const overdue = deviationTimers(escalatedLate, DEFAULT_NUDGE_SETTINGS).find(
      (t) => timerName(t.name).what === 'escalate-overdue',
    );
    // Moved up after its due date: three working days from then, not from the due date.
    expect(overdue?.dueAt).toBe(at('2026-12-28T09:00:00Z')); // 23, 24, (25 off, weekend) 28
    expect(
      deviationTimers(escalatedLate, DEFAULT_NUDGE_SETTINGS).some(
        (t) => timerName(t.name).what === 'remind-overdue',
      ),
    ).toBe(false);
  });

  test('measures: on the due day at 08:00 and the next working day', () => {
    const d = {
      ...reported,
      status: 'tiltak_iverksatt' as const,
      measures: [{ text: 'Klemsikring', dueDate: '2026-12-18', byId: 'x', at: reported.createdAt }],
    };
    const byName = Object.fromEntries(names(d));
    expect(byName['measure-due|0']).toBe(at('2026-12-18T07:00:00Z')); // Friday 08:00
    expect(byName['measure-overdue|0']).toBe(at('2026-12-21T07:00:00Z')); // Monday 08:00
  });

  test('a possible personal-data breach: 24, 48 and 60 hours, exact, until Datatilsynet is notified', () => {
    const privacy = { ...reported, categoryId: 'informasjonssikkerhet' };
    const byName = Object.fromEntries(names(privacy));
    expect(byName['privacy|24']).toBe(at('2026-12-08T09:00:00Z'));
    expect(byName['privacy|48']).toBe(at('2026-12-09T09:00:00Z'));
    expect(byName['privacy|60']).toBe(at('2026-12-09T21:00:00Z'));
    const notified = { ...privacy, dpaNotifiedAt: '2026-12-07T12:00:00.000Z' };
    expect(names(notified).some(([n]) => n.startsWith('privacy'))).toBe(false);
  });

  test('a closed case has no timers; names are stable for the same state', () => {
    expect(deviationTimers({ ...reported, status: 'lukket' }, DEFAULT_NUDGE_SETTINGS)).toEqual([]);
    expect(deviationTimers(reported, DEFAULT_NUDGE_SETTINGS)).toEqual(
      deviationTimers({ ...reported, rev: 7 }, DEFAULT_NUDGE_SETTINGS),
    );
  });

  test('thresholds are settings', () => {
    const settings = { ...DEFAULT_NUDGE_SETTINGS, remindNotTakenDays: 1, escalateNotTakenDays: 3 };
    const byName = Object.fromEntries(
      deviationTimers(reported, settings).map((t) => [timerName(t.name).what, t.dueAt]),
    );
    expect(byName['remind-not-taken']).toBe(at('2026-12-08T09:00:00Z'));
    expect(byName['escalate-not-taken']).toBe(at('2026-12-10T09:00:00Z'));
  });
});
