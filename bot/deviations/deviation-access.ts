import { isInLineAbove, leadersInUnit, type Organisation } from '../org/organisation';
import type { Deviation } from './deviation';

/**
 * Who may do what with a deviation. Handlers: the responsible leader, the leader it is
 * assigned to, and the line above the unit. Reporters see their own report's status but
 * never act on it as handler unless they also hold one of those roles.
 */

export function mayHandle(org: Organisation, d: Deviation, personId: string): boolean {
  return d.handlerId === personId || d.assigneeId === personId || isInLineAbove(org, d.unitId, personId);
}

/** The audit trail and the full card: handlers, and the reporter for their own report. */
export function mayView(org: Organisation, d: Deviation, personId: string): boolean {
  return mayHandle(org, d, personId) || d.reporterId === personId;
}

/** Hides the reporter from anyone but the reporter when they asked to be anonymous. */
export function mayKnowReporter(d: Deviation, viewerId: string): boolean {
  return !d.anonymous || d.reporterId === viewerId;
}

/** Leaders in the deviation's unit that it may be assigned to (not the one holding it now). */
export function assignableLeaders(org: Organisation, d: Deviation) {
  const holder = d.assigneeId ?? d.handlerId;
  return leadersInUnit(org, d.unitId).filter((p) => p.id !== holder);
}
