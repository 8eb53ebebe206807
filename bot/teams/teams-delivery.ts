import {
  CardFactory,
  MessageFactory,
  type CloudAdapter,
  type ConversationReference,
  type TurnContext,
} from 'botbuilder';
import type { Card } from '../kernel/card-templates';
import { DeliveryError, RecipientGoneError, type Delivery } from '../messaging/delivery';

/**
 * Proactive messages through the Bot Connector, one attempt each. What the connector answered
 * comes back as RecipientGoneError (403, 404) or DeliveryError (status and Retry-After): the
 * outbox dispatcher decides about retries, per conversation, so one throttled chat never
 * stalls the others.
 */
function statusOf(err: unknown): number | undefined {
  const e = err as { statusCode?: number; response?: { status?: number } };
  return e?.statusCode ?? e?.response?.status;
}

function retryAfterMs(err: unknown): number | undefined {
  const headers = (err as { response?: { headers?: { get?: (n: string) => string | undefined } } })
    ?.response?.headers;
  const value = headers?.get?.('retry-after');
  const seconds = value ? Number(value) : NaN;
  return Number.isFinite(seconds) ? seconds * 1000 : undefined;
}

export async function classified<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    const status = statusOf(err);
    if (status === 403 || status === 404) throw new RecipientGoneError(status);
    throw new DeliveryError(status, (err as Error)?.message ?? String(err), retryAfterMs(err));
  }
}

/**
 * Runs `work` in a proactive turn and rethrows its error: inside the turn the application's
 * error handler would swallow it, and a failed send would look delivered.
 */
async function inProactiveTurn(
  adapter: CloudAdapter,
  botAppId: string,
  ref: ConversationReference,
  work: (context: TurnContext) => Promise<void>,
) {
  let failure: unknown;
  await adapter.continueConversationAsync(botAppId, ref, async (context) => {
    try {
      withoutConnectorRetries(context);
      await work(context);
    } catch (err) {
      failure = err;
    }
  });
  if (failure) throw failure;
}

/**
 * The connector client retries a 429 inside the call, waiting out its Retry-After: that would
 * hold a dispatcher worker for the wait and hide the 429 from the per-conversation pause. For
 * proactive sends the dispatcher decides about retries, so the client's retry phase is
 * removed for this turn's client. (`noRetryPolicy` in the client options is ignored by
 * botbuilder-stdlib.) Replies within a user's turn keep the SDK's retries.
 */
function withoutConnectorRetries(context: TurnContext): void {
  const adapter = context.adapter as CloudAdapter & { ConnectorClientKey?: symbol };
  const connector = adapter.ConnectorClientKey
    ? (context.turnState.get(adapter.ConnectorClientKey) as
        | { client?: { pipeline?: { removePolicy?: (o: { phase: string }) => unknown } } }
        | undefined)
    : undefined;
  connector?.client?.pipeline?.removePolicy?.({ phase: 'Retry' });
}

export class TeamsDelivery implements Delivery {
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly botAppId: string,
  ) {}

  async send(reference: string, card: Card): Promise<{ activityId: string }> {
    const ref = JSON.parse(reference) as ConversationReference;
    let activityId = '';
    await classified(() =>
      inProactiveTurn(this.adapter, this.botAppId, ref, async (context) => {
        const response = await context.sendActivity(
          MessageFactory.attachment(CardFactory.adaptiveCard(card)),
        );
        activityId = response?.id ?? '';
      }),
    );
    if (!activityId) throw new Error('the connector accepted the card but returned no activity id');
    return { activityId };
  }

  async update(reference: string, activityId: string, card: Card): Promise<void> {
    const ref = JSON.parse(reference) as ConversationReference;
    await classified(() =>
      inProactiveTurn(this.adapter, this.botAppId, ref, async (context) => {
        const activity = MessageFactory.attachment(CardFactory.adaptiveCard(card));
        activity.id = activityId;
        await context.updateActivity(activity);
      }),
    );
  }
}
