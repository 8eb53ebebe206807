import type { Occurrence } from '../../bot/arshjul/arshjul';

/**
 * One årshjul occurrence the unit suites share: Sentrum barnehage's virksomhetsplan for 2027
 * (31 January is a Sunday, so the deadline is Monday 1 February), open, never changed.
 */
export function sampleOccurrence(overrides: Partial<Occurrence> = {}): Occurrence {
  return {
    ref: 'AH-2027-virksomhetsplan-1-sentrum-barnehage',
    rev: 1,
    activityId: 'virksomhetsplan',
    year: 2027,
    index: 1,
    unitId: 'sentrum-barnehage',
    nominal: '2027-01-31',
    deadline: '2027-02-01',
    status: 'open',
    helpCount: 0,
    sequence: 0,
    ...overrides,
  };
}
