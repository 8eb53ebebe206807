import { hasVisibleText } from '../kernel/visible-text';
import {
  isOpen,
  PRIVACY_CATEGORY_ID,
  type Deviation,
  type DeviationAction,
  type DeviationActionKind,
  type DeviationEvent,
  type DeviationStatus,
} from './deviation';

/**
 * The deviation state machine: registrert -> under_behandling -> tiltak_iverksatt -> lukket,
 * or avvist. Pure: callers pass the clock and the actor; authorisation is checked elsewhere.
 */

/** Actions that move the case through its statuses; recording the Datatilsynet notice does not. */
export type StatusAction = Exclude<DeviationActionKind, 'notifyDpa'>;

const ALLOWED: Record<StatusAction, ReadonlySet<DeviationStatus>> = {
  take: new Set(['registrert']),
  assign: new Set(['registrert', 'under_behandling', 'tiltak_iverksatt']),
  measure: new Set(['under_behandling', 'tiltak_iverksatt']),
  close: new Set(['under_behandling', 'tiltak_iverksatt']),
  reject: new Set(['registrert', 'under_behandling']),
  escalate: new Set(['registrert', 'under_behandling', 'tiltak_iverksatt']),
};

export function allowedActions(status: DeviationStatus): DeviationActionKind[] {
  return (Object.keys(ALLOWED) as StatusAction[]).filter((k) => ALLOWED[k].has(status));
}

/** A possible personal-data breach, still open, whose notice to Datatilsynet is not recorded. */
export function mayRecordDpaNotice(d: Deviation): boolean {
  return isOpen(d) && d.categoryId === PRIVACY_CATEGORY_ID && !d.dpaNotifiedAt;
}

export type WorkflowRefusal =
  | { code: 'invalid_transition'; status: DeviationStatus; action: DeviationActionKind }
  | { code: 'missing_field'; field: string }
  | { code: 'same_person' };

export type WorkflowResult =
  | { ok: true; deviation: Deviation; event: Omit<DeviationEvent, 'seq'> }
  | { ok: false; refusal: WorkflowRefusal };

export function applyDeviationAction(
  current: Deviation,
  action: DeviationAction,
  actorId: string,
  now: Date,
  actionId?: string,
): WorkflowResult {
  const allowed =
    action.kind === 'notifyDpa'
      ? mayRecordDpaNotice(current)
      : ALLOWED[action.kind].has(current.status);
  if (!allowed) {
    return {
      ok: false,
      refusal: { code: 'invalid_transition', status: current.status, action: action.kind },
    };
  }
  const at = now.toISOString();
  const next: Deviation = {
    ...current,
    rev: current.rev + 1,
    updatedAt: at,
    lastActionId: actionId,
  };
  let note: string | undefined;
  let targetId: string | undefined;

  switch (action.kind) {
    case 'take':
      next.status = 'under_behandling';
      if (current.handlerId !== actorId) next.handlerSince = at;
      next.handlerId = actorId;
      next.assigneeId = undefined;
      break;
    case 'assign':
      if (action.assigneeId === (current.assigneeId ?? current.handlerId))
        return { ok: false, refusal: { code: 'same_person' } };
      next.assigneeId = action.assigneeId;
      targetId = action.assigneeId;
      break;
    case 'measure':
      if (!hasVisibleText(action.text))
        return { ok: false, refusal: { code: 'missing_field', field: 'measureText' } };
      if (!action.dueDate)
        return { ok: false, refusal: { code: 'missing_field', field: 'measureDue' } };
      next.status = 'tiltak_iverksatt';
      next.measures = [
        ...current.measures,
        { text: action.text.trim(), dueDate: action.dueDate, byId: actorId, at },
      ];
      note = `${action.text.trim()} (${action.dueDate})`;
      break;
    case 'close':
      if (!hasVisibleText(action.cause))
        return { ok: false, refusal: { code: 'missing_field', field: 'cause' } };
      if (!hasVisibleText(action.measures))
        return { ok: false, refusal: { code: 'missing_field', field: 'closingMeasures' } };
      next.status = 'lukket';
      next.cause = action.cause.trim();
      next.closingMeasures = action.measures.trim();
      next.closedAt = at;
      note = next.cause;
      break;
    case 'reject':
      if (!hasVisibleText(action.reason))
        return { ok: false, refusal: { code: 'missing_field', field: 'rejectReason' } };
      next.status = 'avvist';
      next.rejectReason = action.reason.trim();
      next.closedAt = at;
      note = next.rejectReason;
      break;
    case 'escalate':
      if (action.toId === current.handlerId) return { ok: false, refusal: { code: 'same_person' } };
      next.handlerId = action.toId;
      next.handlerSince = at;
      next.assigneeId = undefined;
      next.escalations = current.escalations + 1;
      targetId = action.toId;
      break;
    case 'notifyDpa':
      next.dpaNotifiedAt = at;
      break;
  }

  const event: Omit<DeviationEvent, 'seq'> = {
    ref: current.ref,
    at,
    kind: action.kind,
    actorId,
    fromStatus: current.status,
    toStatus: next.status,
    targetId,
    note,
  };
  return { ok: true, deviation: next, event };
}
