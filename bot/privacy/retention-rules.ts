import crypto from 'node:crypto';
import { z } from 'zod';
import { DEVIATION_TYPES, type Deviation } from '../deviations/deviation';

/**
 * How long a closed or rejected deviation keeps its texts and its reporter: the first rule that
 * matches the case decides (so the specific rules go first and the last one matches all). The
 * defaults are a proposal: the municipality's archive decides what arkivlova requires.
 */
export interface RetentionRule {
  /** Named in the audit event: "anonymised by retention rule <id>". */
  id: string;
  type?: Deviation['type'];
  categoryId?: string;
  status?: 'lukket' | 'avvist';
  /** Whole years after closing (or rejecting) when the case is anonymised. */
  years: number;
}

export const DEFAULT_RETENTION_RULES: readonly RetentionRule[] = [
  { id: 'avvist', status: 'avvist', years: 5 },
  { id: 'standard', years: 10 },
];

const ruleSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lower-case letters, digits and -'),
    type: z.enum(DEVIATION_TYPES).optional(),
    categoryId: z.string().min(1).max(60).optional(),
    status: z.enum(['lukket', 'avvist']).optional(),
    years: z.number().int().min(1).max(100),
  })
  .strict();

const rulesSchema = z
  .array(ruleSchema)
  .min(1)
  .superRefine((rules, ctx) => {
    const last = rules[rules.length - 1];
    if (last && (last.type || last.categoryId || last.status))
      ctx.addIssue({ code: 'custom', message: 'the last rule must match every case' });
    const ids = rules.map((r) => r.id);
    if (new Set(ids).size !== ids.length)
      ctx.addIssue({ code: 'custom', message: 'rule ids must be unique' });
  });

/** The rules from JSON text (RETENTION_RULES or the file it names): every problem named. */
export function parseRetentionRules(
  text: string,
): { ok: true; rules: RetentionRule[] } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `not JSON (${(err as Error).message})` };
  }
  const parsed = rulesSchema.safeParse(json);
  if (parsed.success) return { ok: true, rules: parsed.data };
  return {
    ok: false,
    error: parsed.error.issues
      .map((i) => `${i.path.join('.') || 'rules'}: ${i.message}`)
      .join('; '),
  };
}

/** What a rule looks at: the case's statistics fields, never its texts. */
export type ClosedCase = Pick<Deviation, 'type' | 'categoryId' | 'status' | 'closedAt'>;

export function ruleFor(rules: readonly RetentionRule[], c: ClosedCase): RetentionRule {
  const rule = rules.find(
    (r) =>
      (!r.type || r.type === c.type) &&
      (!r.categoryId || r.categoryId === c.categoryId) &&
      (!r.status || r.status === c.status),
  );
  // parseRetentionRules guarantees a last rule that matches everything.
  return rule ?? rules[rules.length - 1];
}

/**
 * The same calendar day (UTC) `years` later; 29 February becomes 28 February in a year that
 * has none, so a case is never kept a day short.
 */
export function addYears(iso: string, years: number): string {
  const d = new Date(iso);
  const target = new Date(d.getTime());
  target.setUTCFullYear(d.getUTCFullYear() + years);
  if (target.getUTCMonth() !== d.getUTCMonth()) target.setUTCDate(0);
  return target.toISOString();
}

/** When a closed case is to be anonymised, and by which rule; undefined while it is open. */
export function retentionDue(
  rules: readonly RetentionRule[],
  c: ClosedCase,
): { dueAt: string; rule: RetentionRule } | undefined {
  if ((c.status !== 'lukket' && c.status !== 'avvist') || !c.closedAt) return undefined;
  const rule = ruleFor(rules, c);
  return { dueAt: addYears(c.closedAt, rule.years), rule };
}

/** A fingerprint of the rules: when it changes, the due dates already stored are recomputed. */
export function rulesFingerprint(rules: readonly RetentionRule[]): string {
  return crypto.createHash('sha256').update(JSON.stringify(rules)).digest('hex').slice(0, 16);
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** An unsent report draft saved at `savedAt` is no longer offered after `days` days. */
export function draftExpired(savedAt: string | undefined, now: Date, days: number): boolean {
  const at = savedAt ? Date.parse(savedAt) : NaN;
  // A draft without a readable time is treated as old: it is only a convenience.
  return Number.isNaN(at) || now.getTime() - at >= days * DAY_MS;
}

/** The moment before which a draft saved is expired. */
export function draftCutoff(now: Date, days: number): Date {
  return new Date(now.getTime() - days * DAY_MS);
}
