import type { Category } from './categories';

/** The organisation as the bot sees it: people, units and the line. Pure: no I/O. */

export const ROLES = [
  'rådmann',
  'assisterende rådmann',
  'kommunalsjef',
  'enhetsleder',
  'stabsleder',
  'leder',
  'ansatt',
  /** Data protection officer (GDPR art. 37): hears of possible personal-data breaches. */
  'personvernombud',
] as const;
export type Role = (typeof ROLES)[number];

export const UNIT_KINDS = ['rådmannsnivå', 'enhet', 'stab'] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];

export interface Person {
  /** Microsoft Entra object id (Teams `from.aadObjectId`). */
  id: string;
  name: string;
  email?: string;
  role: Role;
  unitId: string;
}

export interface Unit {
  id: string;
  name: string;
  kind: UnitKind;
  /** Parent in the line; absent only for the top (rådmannsnivå). */
  parentId?: string;
  /** The person who leads the unit (rådmann, enhetsleder, stabsleder or leder). */
  leaderId?: string;
}

export interface Organisation {
  people: ReadonlyMap<string, Person>;
  units: ReadonlyMap<string, Unit>;
}

/** Every role but 'ansatt' and 'personvernombud' leads or stands in the line above others. */
const LEADER_ROLES: ReadonlySet<Role> = new Set<Role>(
  ROLES.filter((r) => r !== 'ansatt' && r !== 'personvernombud'),
);

export function isLeaderRole(role: Role): boolean {
  return LEADER_ROLES.has(role);
}

export function makeOrganisation(people: Person[], units: Unit[]): Organisation {
  return {
    people: new Map(people.map((p) => [p.id, p])),
    units: new Map(units.map((u) => [u.id, u])),
  };
}

/** The unit and every unit above it, nearest first. Stops on a cycle. */
export function unitChainUp(org: Organisation, unitId: string): Unit[] {
  const chain: Unit[] = [];
  const seen = new Set<string>();
  let current = org.units.get(unitId);
  while (current && !seen.has(current.id)) {
    chain.push(current);
    seen.add(current.id);
    current = current.parentId ? org.units.get(current.parentId) : undefined;
  }
  return chain;
}

/** The leaders responsible for a unit, nearest first: its own leader, then the line above. */
export function leadersUpTheLine(org: Organisation, unitId: string): Person[] {
  const leaders: Person[] = [];
  for (const unit of unitChainUp(org, unitId)) {
    const leader = unit.leaderId ? org.people.get(unit.leaderId) : undefined;
    if (leader && !leaders.some((l) => l.id === leader.id)) leaders.push(leader);
  }
  return leaders;
}

/** The responsible leader of a unit: its own leader, else the nearest leader above. */
export function responsibleLeader(org: Organisation, unitId: string): Person | undefined {
  return leadersUpTheLine(org, unitId)[0];
}

/** The leader one level above a given leader for a unit (used for escalation). */
export function leaderAbove(
  org: Organisation,
  unitId: string,
  leaderId: string,
): Person | undefined {
  const line = leadersUpTheLine(org, unitId);
  const index = line.findIndex((p) => p.id === leaderId);
  if (index === -1) return line[0];
  return line[index + 1];
}

/** The unit and every unit below it. Stops on a cycle. */
export function unitAndBelow(org: Organisation, unitId: string): Unit[] {
  const found = new Map<string, Unit>();
  const queue = [org.units.get(unitId)].filter((u): u is Unit => u !== undefined);
  while (queue.length > 0) {
    const unit = queue.shift()!;
    if (found.has(unit.id)) continue;
    found.set(unit.id, unit);
    for (const child of org.units.values()) if (child.parentId === unit.id) queue.push(child);
  }
  return [...found.values()];
}

/** Every unit a person leads, and every unit below those. */
export function unitsLedBy(org: Organisation, personId: string): Unit[] {
  const result = new Map<string, Unit>();
  for (const root of org.units.values())
    if (root.leaderId === personId)
      for (const unit of unitAndBelow(org, root.id)) result.set(unit.id, unit);
  return [...result.values()];
}

/** Leaders who belong to a unit (its leader and people with a leader role in it). */
export function leadersInUnit(org: Organisation, unitId: string): Person[] {
  const unit = org.units.get(unitId);
  const members = [...org.people.values()].filter(
    (p) => p.unitId === unitId && isLeaderRole(p.role),
  );
  const leader = unit?.leaderId ? org.people.get(unit.leaderId) : undefined;
  if (leader && !members.some((m) => m.id === leader.id)) members.unshift(leader);
  return members;
}

/** People with a role, e.g. the personvernombud who hears of possible personal-data breaches. */
export function peopleWithRole(org: Organisation, role: Role): Person[] {
  return [...org.people.values()].filter((p) => p.role === role);
}

/** Is `personId` the leader of the unit or of a unit above it? */
export function isInLineAbove(org: Organisation, unitId: string, personId: string): boolean {
  return unitChainUp(org, unitId).some((u) => u.leaderId === personId);
}

/** The organisation as read at one moment, with the municipality's catalogues. */
export interface OrgSnapshot {
  municipality: string;
  org: Organisation;
  categories: Category[];
}

/** The port features read the organisation through (cached table reads in org-store.ts). */
export interface OrgDirectory {
  snapshot(): Promise<OrgSnapshot>;
}
