import { peopleWithRole, responsibleLeader } from '../org/organisation';
import type { Organisation, Person } from '../org/organisation';
import type { ArshjulFile, OccurrencePlan } from './arshjul';
import { occurrencesIn } from './recurrence';

/** Which occurrences the årshjul gives in a period, who owns them and when to remind (pure). */

/**
 * `AH-<year>-<activityId>-<index>`, with `-<unitId>` for an occurrence per unit. Unit ids are
 * Azure Table key safe (no / \ # ? or control characters), so they are kept as they are.
 */
export function occurrenceRef(
  activityId: string,
  year: number,
  index: number,
  unitId?: string,
): string {
  const ref = `AH-${year}-${activityId}-${index}`;
  return unitId === undefined ? ref : `${ref}-${unitId}`;
}

/**
 * Every occurrence whose deadline is in [from, to] (Oslo dates 'YYYY-MM-DD', inclusive), sorted
 * by deadline then ref. Owner `{ unitLeaders }` gives one per unit of those kinds; `{ unit }` one
 * for that unit; `{ role }` one for the role. Refs are deterministic: planning twice gives the
 * same refs, so materialising again creates nothing new.
 */
export function planOccurrences(
  file: ArshjulFile,
  org: Organisation,
  from: string,
  to: string,
): OccurrencePlan[] {
  if (from > to) return [];
  // A deadline is on or after its nominal date and moves a few days at most: start a year early.
  const firstYear = Number(from.slice(0, 4)) - 1;
  const lastYear = Number(to.slice(0, 4));
  const plans: OccurrencePlan[] = [];
  for (const activity of file.activities) {
    const owner = activity.owner;
    const unitIds =
      'unitLeaders' in owner
        ? [...org.units.values()]
            .filter((u) => owner.unitLeaders.includes(u.kind))
            .map((u) => u.id)
            .sort()
        : [];
    for (let year = firstYear; year <= lastYear; year++) {
      for (const { index, nominal, deadline } of occurrencesIn(activity, year, file.elections)) {
        if (deadline < from || deadline > to) continue;
        const base = { activityId: activity.id, year, index, nominal, deadline };
        if ('role' in owner)
          plans.push({
            ref: occurrenceRef(activity.id, year, index),
            ...base,
            ownerRole: owner.role,
          });
        else if ('unit' in owner)
          // One occurrence per date whichever unit owns it: the ref leaves the unit out, so a
          // change of owner unit in the file never adds a second occurrence for the same date.
          plans.push({ ref: occurrenceRef(activity.id, year, index), ...base, unitId: owner.unit });
        else
          for (const unitId of unitIds)
            plans.push({ ref: occurrenceRef(activity.id, year, index, unitId), ...base, unitId });
      }
    }
  }
  return plans.sort((a, b) =>
    a.deadline !== b.deadline ? (a.deadline < b.deadline ? -1 : 1) : a.ref < b.ref ? -1 : 1,
  );
}

/**
 * The person who owns an occurrence: the unit's responsible leader (its own, else the nearest
 * above), or the first person holding the role (by id, so the choice does not depend on order).
 */
export function ownerOf(
  plan: Pick<OccurrencePlan, 'unitId' | 'ownerRole'>,
  org: Organisation,
): Person | undefined {
  if (plan.unitId !== undefined) return responsibleLeader(org, plan.unitId);
  if (plan.ownerRole !== undefined)
    return [...peopleWithRole(org, plan.ownerRole)].sort((a, b) => (a.id < b.id ? -1 : 1))[0];
  return undefined;
}

/** The unit in whose line the occurrence sits: its unit, or the role holder's unit. */
export function ownerUnitOf(
  plan: Pick<OccurrencePlan, 'unitId' | 'ownerRole'>,
  org: Organisation,
): string | undefined {
  return plan.unitId ?? ownerOf(plan, org)?.unitId;
}

export interface ReminderTime {
  /** `remind-<n>` for n days before the deadline, `due` on the deadline day. */
  name: string;
  /** Oslo date 'YYYY-MM-DD'. */
  at: string;
}

/**
 * The reminder dates of an occurrence: the deadline minus each lead day (calendar days), then the
 * deadline itself. Lead day 0 is the deadline day, which `due` already covers. Dates in the past
 * are kept: the caller drops them.
 */
export function reminderTimes(
  plan: Pick<OccurrencePlan, 'deadline'>,
  leadDays: readonly number[],
): ReminderTime[] {
  const days = [...new Set(leadDays)].filter((n) => n > 0).sort((a, b) => b - a);
  return [
    ...days.map((n) => ({ name: `remind-${n}`, at: addCalendarDays(plan.deadline, -n) })),
    { name: 'due', at: plan.deadline },
  ];
}

function addCalendarDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}
