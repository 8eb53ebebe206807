import { z } from 'zod';

/** Every setting the bot reads, in one typed and validated place. Documented in README.md. */
const settingsSchema = z
  .object({
    PORT: z.coerce.number().int().min(1).max(65535).default(3978),
    HOST: z.string().default('0.0.0.0'),
    BOT_ID: z.string().trim().optional(),
    BOT_PASSWORD: z.string().optional(),
    BOT_TENANT_ID: z.string().trim().optional(),
    BOT_TYPE: z.enum(['SingleTenant', 'MultiTenant', 'UserAssignedMSI']).default('SingleTenant'),
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
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    APPLICATIONINSIGHTS_CONNECTION_STRING: z.string().optional(),
    NODE_ENV: z.string().default('development'),
  })
  .superRefine((s, ctx) => {
    if (s.BOT_ID) {
      if (!s.BOT_PASSWORD && s.BOT_TYPE !== 'UserAssignedMSI')
        ctx.addIssue({
          code: 'custom',
          path: ['BOT_PASSWORD'],
          message: 'required when BOT_ID is set',
        });
      if (!s.BOT_TENANT_ID && s.BOT_TYPE !== 'MultiTenant')
        ctx.addIssue({
          code: 'custom',
          path: ['BOT_TENANT_ID'],
          message: 'required when BOT_ID is set',
        });
      if (!s.TABLES_CONNECTION_STRING && !s.TABLES_ENDPOINT)
        ctx.addIssue({
          code: 'custom',
          path: ['TABLES_ENDPOINT'],
          message: 'TABLES_ENDPOINT or TABLES_CONNECTION_STRING is required when BOT_ID is set',
        });
      if (!s.CARD_SIGNING_SECRET)
        ctx.addIssue({
          code: 'custom',
          path: ['CARD_SIGNING_SECRET'],
          message: 'required when BOT_ID is set',
        });
    }
  });

export type Settings = z.infer<typeof settingsSchema>;

export class SettingsError extends Error {}

/** Reads settings from an environment; throws SettingsError naming every bad variable. */
export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = settingsSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new SettingsError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/** Bot Framework authentication is on exactly when an app id is configured. */
export function isAuthEnabled(s: Settings): boolean {
  return Boolean(s.BOT_ID);
}
