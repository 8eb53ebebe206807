import type { Deviation, DeviationAction, DeviationStatus } from '../../bot/deviations/deviation';
import { STATUSES } from '../../bot/deviations/deviation';
import {
  allowedActions,
  type StatusAction,
  applyDeviationAction,
  type WorkflowResult,
} from '../../bot/deviations/deviation-workflow';
import { SAMPLE_SUGGESTION, sampleDeviation } from '../support/sample-deviation';
import { deepFreeze, NOW } from './fixtures';

const HANDLER = 'leader-a';
const OTHER_LEADER = 'leader-a2';
const ABOVE = 'radmann';

function deviation(status: DeviationStatus, overrides: Partial<Deviation> = {}): Deviation {
  return deepFreeze(
    sampleDeviation({
      suggestion: SAMPLE_SUGGESTION,
      status,
      handlerId: HANDLER,
      rev: 3,
      lastActionId: 'previous-action',
      measures:
        status === 'tiltak_iverksatt'
          ? [
              {
                text: 'Første tiltak',
                dueDate: '2026-12-01',
                byId: HANDLER,
                at: '2026-11-20T09:00:00.000Z',
              },
            ]
          : [],
      ...overrides,
    }),
  );
}

/** A well-formed action of each kind, so only the status decides whether it is allowed. */
const VALID_ACTION: Record<StatusAction, DeviationAction> = {
  take: { kind: 'take' },
  assign: { kind: 'assign', assigneeId: OTHER_LEADER },
  measure: { kind: 'measure', text: 'Montere klemsikring', dueDate: '2026-12-15' },
  close: {
    kind: 'close',
    cause: 'Manglende klemsikring',
    measures: 'Klemsikring montert på alle dører',
  },
  reject: { kind: 'reject', reason: 'Gjelder ikke kommunens tjenester' },
  escalate: { kind: 'escalate', toId: ABOVE },
};

const ACTIONS: StatusAction[] = ['take', 'assign', 'measure', 'close', 'reject', 'escalate'];

/** The workflow as the domain describes it: written out by hand, not derived from the code. */
const EXPECTED: Record<DeviationStatus, Record<StatusAction, boolean>> = {
  registrert: {
    take: true,
    assign: true,
    measure: false,
    close: false,
    reject: true,
    escalate: true,
  },
  under_behandling: {
    take: false,
    assign: true,
    measure: true,
    close: true,
    reject: true,
    escalate: true,
  },
  tiltak_iverksatt: {
    take: false,
    assign: true,
    measure: true,
    close: true,
    reject: false,
    escalate: true,
  },
  lukket: {
    take: false,
    assign: false,
    measure: false,
    close: false,
    reject: false,
    escalate: false,
  },
  avvist: {
    take: false,
    assign: false,
    measure: false,
    close: false,
    reject: false,
    escalate: false,
  },
};

function expectOk(result: WorkflowResult) {
  if (!result.ok) throw new Error(`expected ok, got refusal ${JSON.stringify(result.refusal)}`);
  return result;
}

describe('applyDeviationAction: the status matrix', () => {
  const cases = STATUSES.flatMap((status) =>
    ACTIONS.map((action) => [status, action, EXPECTED[status][action]] as const),
  );

  test('the matrix covers all 5 statuses x 6 actions', () => {
    expect(cases).toHaveLength(30);
    expect(new Set(STATUSES)).toEqual(new Set(Object.keys(EXPECTED)));
  });

  test.each(cases)('%s + %s -> allowed: %s', (status, action, allowed) => {
    const current = deviation(status);
    const before = structuredClone(current);
    const result = applyDeviationAction(current, VALID_ACTION[action], HANDLER, NOW, 'action-1');
    expect(result.ok).toBe(allowed);
    if (!result.ok) {
      expect(result.refusal).toEqual({ code: 'invalid_transition', status, action });
    }
    expect(current).toEqual(before);
  });

  test.each(STATUSES)('allowedActions(%s) lists exactly the allowed actions', (status) => {
    const expected = ACTIONS.filter((a) => EXPECTED[status][a]);
    expect([...allowedActions(status)].sort()).toEqual([...expected].sort());
  });
});

describe('applyDeviationAction: the main path registrert -> under_behandling -> tiltak_iverksatt -> lukket', () => {
  test('each step moves the status, bumps rev by one, records the action id and the event', () => {
    let d = deviation('registrert');

    const taken = expectOk(applyDeviationAction(d, { kind: 'take' }, HANDLER, NOW, 'a1'));
    expect(taken.deviation.status).toBe('under_behandling');
    expect(taken.deviation.rev).toBe(d.rev + 1);
    expect(taken.deviation.lastActionId).toBe('a1');
    expect(taken.deviation.updatedAt).toBe(NOW.toISOString());
    expect(taken.event).toMatchObject({
      ref: d.ref,
      kind: 'take',
      actorId: HANDLER,
      fromStatus: 'registrert',
      toStatus: 'under_behandling',
      at: NOW.toISOString(),
    });
    expect(taken.deviation.closedAt).toBeUndefined();
    d = deepFreeze(taken.deviation);

    const later = new Date(NOW.getTime() + 60_000);
    const measured = expectOk(applyDeviationAction(d, VALID_ACTION.measure, HANDLER, later, 'a2'));
    expect(measured.deviation.status).toBe('tiltak_iverksatt');
    expect(measured.deviation.rev).toBe(d.rev + 1);
    expect(measured.deviation.lastActionId).toBe('a2');
    expect(measured.deviation.measures).toEqual([
      {
        text: 'Montere klemsikring',
        dueDate: '2026-12-15',
        byId: HANDLER,
        at: later.toISOString(),
      },
    ]);
    expect(measured.event).toMatchObject({
      kind: 'measure',
      fromStatus: 'under_behandling',
      toStatus: 'tiltak_iverksatt',
    });
    expect(measured.event.note).toContain('Montere klemsikring');
    expect(measured.deviation.closedAt).toBeUndefined();
    d = deepFreeze(measured.deviation);

    const closed = expectOk(applyDeviationAction(d, VALID_ACTION.close, HANDLER, later, 'a3'));
    expect(closed.deviation.status).toBe('lukket');
    expect(closed.deviation.rev).toBe(d.rev + 1);
    expect(closed.deviation.cause).toBe('Manglende klemsikring');
    expect(closed.deviation.closingMeasures).toBe('Klemsikring montert på alle dører');
    expect(closed.deviation.closedAt).toBe(later.toISOString());
    expect(closed.deviation.lastActionId).toBe('a3');
    expect(closed.event).toMatchObject({
      kind: 'close',
      fromStatus: 'tiltak_iverksatt',
      toStatus: 'lukket',
      note: 'Manglende klemsikring',
    });
  });

  test('close straight from under_behandling', () => {
    const result = expectOk(
      applyDeviationAction(deviation('under_behandling'), VALID_ACTION.close, HANDLER, NOW),
    );
    expect(result.deviation.status).toBe('lukket');
    expect(result.deviation.closedAt).toBe(NOW.toISOString());
    expect(result.event).toMatchObject({ fromStatus: 'under_behandling', toStatus: 'lukket' });
  });

  test('a second measure keeps the first and stays tiltak_iverksatt', () => {
    const current = deviation('tiltak_iverksatt');
    const result = expectOk(applyDeviationAction(current, VALID_ACTION.measure, HANDLER, NOW));
    expect(result.deviation.measures).toHaveLength(2);
    expect(result.deviation.measures[0]).toEqual(current.measures[0]);
    expect(result.deviation.status).toBe('tiltak_iverksatt');
    expect(current.measures).toHaveLength(1);
  });

  test('take makes the actor the handler and clears an assignee', () => {
    const current = deviation('registrert', { assigneeId: OTHER_LEADER });
    const result = expectOk(applyDeviationAction(current, { kind: 'take' }, ABOVE, NOW));
    expect(result.deviation.handlerId).toBe(ABOVE);
    expect(result.deviation.assigneeId).toBeUndefined();
  });
});

describe('applyDeviationAction: avvist', () => {
  test.each(['registrert', 'under_behandling'] as const)(
    'reject from %s sets reason, closedAt and the event',
    (status) => {
      const current = deviation(status);
      const result = expectOk(
        applyDeviationAction(
          current,
          { kind: 'reject', reason: '  Ikke et avvik  ' },
          HANDLER,
          NOW,
          'r1',
        ),
      );
      expect(result.deviation.status).toBe('avvist');
      expect(result.deviation.rejectReason).toBe('Ikke et avvik');
      expect(result.deviation.closedAt).toBe(NOW.toISOString());
      expect(result.deviation.rev).toBe(current.rev + 1);
      expect(result.deviation.lastActionId).toBe('r1');
      expect(result.event).toMatchObject({
        kind: 'reject',
        fromStatus: status,
        toStatus: 'avvist',
        note: 'Ikke et avvik',
      });
    },
  );

  test.each(['', '   ', '\n\t'])('reject needs a reason (%j)', (reason) => {
    const current = deviation('registrert');
    const before = structuredClone(current);
    const result = applyDeviationAction(current, { kind: 'reject', reason }, HANDLER, NOW);
    expect(result).toEqual({
      ok: false,
      refusal: { code: 'missing_field', field: 'rejectReason' },
    });
    expect(current).toEqual(before);
  });
});

describe('applyDeviationAction: refusals change nothing', () => {
  test('registrert -> close is an invalid transition and the input is untouched', () => {
    const current = deviation('registrert');
    const before = structuredClone(current);
    const result = applyDeviationAction(current, VALID_ACTION.close, HANDLER, NOW, 'x');
    expect(result).toEqual({
      ok: false,
      refusal: { code: 'invalid_transition', status: 'registrert', action: 'close' },
    });
    expect(current).toEqual(before);
    expect(current.lastActionId).toBe('previous-action');
  });

  test.each([
    [{ kind: 'close', cause: '', measures: 'Tiltak' }, 'cause'],
    [{ kind: 'close', cause: '   ', measures: 'Tiltak' }, 'cause'],
    [{ kind: 'close', cause: 'Årsak', measures: '' }, 'closingMeasures'],
    [{ kind: 'close', cause: 'Årsak', measures: ' \n ' }, 'closingMeasures'],
    [{ kind: 'measure', text: '', dueDate: '2026-12-01' }, 'measureText'],
    [{ kind: 'measure', text: 'Tiltak', dueDate: '' }, 'measureDue'],
  ] as [DeviationAction, string][])('%j is refused with missing_field %s', (action, field) => {
    const current = deviation('under_behandling');
    const before = structuredClone(current);
    const result = applyDeviationAction(current, action, HANDLER, NOW);
    expect(result).toEqual({ ok: false, refusal: { code: 'missing_field', field } });
    expect(current).toEqual(before);
  });

  test('closing trims cause and measures', () => {
    const result = expectOk(
      applyDeviationAction(
        deviation('under_behandling'),
        { kind: 'close', cause: '  Årsak ', measures: ' Tiltak  ' },
        HANDLER,
        NOW,
      ),
    );
    expect(result.deviation.cause).toBe('Årsak');
    expect(result.deviation.closingMeasures).toBe('Tiltak');
  });
});

describe('applyDeviationAction: assign and escalate', () => {
  test('assign sets the assignee, keeps the status and handler, and names the target in the event', () => {
    const current = deviation('under_behandling');
    const result = expectOk(
      applyDeviationAction(current, { kind: 'assign', assigneeId: OTHER_LEADER }, HANDLER, NOW),
    );
    expect(result.deviation.assigneeId).toBe(OTHER_LEADER);
    expect(result.deviation.handlerId).toBe(HANDLER);
    expect(result.deviation.status).toBe('under_behandling');
    expect(result.event).toMatchObject({
      kind: 'assign',
      targetId: OTHER_LEADER,
      fromStatus: 'under_behandling',
      toStatus: 'under_behandling',
    });
  });

  test('assign to the handler when nobody else holds it is refused (same_person)', () => {
    const current = deviation('under_behandling');
    const before = structuredClone(current);
    expect(
      applyDeviationAction(current, { kind: 'assign', assigneeId: HANDLER }, HANDLER, NOW),
    ).toEqual({ ok: false, refusal: { code: 'same_person' } });
    expect(current).toEqual(before);
  });

  test('assign to the current assignee is refused (same_person)', () => {
    const current = deviation('under_behandling', { assigneeId: OTHER_LEADER });
    expect(
      applyDeviationAction(current, { kind: 'assign', assigneeId: OTHER_LEADER }, HANDLER, NOW),
    ).toEqual({ ok: false, refusal: { code: 'same_person' } });
  });

  test('escalate moves the handler up, clears the assignee and counts the escalation', () => {
    const current = deviation('registrert', { assigneeId: OTHER_LEADER, escalations: 1 });
    const result = expectOk(
      applyDeviationAction(current, { kind: 'escalate', toId: ABOVE }, HANDLER, NOW, 'e1'),
    );
    expect(result.deviation.handlerId).toBe(ABOVE);
    expect(result.deviation.assigneeId).toBeUndefined();
    expect(result.deviation.escalations).toBe(2);
    expect(result.deviation.status).toBe('registrert');
    expect(result.deviation.rev).toBe(current.rev + 1);
    expect(result.deviation.closedAt).toBeUndefined();
    expect(result.event).toMatchObject({
      kind: 'escalate',
      targetId: ABOVE,
      fromStatus: 'registrert',
      toStatus: 'registrert',
      actorId: HANDLER,
    });
    expect(current.handlerId).toBe(HANDLER);
    expect(current.escalations).toBe(1);
  });

  test('escalate to the current handler is refused (same_person)', () => {
    const current = deviation('under_behandling');
    expect(
      applyDeviationAction(current, { kind: 'escalate', toId: HANDLER }, HANDLER, NOW),
    ).toEqual({ ok: false, refusal: { code: 'same_person' } });
  });
});

describe('recording that Datatilsynet was notified (GDPR art. 33)', () => {
  const privacyCase = (status: DeviationStatus, extra: Partial<Deviation> = {}) =>
    deviation(status, { categoryId: 'informasjonssikkerhet', ...extra });

  test.each(['registrert', 'under_behandling', 'tiltak_iverksatt'] as const)(
    'an open privacy case (%s) records the time; the status stays',
    (status) => {
      const result = expectOk(
        applyDeviationAction(privacyCase(status), { kind: 'notifyDpa' }, HANDLER, NOW, 'a'),
      );
      expect(result.deviation.dpaNotifiedAt).toBe(NOW.toISOString());
      expect(result.deviation.status).toBe(status);
      expect(result.event).toMatchObject({
        kind: 'notifyDpa',
        fromStatus: status,
        toStatus: status,
      });
    },
  );

  test.each([
    ['another category', deviation('registrert')],
    ['a closed case', privacyCase('lukket')],
    ['a rejected case', privacyCase('avvist')],
    [
      'a case already recorded',
      privacyCase('registrert', { dpaNotifiedAt: '2026-11-26T10:00:00.000Z' }),
    ],
  ])('refused for %s, nothing changes', (_what, d) => {
    const before = structuredClone(d);
    const result = applyDeviationAction(d, { kind: 'notifyDpa' }, HANDLER, NOW, 'a');
    expect(result.ok).toBe(false);
    expect(d).toEqual(before);
  });
});
