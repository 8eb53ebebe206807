import { z } from 'zod';
import { describePath, issuesOf, keySafeId } from '../kernel/data-file';
import { formatReference, referenceYear } from '../kernel/reference';
import { ROLES, type Organisation } from '../org/organisation';
import {
  COUNCIL,
  GRANT_PREFIX,
  MAX_LIMIT_NOK,
  applyChange,
  type AuthorityArea,
  type Grant,
  type PoliticalBasis,
  type Recipient,
  type Register,
} from './delegation';
import { checkRegistered, isRealDate, registeredGrant } from './delegation-rules';
import { refusalText } from './delegation-texts';

/**
 * The authority catalogue a municipality maintains (docs/delegations.md): the areas of its
 * delegeringsreglement, the council's decision that delegates to the rådmann, and optionally
 * the grants of an existing reglement. JSON, validated completely before anything is stored;
 * every error names the entry (by index and id) and the field, e.g.
 * `areas[2] (id "innkjop").basis.url: must be a Lovdata address (https://lovdata.no/...)`.
 */

const SLUG = /^[a-z0-9-]{2,40}$/;
const slug = z.string().regex(SLUG, 'lower-case letters, digits and dashes, 2–40 characters');

/** As in the organisation file: it may become part of a table key. */
const orgId = keySafeId;

const date = z.string().refine(isRealDate, 'must be a date YYYY-MM-DD');

const amount = z.number().int('must be a whole number of kroner').min(0).max(MAX_LIMIT_NOK);

const localised = z
  .object({
    nb: z.string().trim().min(1).max(200),
    en: z.string().trim().min(1).max(200),
  })
  .strict();

const lovdataUrl = z
  .string()
  .regex(/^https:\/\/lovdata\.no\/\S+$/, 'must be a Lovdata address (https://lovdata.no/...)');

const basis = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('law'),
      law: z.string().trim().min(1).max(200),
      section: z.string().trim().min(1).max(100),
      ledd: z.string().trim().min(1).max(100).optional(),
      url: lovdataUrl,
    })
    .strict(),
  z.object({ kind: z.literal('internal'), text: z.string().trim().min(1).max(300) }).strict(),
]);

const synonymList = z.array(z.string().trim().min(2).max(60)).max(40).default([]);

const area = z
  .object({
    id: slug,
    /** Notes for the people who edit the file (sources, verified or not); not stored. */
    comment: z.string().optional(),
    name: localised,
    basis,
    limitNok: amount.optional(),
    notes: z.string().trim().min(1).max(1000).optional(),
    councilOnly: z.boolean().default(false),
    synonyms: z.object({ nb: synonymList, en: synonymList }).strict().default({ nb: [], en: [] }),
  })
  .strict()
  .transform((a): AuthorityArea => ({
    id: a.id,
    name: a.name,
    basis: a.basis,
    ...(a.limitNok !== undefined ? { limitNok: a.limitNok } : {}),
    ...(a.notes !== undefined ? { notes: a.notes } : {}),
    councilOnly: a.councilOnly,
    synonyms: a.synonyms,
  }));

const political = z
  .object({
    body: z.string().trim().min(1).max(100),
    caseNumber: z.string().trim().min(1).max(40),
    date,
  })
  .strict();

/** `{ "person": id }` or `{ "role": …, "unit": id }`; checked field by field. */
const recipient = z
  .object({ person: orgId.optional(), role: z.enum(ROLES).optional(), unit: orgId.optional() })
  .strict()
  .superRefine((r, ctx) => {
    const person = r.person !== undefined;
    const role = r.role !== undefined || r.unit !== undefined;
    if (person === role || (role && (r.role === undefined || r.unit === undefined)))
      ctx.addIssue({
        code: 'custom',
        message: 'give either { "person": id } or { "role": role, "unit": unit id }',
      });
  })
  .transform((r): Recipient =>
    r.person !== undefined
      ? { kind: 'person', id: r.person }
      : { kind: 'role', role: r.role!, unitId: r.unit! },
  );

const grant = z
  .object({
    /** Local to the file: how other grants name this one as their `parent`. */
    id: z
      .string()
      .regex(/^[a-z0-9-]{2,60}$/, 'lower-case letters, digits and dashes, 2–60 characters'),
    comment: z.string().optional(),
    area: slug,
    /** A person id, or "kommunestyret" for the council's delegation to the rådmann. */
    from: orgId,
    to: recipient,
    parent: z.string().optional(),
    limitNok: amount.optional(),
    validFrom: date,
    validTo: date.optional(),
    conditions: z.string().trim().min(1).max(1000).optional(),
    blocked: z.boolean().default(false),
  })
  .strict();

export type GrantEntry = Omit<z.infer<typeof grant>, 'comment'>;

export const authorityFileSchema = z
  .object({
    $comment: z.string().optional(),
    municipality: z.string().trim().min(1).max(100),
    political,
    areas: z.array(area).min(1).max(500),
    grants: z.array(grant).max(5000).default([]),
  })
  .strict();

export interface AuthorityFile {
  municipality: string;
  political: PoliticalBasis;
  areas: AuthorityArea[];
  grants: GrantEntry[];
}

export type AuthorityFileResult =
  { ok: true; file: AuthorityFile } | { ok: false; errors: string[] };

/** Validates an authority file; each error names the entry (by index and id) and the field. */
export function parseAuthorityFile(json: unknown): AuthorityFileResult {
  const parsed = authorityFileSchema.safeParse(json);
  if (!parsed.success) {
    const errors = issuesOf(parsed.error, json);
    // Checked on the raw input too: a duplicate id would otherwise hide behind any field error.
    errors.push(...duplicateIds(json, 'areas'), ...duplicateIds(json, 'grants'));
    return { ok: false, errors };
  }
  const file: AuthorityFile = {
    municipality: parsed.data.municipality,
    political: parsed.data.political,
    areas: parsed.data.areas,
    grants: parsed.data.grants.map(({ comment, ...g }) => {
      void comment;
      return g;
    }),
  };
  const errors = crossChecks(json, file);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, file };
}

function duplicateIds(json: unknown, list: 'areas' | 'grants'): string[] {
  const entries = (json as Record<string, unknown> | null)?.[list];
  if (!Array.isArray(entries)) return [];
  const seen = new Set<string>();
  const errors: string[] = [];
  entries.forEach((entry: unknown, i) => {
    const id = (entry as { id?: unknown } | null)?.id;
    if (typeof id !== 'string') return;
    if (seen.has(id))
      errors.push(
        `${describePath(json, [list, i, 'id'])}: duplicate ${list.slice(0, -1)} id "${id}"`,
      );
    seen.add(id);
  });
  return errors;
}

/** What the schema cannot see: ids that must exist, the order of parents, the council's grants. */
function crossChecks(json: unknown, file: AuthorityFile): string[] {
  const errors = [...duplicateIds(json, 'areas'), ...duplicateIds(json, 'grants')];
  const at = (i: number, field: string) => describePath(json, ['grants', i, field]);
  const areas = new Map(file.areas.map((a) => [a.id, a]));
  const earlier = new Map<string, GrantEntry>();
  file.grants.forEach((g, i) => {
    const area = areas.get(g.area);
    if (!area) errors.push(`${at(i, 'area')}: unknown area "${g.area}"`);
    else if (area.councilOnly)
      errors.push(
        `${at(i, 'area')}: "${g.area}" is reserved to the council (councilOnly) and cannot be delegated`,
      );
    if (g.from === COUNCIL) {
      if (g.parent !== undefined)
        errors.push(
          `${at(i, 'parent')}: a grant from "${COUNCIL}" is the root of its chain and has no parent`,
        );
      if (g.validFrom < file.political.date)
        errors.push(
          `${at(i, 'validFrom')}: starts before the council's decision (${file.political.date})`,
        );
    } else if (g.parent === undefined) {
      errors.push(
        `${at(i, 'parent')}: required: the grant this one derives from (only "${COUNCIL}" gives a root grant)`,
      );
    } else {
      const parent = earlier.get(g.parent);
      if (!parent) {
        const later = file.grants.some((other) => other.id === g.parent);
        errors.push(
          `${at(i, 'parent')}: ${later ? `grant "${g.parent}" must come before this one` : `unknown grant "${g.parent}"`}`,
        );
      } else {
        if (parent.area !== g.area)
          errors.push(
            `${at(i, 'parent')}: "${g.parent}" is for area "${parent.area}", not "${g.area}"`,
          );
        if (parent.blocked)
          errors.push(
            `${at(i, 'parent')}: "${g.parent}" has a delegeringssperre (blocked): nothing may derive from it`,
          );
      }
    }
    if (g.validTo !== undefined && g.validTo < g.validFrom)
      errors.push(`${at(i, 'validTo')}: before validFrom (${g.validFrom})`);
    earlier.set(g.id, g);
  });
  return errors;
}

/**
 * The register a file describes: its areas, the council's decision, and its grants registered
 * (active) with references `DEL-<year>-<n>` from `firstSequence` on, in file order; `refs` maps
 * the file's grant ids to them. The store's importer takes numbers from its counter instead.
 */
export function registerFromFile(
  file: AuthorityFile,
  options: { at: Date; by: string; firstSequence?: number },
): { register: Register; refs: Map<string, string> } {
  let register: Register = {
    areas: file.areas,
    political: file.political,
    grants: [],
    events: [],
  };
  const refs = new Map<string, string>();
  const year = referenceYear(options.at);
  file.grants.forEach((g, i) => {
    const ref = formatReference(GRANT_PREFIX, year, (options.firstSequence ?? 1) + i);
    refs.set(g.id, ref);
    const parentRef = g.parent !== undefined ? refs.get(g.parent) : undefined;
    const parent = parentRef ? register.grants.find((x) => x.ref === parentRef) : undefined;
    register = applyChange(
      register,
      registeredGrant({
        ref,
        areaId: g.area,
        fromId: g.from,
        to: g.to,
        parent,
        politicalBasis: file.political,
        limitNok: g.limitNok ?? inheritedLimit(register, parent, g.area),
        validFrom: g.validFrom,
        validTo: g.validTo ?? parent?.validTo,
        conditions: g.conditions,
        blocked: g.blocked,
        by: options.by,
        at: options.at,
      }),
    );
  });
  return { register, refs };
}

export function inheritedLimit(register: Register, parent: Grant | undefined, areaId: string) {
  return parent ? parent.limitNok : register.areas.find((a) => a.id === areaId)?.limitNok;
}

/**
 * The rules the file's grants must keep against an organisation (people and units exist,
 * rules 1–3): one message per grant and rule broken, naming the entry. The organisation may be
 * imported after the catalogue, so the importer shows these before it stores any grant.
 */
export function checkAgainstOrg(file: AuthorityFile, org: Organisation, at: Date): string[] {
  const { register, refs } = registerFromFile(file, { at, by: 'check' });
  const fileIds = new Map([...refs].map(([id, ref]) => [ref, id]));
  const problems: string[] = [];
  file.grants.forEach((g, i) => {
    const grantRecord = register.grants.find((x) => x.ref === refs.get(g.id))!;
    const label = `grants[${i}] (id "${g.id}")`;
    if (g.from !== COUNCIL && !org.people.has(g.from))
      problems.push(`${label}.from: unknown person "${g.from}"`);
    if (g.from === COUNCIL && !(g.to.kind === 'role' && g.to.role === 'rådmann'))
      problems.push(
        `${label}.to: the council delegates to the rådmann ({ "role": "rådmann", "unit": … })`,
      );
    for (const refusal of checkRegistered(register, org, grantRecord, at)) {
      // The file knows its grants by id, not by the references this check gave them.
      const text = refusalText(refusal, 'en', { org, register }).replace(
        /DEL-\d{4}-\d{4,}/g,
        (ref) => `"${fileIds.get(ref) ?? ref}"`,
      );
      problems.push(`${label}: ${text}`);
    }
  });
  return problems;
}
