import { sampleDeviation as baseSample } from '../support/sample-deviation';
import fs from 'node:fs';
import path from 'node:path';
import type { Deviation } from '../../bot/deviations/deviation';
import { parseOrgFile } from '../../bot/org/org-file';
import type { Organisation } from '../../bot/org/organisation';

/** Shared test data for the unit suites. Every suite uses this fixed clock, never Date.now(). */
export const NOW = new Date('2026-11-27T10:00:00.000Z');

export const DEMO_ORG_PATH = path.join(
  __dirname,
  '..',
  '..',
  'bot',
  'org',
  'demo',
  'heim-kommune.json',
);

export function readDemoOrgJson(): Record<string, any> {
  return JSON.parse(fs.readFileSync(DEMO_ORG_PATH, 'utf8'));
}

export function demoOrg(): Organisation {
  const result = parseOrgFile(readDemoOrgJson());
  if (!result.ok) throw new Error(`demo org invalid: ${result.errors.join('; ')}`);
  return result.org;
}

/** People of the demo org used by the card suites (ids from bot/org/demo/heim-kommune.json). */
export const DEMO = {
  radmann: '00000000-0000-0000-0000-0000000000021',
  barnehageLeader: '00000000-0000-0000-0000-0000000000020', // Ingrid Haugen, leads sentrum-barnehage
  barnehageSubLeader: '00000000-0000-0000-0000-0000000000024', // Sofie Lunde, leder in sentrum-barnehage
  barnehageEmployee: '7c1a2b3d-0001-4a10-9c01-000000000401', // Emil Vik, ansatt
  barnehageEmployeeName: 'Emil Vik',
  skoleLeader: '7c1a2b3d-0001-4a10-9c01-000000000101',
  skoleEmployee: '7c1a2b3d-0001-4a10-9c01-000000000402',
} as const;

/** The shared sample (tests/support), with a suggestion too so every card section shows. */
export function sampleDeviation(overrides: Partial<Deviation> = {}): Deviation {
  return baseSample({ suggestion: 'Montere klemsikring på dørene.', ...overrides });
}

/** Freezes an object graph so that any mutation throws (test files run in strict mode). */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}
