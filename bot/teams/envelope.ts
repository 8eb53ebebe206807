import { z } from 'zod';

/**
 * The minimum an activity must have before the SDK sees it. Missing ids make botbuilder throw
 * (a 500); we answer 400 instead. serviceUrl must be http(s): replies are sent there.
 */
const account = z.object({ id: z.string().min(1).max(512) }).passthrough();

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
  })
  .passthrough();

export type EnvelopeCheck = { ok: true } | { ok: false; reason: string };

export function checkEnvelope(body: unknown): EnvelopeCheck {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { ok: false, reason: 'body is not an activity object' };
  const parsed = activityEnvelope.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: `${issue.path.join('.') || 'activity'}: ${issue.message}` };
  }
  return { ok: true };
}
