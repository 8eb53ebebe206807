import { z } from 'zod';
import { issuesOf, keySafeId } from '../kernel/data-file';
import {
  ROLES,
  UNIT_KINDS,
  type Organisation,
  makeOrganisation,
  unitChainUp,
} from './organisation';

/**
 * The organisation file a municipality maintains (docs/organisation-format.md).
 * Object ids are not checked as strict UUIDs: the Agents Playground uses ids with 13 digits
 * in the last group.
 */
const id = keySafeId;

export const categorySchema = z.object({
  id: z.string().regex(/^[a-z0-9-]{2,40}$/, 'lower-case letters, digits and dashes'),
  nb: z.string().min(1).max(80),
  en: z.string().min(1).max(80),
});
export type CategoryEntry = z.infer<typeof categorySchema>;

export const orgFileSchema = z
  .object({
    municipality: z.string().min(1).max(100),
    units: z
      .array(
        z.object({
          id,
          name: z.string().trim().min(1).max(100),
          kind: z.enum(UNIT_KINDS),
          parentId: id.optional(),
          leaderId: id.optional(),
        }),
      )
      .min(1),
    people: z.array(
      z.object({
        id,
        name: z.string().trim().min(1).max(100),
        email: z.string().email().optional(),
        role: z.enum(ROLES),
        unitId: id,
      }),
    ),
    deviationCategories: z.array(categorySchema).min(1).optional(),
  })
  .superRefine((file, ctx) => {
    const unitIds = new Set<string>();
    file.units.forEach((u, i) => {
      if (unitIds.has(u.id))
        ctx.addIssue({
          code: 'custom',
          path: ['units', i, 'id'],
          message: `duplicate unit id "${u.id}"`,
        });
      unitIds.add(u.id);
    });
    const personIds = new Set<string>();
    file.people.forEach((p, i) => {
      if (personIds.has(p.id))
        ctx.addIssue({
          code: 'custom',
          path: ['people', i, 'id'],
          message: `duplicate person id "${p.id}"`,
        });
      personIds.add(p.id);
      if (!unitIds.has(p.unitId))
        ctx.addIssue({
          code: 'custom',
          path: ['people', i, 'unitId'],
          message: `unknown unit "${p.unitId}"`,
        });
    });
    const roots = file.units.map((u, i) => ({ u, i })).filter(({ u }) => !u.parentId);
    if (roots.length === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['units'],
        message: 'one unit must have no parentId (the top, rådmannsnivå); found none',
      });
    for (const { u, i } of roots.slice(1)) {
      ctx.addIssue({
        code: 'custom',
        path: ['units', i, 'parentId'],
        message: `only one unit may be the top; "${roots[0].u.id}" already is, so "${u.id}" needs a parentId`,
      });
    }
    file.units.forEach((u, i) => {
      if (u.parentId && !unitIds.has(u.parentId))
        ctx.addIssue({
          code: 'custom',
          path: ['units', i, 'parentId'],
          message: `unknown unit "${u.parentId}"`,
        });
      if (u.leaderId && !personIds.has(u.leaderId))
        ctx.addIssue({
          code: 'custom',
          path: ['units', i, 'leaderId'],
          message: `unknown person "${u.leaderId}"`,
        });
    });
    const org = makeOrganisation(file.people, file.units);
    file.units.forEach((u, i) => {
      const chain = unitChainUp(org, u.id);
      const top = chain[chain.length - 1];
      // The walk stops at the top, at an unknown parent (reported above) or where it repeats.
      if (top && top.parentId && unitIds.has(top.parentId))
        ctx.addIssue({
          code: 'custom',
          path: ['units', i, 'parentId'],
          message: `the line from "${u.id}" runs in a circle`,
        });
    });
    const categoryIds = new Set<string>();
    file.deviationCategories?.forEach((c, i) => {
      if (categoryIds.has(c.id))
        ctx.addIssue({
          code: 'custom',
          path: ['deviationCategories', i, 'id'],
          message: `duplicate category id "${c.id}"`,
        });
      categoryIds.add(c.id);
    });
  });

export type OrgFile = z.infer<typeof orgFileSchema>;

export type OrgFileResult =
  { ok: true; file: OrgFile; org: Organisation } | { ok: false; errors: string[] };

/** Validates an organisation file; each error names the entry (by index and id) and the field. */
export function parseOrgFile(json: unknown): OrgFileResult {
  const parsed = orgFileSchema.safeParse(json);
  if (!parsed.success) {
    return { ok: false, errors: issuesOf(parsed.error, json) };
  }
  return {
    ok: true,
    file: parsed.data,
    org: makeOrganisation(parsed.data.people, parsed.data.units),
  };
}
