import {
  isInLineAbove,
  leadersInUnit,
  leadersUpTheLine,
  type Organisation,
  type Person,
} from '../org/organisation';
import type { Deviation } from './deviation';

/**
 * Who may do what with a deviation. Handlers: the responsible leader, the leader it is
 * assigned to, and the leaders of the line above the responsible one. Once escalated, the
 * unit's own leader is below the new responsible and no longer acts on it. Reporters see
 * their own report's status but never act on it unless they also hold one of those roles.
 */

export function mayHandle(org: Organisation, d: Deviation, personId: string): boolean {
  if (d.handlerId === personId || d.assigneeId === personId) return true;
  return lineAboveResponsible(org, d).some((leader) => leader.id === personId);
}

/** The leaders up the line from the deviation's unit who stand above its responsible leader. */
export function lineAboveResponsible(org: Organisation, d: Deviation): Person[] {
  const line = leadersUpTheLine(org, d.unitId);
  return line.slice(line.findIndex((leader) => leader.id === d.handlerId) + 1);
}

/** The audit trail and the full card: handlers, every leader of the unit's line, and the reporter. */
export function mayView(org: Organisation, d: Deviation, personId: string): boolean {
  return (
    mayHandle(org, d, personId) ||
    d.reporterId === personId ||
    isInLineAbove(org, d.unitId, personId)
  );
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
