import { DEMO_PEOPLE } from '../support/demo-people';

/** Shared test data for the unit suites. Every suite uses this fixed clock, never Date.now(). */
export const NOW = new Date('2026-11-27T10:00:00.000Z');

export { demoOrg, readDemoOrgJson } from '../support/demo-org';

/** People of the demo org used by the card suites, by their role (tests/support/demo-people). */
export const DEMO = {
  radmann: DEMO_PEOPLE.per.id,
  barnehageLeader: DEMO_PEOPLE.ingrid.id, // Ingrid Haugen, leads sentrum-barnehage
  barnehageSubLeader: DEMO_PEOPLE.sofie.id, // Sofie Lunde, leder in sentrum-barnehage
  barnehageEmployee: DEMO_PEOPLE.emil.id, // Emil Vik, ansatt
  barnehageEmployeeName: DEMO_PEOPLE.emil.name,
  skoleLeader: DEMO_PEOPLE.marte.id,
  skoleEmployee: DEMO_PEOPLE.anders.id,
  personvernombud: DEMO_PEOPLE.ida.id,
} as const;

/** Freezes an object graph so that any mutation throws (test files run in strict mode). */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}
