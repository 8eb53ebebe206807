import {
  CardFactory,
  MessageFactory,
  type CloudAdapter,
  type ConversationReference,
  type TurnContext,
} from 'botbuilder';
import type { Card } from '../kernel/card-templates';
import { RecipientGoneError, type Delivery } from '../messaging/delivery';

/**
 * Proactive messages through the Bot Connector. Retries what Teams asks us to retry (429 with
 * Retry-After, 412, 502, 504) with exponential back-off and jitter; 403 (blocked, removed) and
 * 404 (no such conversation or message) are never retried: the Notifier forgets the recipient.
 */
const RETRYABLE = new Set([412, 429, 502, 503, 504]);
const MAX_ATTEMPTS = 4;

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

export async function withConnectorRetry<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      const status = statusOf(err);
      if (status === 403 || status === 404) throw new RecipientGoneError(status);
      if (!status || !RETRYABLE.has(status) || attempt >= MAX_ATTEMPTS) throw err;
      const backoff = retryAfterMs(err) ?? 2 ** attempt * 250 + Math.random() * 250;
      await new Promise((r) => setTimeout(r, Math.min(backoff, 30000)));
    }
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
      await work(context);
    } catch (err) {
      failure = err;
    }
  });
  if (failure) throw failure;
}

export class TeamsDelivery implements Delivery {
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly botAppId: string,
  ) {}

  async send(reference: string, card: Card): Promise<{ activityId: string }> {
    const ref = JSON.parse(reference) as ConversationReference;
    let activityId = '';
    await withConnectorRetry(() =>
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
    await withConnectorRetry(() =>
      inProactiveTurn(this.adapter, this.botAppId, ref, async (context) => {
        const activity = MessageFactory.attachment(CardFactory.adaptiveCard(card));
        activity.id = activityId;
        await context.updateActivity(activity);
      }),
    );
  }
}
