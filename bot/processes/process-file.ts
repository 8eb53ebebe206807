import { z } from 'zod';
import { issuesOf, keySafeId } from '../kernel/data-file';
import type { Organisation } from '../org/organisation';
import type { Process } from './process';
import { initialStatus } from './process-rules';

/**
 * The process catalogue a municipality maintains (docs/processes.md): JSON, validated completely
 * before anything is stored; every error names the entry and the field, e.g.
 * `processes[2] (id "digitalisering").owner: required`.
 */

const PROCESS_ID = /^[a-z0-9-]{2,60}$/;
const personId = keySafeId;
const text = (max: number) => z.string().trim().min(1).max(max);

const processEntry = z
  .object({
    id: z.string().regex(PROCESS_ID, 'must be 2-60 of a-z, 0-9 and -'),
    name: z.object({ nb: text(200), en: text(200) }).strict(),
    /** Sub-areas named in the governance document, e.g. SLT under Barn og unge. */
    parts: z.array(text(200)).max(20).default([]),
    owner: personId,
    commissioner: personId,
    mandate: text(4000),
    goals: z.array(text(500)).max(30).default([]),
    /** Members already in the group (released before the bot was taken into use). */
    members: z.array(personId).max(200).default([]),
    /** Members the owner allows to create tasks. */
    creators: z.array(personId).max(200).default([]),
    /** Anchored at rådmannsnivå before the bot was taken into use. */
    anchored: z.object({ by: personId, at: z.string().date() }).strict().optional(),
  })
  .strict();

export const processFileSchema = z
  .object({ processes: z.array(processEntry).max(200) })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.processes.forEach((p, i) => {
      if (seen.has(p.id))
        ctx.addIssue({
          code: 'custom',
          path: ['processes', i, 'id'],
          message: `duplicate id "${p.id}"`,
        });
      seen.add(p.id);
      p.creators.forEach((c, j) => {
        if (c !== p.owner && !p.members.includes(c))
          ctx.addIssue({
            code: 'custom',
            path: ['processes', i, 'creators', j],
            message: 'must be the owner or a member',
          });
      });
    });
  });

export type ProcessFile = z.infer<typeof processFileSchema>;
export type ProcessEntry = ProcessFile['processes'][number];

export function parseProcessFile(
  json: unknown,
): { ok: true; file: ProcessFile } | { ok: false; errors: string[] } {
  const parsed = processFileSchema.safeParse(json);
  return parsed.success
    ? { ok: true, file: parsed.data }
    : { ok: false, errors: issuesOf(parsed.error, json) };
}

/** What the file says that the organisation contradicts: unknown people, an owner who leads nothing. */
export function checkProcessesAgainstOrg(file: ProcessFile, org: Organisation): string[] {
  const problems: string[] = [];
  file.processes.forEach((p, i) => {
    const where = `processes[${i}] (id "${p.id}")`;
    const owner = org.people.get(p.owner);
    if (!owner) problems.push(`${where}.owner: not in the organisation`);
    else if (
      !['enhetsleder', 'stabsleder', 'kommunalsjef', 'rådmann', 'assisterende rådmann'].includes(
        owner.role,
      )
    )
      problems.push(`${where}.owner: must be an enhetsleder or stabsleder (is ${owner.role})`);
    if (!org.people.has(p.commissioner))
      problems.push(`${where}.commissioner: not in the organisation`);
    p.members.forEach((m, j) => {
      if (!org.people.has(m)) problems.push(`${where}.members[${j}]: not in the organisation`);
    });
    if (p.anchored && !org.people.has(p.anchored.by))
      problems.push(`${where}.anchored.by: not in the organisation`);
  });
  return problems;
}

/** A catalogue entry as a new process record: a draft until anchored, where anchoring is needed. */
export function processFromEntry(entry: ProcessEntry, org: Organisation): Process {
  const since = entry.anchored ? `${entry.anchored.at}T00:00:00.000Z` : '1970-01-01T00:00:00.000Z';
  return {
    ref: entry.id,
    rev: 1,
    name: entry.name,
    ownerId: entry.owner,
    commissionerId: entry.commissioner,
    mandate: entry.mandate,
    goals: entry.goals,
    status: entry.anchored ? 'active' : initialStatus(org, { ownerId: entry.owner }),
    ...(entry.anchored ? { anchoredBy: entry.anchored.by, anchoredAt: since } : {}),
    members: entry.members.map((personId) => ({ personId, since })),
    nominations: [],
    creatorIds: entry.creators,
    measures: [],
  };
}
