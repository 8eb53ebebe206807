import { z } from 'zod';

/**
 * The minimum an activity must have before the SDK sees it. Missing ids make botbuilder throw
 * (a 500); we answer 400 instead. serviceUrl must be http(s): replies are sent there.
 */
const account = z.object({ id: z.string().min(1).max(512) }).passthrough();

/** botbuilder reads `entities[i].type.toLowerCase()` of every item (mentions): a list of objects. */
const entity = z.object({ type: z.string().max(100) }).passthrough();

export const activityEnvelope = z
  .object({
    type: z.string().min(1).max(64),
    channelId: z.string().min(1).max(64),
    serviceUrl: z
      .string()
      .max(2048)
      .refine((u) => /^https?:\/\/[^\s]+$/i.test(u), 'must be an http(s) URL'),
    from: account,
    recipient: account,
    conversation: account,
    id: z.string().max(512).optional(),
    text: z.string().max(28000).optional(),
    locale: z.string().max(32).optional(),
    entities: z.array(entity).max(1000).optional(),
  })
  .passthrough();

/** The invokes the bot serves, and the shape of their value; any other invoke is a 400. */
const invokeValues: Record<string, z.ZodTypeAny> = {
  'adaptiveCard/action': z
    .object({
      // data is checked by each handler: tampered data gets a refusal card, not a 400.
      action: z
        .object({ type: z.string(), verb: z.string().min(1).max(100), data: z.unknown() })
        .passthrough(),
    })
    .passthrough(),
  'composeExtension/fetchTask': z.object({ commandId: z.string().min(1).max(100) }).passthrough(),
  'composeExtension/submitAction': z
    .object({ commandId: z.string().min(1).max(100), data: z.unknown() })
    .passthrough(),
};

export type EnvelopeCheck = { ok: true } | { ok: false; reason: string };

export function checkEnvelope(body: unknown): EnvelopeCheck {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    return { ok: false, reason: 'body is not an activity object' };
  const parsed = activityEnvelope.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: `${issue.path.join('.') || 'activity'}: ${issue.message}` };
  }
  if (parsed.data.type === 'invoke') {
    const name = (body as { name?: unknown }).name;
    const schema = typeof name === 'string' ? invokeValues[name] : undefined;
    if (!schema)
      return {
        ok: false,
        reason: `invoke: unsupported name ${JSON.stringify(String(name)).slice(0, 80)}`,
      };
    const value = schema.safeParse((body as { value?: unknown }).value);
    if (!value.success) {
      const issue = value.error.issues[0];
      return { ok: false, reason: `value.${issue.path.join('.')}: ${issue.message}` };
    }
  }
  return { ok: true };
}
