import type { Deviation, DeviationEvent } from '../../bot/deviations/deviation';

/** A suggestion for the sample; pass { suggestion: SAMPLE_SUGGESTION } to have one. */
export const SAMPLE_SUGGESTION = 'Montere klemsikring på dørene.';

/**
 * A deviation as stored just after it was reported (demo org ids), without a suggestion;
 * override what a test needs.
 */
export function sampleDeviation(overrides: Partial<Deviation> = {}): Deviation {
  return {
    ref: 'AVV-2026-0042',
    rev: 1,
    type: 'avvik',
    categoryId: 'hms',
    unitId: 'sentrum-barnehage',
    occurredOn: '2026-11-26',
    occurredTime: '14:30',
    description: 'Et barn klemte fingeren i døra på avdeling Blåbær.',
    immediateAction: 'Kjølte fingeren og ringte foreldrene.',
    severity: 'middels',
    anonymous: false,
    reporterId: '7c1a2b3d-0001-4a10-9c01-000000000401',
    reporterName: 'Emil Vik',
    reporterLocale: 'nb-NO',
    status: 'registrert',
    handlerId: '00000000-0000-0000-0000-0000000000020',
    escalations: 0,
    measures: [],
    createdAt: '2026-11-27T08:00:00.000Z',
    updatedAt: '2026-11-27T08:00:00.000Z',
    dueAt: '2026-12-11T08:00:00.000Z',
    ...overrides,
  };
}

export function reportedEvent(d: Deviation): DeviationEvent {
  return {
    ref: d.ref,
    seq: 1,
    at: d.createdAt,
    kind: 'reported',
    actorId: d.reporterId,
    toStatus: 'registrert',
  };
}

/** The next state and its audit event, as the workflow would produce them (enough for store tests). */
export function changed(
  before: Deviation,
  patch: Partial<Deviation>,
  kind: DeviationEvent['kind'],
  actorId = before.handlerId,
): { after: Deviation; event: DeviationEvent } {
  const after: Deviation = {
    ...before,
    ...patch,
    rev: before.rev + 1,
    updatedAt: new Date(Date.parse(before.updatedAt) + 60000).toISOString(),
  };
  return {
    after,
    event: {
      ref: before.ref,
      seq: after.rev,
      at: after.updatedAt,
      kind,
      actorId,
      fromStatus: before.status,
      toStatus: after.status,
    },
  };
}
