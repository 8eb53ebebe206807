import { z } from 'zod';
import { describePath, issuesOf, keySafeId } from '../kernel/data-file';
import { ROLES, UNIT_KINDS, peopleWithRole, responsibleLeader } from '../org/organisation';
import type { Organisation } from '../org/organisation';
import {
  DEFAULT_LEAD_DAYS,
  type Activity,
  type ArshjulFile,
  type Owner,
  type Recurrence,
} from './arshjul';

/**
 * The årshjul file a municipality maintains (docs/arshjul-format.md): JSON, validated completely
 * before anything is stored. Every error names the entry (by index and id) and the field, e.g.
 * `activities[3] (id "tertialrapport").recurrence.dates[1]: must be MM-DD`.
 */

const ACTIVITY_ID = /^[a-z0-9-]{2,40}$/;

/** As in the organisation file: it may become part of a table key. */
const unitId = keySafeId;

/** A real day in every year: 02-29 is refused, it would skip three years in four. */
const monthDay = z.string().superRefine((value, ctx) => {
  const match = /^(\d{2})-(\d{2})$/.exec(value);
  if (!match) {
    ctx.addIssue({ code: 'custom', message: 'must be MM-DD' });
    return;
  }
  if (value === '02-29') {
    ctx.addIssue({
      code: 'custom',
      message: 'must be MM-DD on a day every year has; 02-29 exists only in leap years',
    });
    return;
  }
  // 2025 is not a leap year; a date that rolls over (02-30 → 03-02) is not a real day.
  const [m, d] = [Number(match[1]), Number(match[2])];
  const date = new Date(Date.UTC(2025, m - 1, d));
  if (date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d)
    ctx.addIssue({ code: 'custom', message: `must be MM-DD: "${value}" is not a day of the year` });
});

const year = z.number().int().min(1900).max(2200);

function distinct<T>(what: string) {
  return (values: T[], ctx: z.RefinementCtx) => {
    const seen = new Set<T>();
    values.forEach((value, i) => {
      if (seen.has(value))
        ctx.addIssue({ code: 'custom', path: [i], message: `duplicate ${what} "${value}"` });
      seen.add(value);
    });
  };
}

const localised = z
  .object({
    nb: z.string().trim().min(1).max(300),
    en: z.string().trim().min(1).max(300),
  })
  .strict();

const legalBasis = z
  .object({
    law: z.string().trim().min(1).max(200),
    section: z.string().trim().min(1).max(200),
    url: z
      .string()
      .regex(/^https:\/\/lovdata\.no\/\S+$/, 'must be a Lovdata address (https://lovdata.no/...)'),
  })
  .strict();

/** Written as one of three shapes; checked field by field so an error names the bad field. */
const owner = z
  .object({
    role: z.enum(ROLES).optional(),
    unit: unitId.optional(),
    unitLeaders: z.array(z.enum(UNIT_KINDS)).min(1).superRefine(distinct('unit kind')).optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    const given = [o.role, o.unit, o.unitLeaders].filter((v) => v !== undefined).length;
    if (given !== 1)
      ctx.addIssue({
        code: 'custom',
        message: 'give exactly one of { "role" }, { "unit" } or { "unitLeaders": [kinds] }',
      });
  })
  .transform((o): Owner => {
    if (o.role !== undefined) return { role: o.role };
    if (o.unit !== undefined) return { unit: o.unit };
    return { unitLeaders: o.unitLeaders ?? [] };
  });

const recurrence = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('yearly'), date: monthDay }).strict(),
  z
    .object({
      kind: z.literal('dates'),
      // Sorted on the way in: an occurrence's index is its place in the year, not in the file.
      dates: z
        .array(monthDay)
        .min(1)
        .max(12)
        .superRefine(distinct('date'))
        .transform((dates) => [...dates].sort()),
    })
    .strict(),
  z
    .object({
      kind: z.literal('everyYears'),
      every: z.number().int().min(1).max(20),
      from: year,
      date: monthDay,
    })
    .strict(),
  z
    .object({
      kind: z.literal('afterElection'),
      yearsAfter: z.number().int().min(0).max(3),
      date: monthDay,
    })
    .strict(),
]);

const activity = z
  .object({
    id: z.string().regex(ACTIVITY_ID, 'lower-case letters, digits and dashes, 2–40 characters'),
    /** Notes for the people who edit the file (sources, verified or not); not stored. */
    comment: z.string().optional(),
    name: localised,
    due: localised,
    legalBasis: legalBasis.optional(),
    owner,
    audience: z
      .object({
        roles: z.array(z.enum(ROLES)).superRefine(distinct('role')).default([]),
        channels: z.boolean().default(true),
      })
      .strict()
      .default({}),
    recurrence,
    leadDays: z
      .array(z.number().int().min(0).max(365))
      .max(10)
      .superRefine(distinct('lead day'))
      .default([...DEFAULT_LEAD_DAYS])
      .transform((days) => [...days].sort((a, b) => b - a)),
  })
  .strict()
  // A fixed key order and no comment: the store compares activities as JSON text.
  .transform((a): Activity => ({
    id: a.id,
    name: a.name,
    due: a.due,
    ...(a.legalBasis ? { legalBasis: a.legalBasis } : {}),
    owner: a.owner,
    audience: { roles: a.audience.roles, channels: a.audience.channels },
    recurrence: a.recurrence as Recurrence,
    leadDays: a.leadDays,
  }));

export const arshjulFileSchema = z
  .object({
    $comment: z.string().optional(),
    municipality: z.string().trim().min(1).max(100),
    elections: z.object({ firstYear: year, everyYears: z.number().int().min(1).max(10) }).strict(),
    activities: z.array(activity).max(500),
  })
  .strict()
  .transform((f): ArshjulFile => ({
    municipality: f.municipality,
    elections: f.elections,
    activities: f.activities,
  }));

export type ArshjulFileResult = { ok: true; file: ArshjulFile } | { ok: false; errors: string[] };

/** Validates an årshjul file; each error names the entry (by index and id) and the field. */
export function parseArshjulFile(json: unknown): ArshjulFileResult {
  const parsed = arshjulFileSchema.safeParse(json);
  // Checked on the raw input: a refinement of the whole file would hide behind any field error.
  const errors = duplicateIds(json);
  if (!parsed.success) errors.unshift(...issuesOf(parsed.error, json));
  if (errors.length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, file: parsed.data };
}

function duplicateIds(json: unknown): string[] {
  const activities = (json as { activities?: unknown } | null)?.activities;
  if (!Array.isArray(activities)) return [];
  const seen = new Set<string>();
  const errors: string[] = [];
  activities.forEach((entry: unknown, i) => {
    const id = (entry as { id?: unknown } | null)?.id;
    if (typeof id !== 'string') return;
    if (seen.has(id))
      errors.push(`${describePath(json, ['activities', i, 'id'])}: duplicate activity id "${id}"`);
    seen.add(id);
  });
  return errors;
}

/**
 * What in a valid file does not fit the organisation (warnings, not errors: the organisation may
 * be imported after the årshjul): an owner unit that does not exist or has no leader in its line,
 * a role no one holds, unit kinds with no units.
 */
export function checkAgainstOrg(file: ArshjulFile, org: Organisation): string[] {
  const warnings: string[] = [];
  const kinds = new Set([...org.units.values()].map((u) => u.kind));
  file.activities.forEach((a, i) => {
    const at = `activities[${i}] (id "${a.id}")`;
    const o = a.owner;
    if ('role' in o && peopleWithRole(org, o.role).length === 0)
      warnings.push(`${at}.owner.role: no one in the organisation has the role "${o.role}"`);
    if ('unit' in o) {
      if (!org.units.has(o.unit))
        warnings.push(`${at}.owner.unit: the unit "${o.unit}" is not in the organisation`);
      else if (!responsibleLeader(org, o.unit))
        warnings.push(`${at}.owner.unit: no leader in the line of the unit "${o.unit}"`);
    }
    if ('unitLeaders' in o)
      for (const kind of o.unitLeaders)
        if (!kinds.has(kind))
          warnings.push(`${at}.owner.unitLeaders: the organisation has no units of kind "${kind}"`);
    for (const role of a.audience.roles)
      if (peopleWithRole(org, role).length === 0)
        warnings.push(`${at}.audience.roles: no one in the organisation has the role "${role}"`);
  });
  return warnings;
}
