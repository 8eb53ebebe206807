import type { TurnContext } from 'botbuilder';
import { log } from '../app/log';
import { languageOf, strings } from '../i18n';

/**
 * The tenant boundary: only users of the municipality's own tenant(s) are served. Checked
 * before teams-ai loads any state, so an activity from outside reads and writes nothing.
 */
export interface TenantRefusal {
  reason: 'other-tenant' | 'missing' | 'mismatch';
  tenantId?: string;
  /** Set when channelData names another tenant than the conversation. */
  channelDataTenantId?: string;
}

interface TenantFields {
  conversation?: { tenantId?: unknown };
  channelData?: unknown;
}

const tenantIn = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() ? value.trim().toLowerCase() : undefined;

/** Why the activity is outside `allowed` (lower-case tenant ids); undefined when it may be served. */
export function tenantRefusal(
  activity: TenantFields,
  allowed: readonly string[],
): TenantRefusal | undefined {
  const inConversation = tenantIn(activity.conversation?.tenantId);
  const inChannelData = tenantIn(
    (activity.channelData as { tenant?: { id?: unknown } } | undefined)?.tenant?.id,
  );
  if (inConversation && inChannelData && inConversation !== inChannelData)
    return { reason: 'mismatch', tenantId: inConversation, channelDataTenantId: inChannelData };
  const tenantId = inConversation ?? inChannelData;
  if (!tenantId) return { reason: 'missing' };
  return allowed.includes(tenantId) ? undefined : { reason: 'other-tenant', tenantId };
}

/**
 * Answers an activity from outside the boundary: a message gets a short refusal, an invoke a
 * 403, anything else (installs, updates) nothing. Logged with tenant ids only.
 */
export async function refuseOutsideTenant(
  context: TurnContext,
  refusal: TenantRefusal,
): Promise<void> {
  // Tenant ids come from the request: capped, so a forged one cannot flood the log.
  const shown = (id: string | undefined) => id?.slice(0, 64);
  log.warn(
    {
      reason: refusal.reason,
      tenantId: shown(refusal.tenantId),
      channelDataTenantId: shown(refusal.channelDataTenantId),
    },
    'activity refused: outside the tenant boundary',
  );
  const text = strings(languageOf(context.activity.locale)).tenantRefused;
  if (context.activity.type === 'message') {
    await context.sendActivity(text).catch(() => undefined);
  } else if (context.activity.type === 'invoke') {
    await context.sendActivity({
      type: 'invokeResponse',
      value: {
        status: 403,
        body: {
          statusCode: 403,
          type: 'application/vnd.microsoft.error',
          value: { code: 'Forbidden', message: text },
        },
      },
    });
  }
}
