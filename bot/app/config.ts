import fs from 'node:fs';
import { z } from 'zod';
import { DEFAULT_ARSHJUL_SETTINGS, type ArshjulSettings } from '../arshjul/ports';
import type { DelegationSettings } from '../delegations/ports';
import type { NudgeSettings } from '../deviations/deviation-timers';
import type { UsageLimitSettings } from '../kernel/limits';
import { ROLES } from '../org/organisation';
import { isValidCron } from '../time/schedule';
import {
  DEFAULT_RETENTION_RULES,
  parseRetentionRules,
  type RetentionRule,
} from '../privacy/retention-rules';
import type { RetentionSettings } from '../privacy/retention-job';

/** Retention rules from JSON text or from the JSON file a path names, checked as they are read. */
function retentionRules(source: 'text' | 'file') {
  return z.string().transform((value, ctx): RetentionRule[] => {
    let text = value;
    if (source === 'file') {
      try {
        text = fs.readFileSync(value, 'utf8');
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `not readable (${(err as Error).message})` });
        return z.NEVER;
      }
    }
    const parsed = parseRetentionRules(text);
    if (parsed.ok) return parsed.rules;
    ctx.addIssue({ code: 'custom', message: parsed.error });
    return z.NEVER;
  });
}

/** Every setting the bot reads, in one typed and validated place. Documented in README.md. */
const settingsSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3978),
  HOST: z.string().default('0.0.0.0'),
  /** Without BOT_ID nobody is authenticated: such a bot runs only when this says it is local. */
  LOCAL_ONLY: z
    .enum(['true', 'false'], { message: 'true or false' })
    .default('false')
    .transform((v) => v === 'true'),
  BOT_ID: z.string().trim().optional(),
  BOT_PASSWORD: z.string().optional(),
  BOT_TENANT_ID: z.string().trim().optional(),
  BOT_TYPE: z.enum(['SingleTenant', 'MultiTenant', 'UserAssignedMSI']).default('SingleTenant'),
  /** The tenants whose users the bot serves (comma-separated); BOT_TENANT_ID when unset. */
  ALLOWED_TENANT_IDS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((id) => id.trim().toLowerCase())
        .filter(Boolean),
    )
    .refine(
      (ids) => ids.length > 0 && ids.every((id) => /^[0-9a-z-]{1,64}$/.test(id)),
      'comma-separated tenant ids, e.g. 6f1c4a52-9d3e-4b7a-8c21-3e5f7a9b0c1d',
    )
    .optional(),
  TABLES_CONNECTION_STRING: z.string().optional(),
  TABLES_ENDPOINT: z.string().url().optional(),
  TABLE_PREFIX: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9]{0,20}$/, 'letters and digits, starting with a letter')
    .default('ik'),
  CARD_SIGNING_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(4 * 1024 * 1024)
    .default(256 * 1024),
  ORG_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  BOT_LANGUAGE: z.enum(['auto', 'nb', 'en']).default('auto'),
  /** Proactive messages per second for the whole tenant (Teams: 30 to 50 per app per tenant). */
  SEND_RATE_PER_SECOND: z.coerce.number().int().min(1).max(1000).default(30),
  /**
   * Tries of a proactive message that fails with 412, 5xx or a network error before it becomes a
   * dead letter; the waits double from 1 s up to 10 min, so 12 cover about half an hour.
   */
  SEND_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(30).default(12),
  REFERENCE_READY_MAX: z.coerce.number().int().min(1).max(50).default(8),
  /** How long the dispatcher's lease lasts: another instance takes over within this time. */
  LEASE_SECONDS: z.coerce.number().int().min(2).max(300).default(30),
  NUDGE_REMIND_NOT_TAKEN_DAYS: z.coerce.number().int().min(1).max(60).default(2),
  NUDGE_ESCALATE_NOT_TAKEN_DAYS: z.coerce.number().int().min(1).max(60).default(5),
  NUDGE_ESCALATE_OVERDUE_DAYS: z.coerce.number().int().min(1).max(60).default(3),
  /** Working hours on working days: reminders decided outside them wait (urgent ones do not). */
  QUIET_HOURS_OUTSIDE: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM-HH:MM, e.g. 08:00-16:00')
    .refine((v) => v.slice(0, 5) < v.slice(6), 'the start must be before the end')
    .default('08:00-16:00'),
  DIGEST_CRON: z
    .string()
    .refine(isValidCron, 'a cron pattern (minute hour day month weekday), e.g. 0 8 * * 1')
    .default('0 8 * * 1'),
  /**
   * Abuse limits per person (docs/operations.md): new reports and report forms per hour and
   * per day (Europe/Oslo). Far above earnest use, since reporting must never be blocked; 0 = none.
   */
  REPORT_LIMIT_PER_HOUR: z.coerce.number().int().min(0).max(100000).default(20),
  REPORT_LIMIT_PER_DAY: z.coerce.number().int().min(0).max(100000).default(100),
  FORM_LIMIT_PER_HOUR: z.coerce.number().int().min(0).max(100000).default(20),
  FORM_LIMIT_PER_DAY: z.coerce.number().int().min(0).max(100000).default(100),
  /** Årshjul: an occurrence overdue and not signed off goes to the owner's leader after this. */
  ARSHJUL_ESCALATE_WORKING_DAYS: z.coerce.number().int().min(0).max(60).default(5),
  /** Årshjul: when occurrences are materialised (croner, Europe/Oslo). */
  ARSHJUL_CRON: z
    .string()
    .refine(isValidCron, 'a cron pattern (minute hour day month weekday), e.g. 0 6 * * *')
    .default('0 6 * * *'),
  /** Tasks: when overdue tasks are found and their assignees reminded (croner, Europe/Oslo). */
  TASKS_OVERDUE_CRON: z
    .string()
    .refine(isValidCron, 'a cron pattern (minute hour day month weekday), e.g. 0 7 * * *')
    .default('0 7 * * *'),
  /** Delegations (rule 7): the role told of every new grant below level 2. */
  DELEGATION_REPORT_ROLE: z.enum(ROLES).default('assisterende rådmann'),
  /** Delegations: when grants whose end passed expire (croner, Europe/Oslo). */
  DELEGATION_EXPIRE_CRON: z
    .string()
    .refine(isValidCron, 'a cron pattern (minute hour day month weekday), e.g. 5 0 * * *')
    .default('5 0 * * *'),
  /** Delegations: how long an "eksporter fullmakter" link works, in minutes. */
  DELEGATION_EXPORT_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
  /**
   * Privacy (docs/privacy.md): retention rules as JSON text, or in a JSON file; the defaults
   * (DEFAULT_RETENTION_RULES) when neither is set. They need the archive's approval.
   */
  RETENTION_RULES: retentionRules('text').optional(),
  RETENTION_RULES_FILE: retentionRules('file').optional(),
  /** Unsent report drafts are dropped after this many days. */
  DRAFT_RETENTION_DAYS: z.coerce.number().int().min(1).max(365).default(14),
  /** When the privacy job (retention, expired drafts) runs (croner, Europe/Oslo). */
  PRIVACY_CRON: z
    .string()
    .refine(isValidCron, 'a cron pattern (minute hour day month weekday), e.g. 30 2 * * *')
    .default('30 2 * * *'),
  /** Where users reach the bot from outside (calendar feeds, export links): https://ik.heim.no */
  PUBLIC_URL: z.string().url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  APPLICATIONINSIGHTS_CONNECTION_STRING: z.string().optional(),
  NODE_ENV: z.string().default('development'),
});

/**
 * Settings that are required together. Checked on the raw values, beside the schema, so one
 * run names every problem, not just the first kind.
 */
function missingTogether(raw: Record<string, string>, options: ReadOptions): string[] {
  const missing: string[] = [];
  const need = (name: string, why: string) => {
    if (!raw[name]) missing.push(`  ${name}: required ${why}`);
  };
  if (raw.BOT_ID) {
    if (raw.BOT_TYPE !== 'UserAssignedMSI') need('BOT_PASSWORD', 'when BOT_ID is set');
    if (raw.BOT_TYPE !== 'MultiTenant') need('BOT_TENANT_ID', 'when BOT_ID is set');
    // A multi-tenant registration accepts tokens from any tenant: without a list, anyone in any
    // Microsoft 365 organisation who finds the bot would be served. Fail closed.
    else if (!raw.BOT_TENANT_ID)
      need('ALLOWED_TENANT_IDS', 'when BOT_TYPE is MultiTenant (the tenants to serve)');
    if (!raw.TABLES_CONNECTION_STRING) {
      need('TABLES_ENDPOINT', '(or TABLES_CONNECTION_STRING) when BOT_ID is set');
    }
  }
  if (raw.BOT_ID || options.production) {
    need(
      'CARD_SIGNING_SECRET',
      'in production (at least 32 characters, the same on every instance)',
    );
  }
  if (options.production && !raw.BOT_ID && raw.LOCAL_ONLY !== 'true') missing.push(NO_BOT_ID);
  if (raw.LOCAL_ONLY === 'true' && raw.HOST && !LOOPBACK.has(raw.HOST)) {
    missing.push(`  HOST: must be a loopback address (127.0.0.1, ::1) when LOCAL_ONLY=true`);
  }
  return missing;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

const NO_BOT_ID =
  '  BOT_ID: required, or LOCAL_ONLY=true for a bot on this machine only. Without BOT_ID ' +
  'requests are not authenticated: anyone who reaches the port could act as any leader. ' +
  'With LOCAL_ONLY=true the bot listens on 127.0.0.1 only';

export type Settings = z.infer<typeof settingsSchema>;

export class SettingsError extends Error {}

export interface ReadOptions {
  /** The production entry point: the card signing secret must come from the environment. */
  production?: boolean;
}

/** Reads settings from an environment; throws SettingsError naming every bad variable. */
export function readSettings(
  env: NodeJS.ProcessEnv = process.env,
  options: ReadOptions = {},
): Settings {
  const raw = Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''),
  );
  const parsed = settingsSchema.safeParse(raw);
  const problems = [
    ...(parsed.success
      ? []
      : parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)),
    ...missingTogether(raw, options).filter(
      (line) =>
        parsed.success || !parsed.error.issues.some((i) => line.startsWith(`  ${i.path[0]}:`)),
    ),
  ];
  if (!parsed.success || problems.length > 0) {
    throw new SettingsError(`Invalid configuration:\n${problems.join('\n')}`);
  }
  return parsed.data;
}

/** Bot Framework authentication is on exactly when an app id is configured. */
export function isAuthEnabled(s: Settings): boolean {
  return Boolean(s.BOT_ID);
}

/**
 * Where the server may listen (`requested`: a caller's choice, e.g. a test's). Without BOT_ID
 * nobody is authenticated, so the bot serves only when LOCAL_ONLY=true, and then on loopback
 * only; otherwise throws a SettingsError that names both settings.
 */
export function listenHost(s: Settings, requested?: string): string {
  if (!s.LOCAL_ONLY) {
    if (!isAuthEnabled(s)) throw new SettingsError(`Invalid configuration:\n${NO_BOT_ID}`);
    return requested ?? s.HOST;
  }
  const host = requested ?? (LOOPBACK.has(s.HOST) ? s.HOST : '127.0.0.1');
  if (!LOOPBACK.has(host))
    throw new SettingsError(`LOCAL_ONLY=true: ${host} is not a loopback address`);
  return host;
}

/**
 * The tenants whose activities are served: ALLOWED_TENANT_IDS, else BOT_TENANT_ID; undefined
 * when neither is set (local development: no tenant boundary).
 */
export function allowedTenants(s: Settings): string[] | undefined {
  if (s.ALLOWED_TENANT_IDS) return s.ALLOWED_TENANT_IDS;
  return s.BOT_TENANT_ID ? [s.BOT_TENANT_ID.toLowerCase()] : undefined;
}

/** The årshjul's settings (docs/operations.md). */
export function arshjulSettingsFrom(s: Settings): ArshjulSettings {
  return {
    ...DEFAULT_ARSHJUL_SETTINGS,
    escalateWorkingDays: s.ARSHJUL_ESCALATE_WORKING_DAYS,
    workingHours: nudgeSettingsFrom(s).workingHours,
    materialiseCron: s.ARSHJUL_CRON,
  };
}

/** The delegation feature's settings (docs/operations.md). */
export function delegationSettingsFrom(s: Settings): DelegationSettings {
  return {
    reportRole: s.DELEGATION_REPORT_ROLE,
    expireCron: s.DELEGATION_EXPIRE_CRON,
    exportLinkMinutes: s.DELEGATION_EXPORT_MINUTES,
    publicUrl: publicUrlOf(s),
  };
}

/** Where browsers reach the bot's HTTP server (calendar feeds, export links). */
export function publicUrlOf(s: Settings): string {
  return s.PUBLIC_URL ?? `http://localhost:${s.PORT}`;
}

/** The per-person abuse limits from the settings (docs/operations.md). */
export function usageLimitsFrom(s: Settings): UsageLimitSettings {
  return {
    report: { hour: s.REPORT_LIMIT_PER_HOUR, day: s.REPORT_LIMIT_PER_DAY },
    form: { hour: s.FORM_LIMIT_PER_HOUR, day: s.FORM_LIMIT_PER_DAY },
  };
}

/** The nudge thresholds and working hours from the settings (docs/operations.md). */
export function nudgeSettingsFrom(s: Settings): NudgeSettings {
  return {
    remindNotTakenDays: s.NUDGE_REMIND_NOT_TAKEN_DAYS,
    escalateNotTakenDays: s.NUDGE_ESCALATE_NOT_TAKEN_DAYS,
    escalateOverdueDays: s.NUDGE_ESCALATE_OVERDUE_DAYS,
    workingHours: { start: s.QUIET_HOURS_OUTSIDE.slice(0, 5), end: s.QUIET_HOURS_OUTSIDE.slice(6) },
    digestCron: s.DIGEST_CRON,
  };
}

/** Retention and draft expiry (docs/privacy.md): RETENTION_RULES wins over the file. */
export function retentionSettingsFrom(s: Settings): RetentionSettings {
  return {
    rules: s.RETENTION_RULES ?? s.RETENTION_RULES_FILE ?? DEFAULT_RETENTION_RULES,
    draftDays: s.DRAFT_RETENTION_DAYS,
    cron: s.PRIVACY_CRON,
  };
}
