import type { Card } from '../kernel/card-templates';

/**
 * How cards leave the bot outside the current turn: one attempt each, implemented by the Teams
 * edge. The conversation reference is opaque here. Only the dispatcher (through the Notifier)
 * calls it: features store messages in the outbox instead.
 */
export interface Delivery {
  send(reference: string, card: Card): Promise<{ activityId: string }>;
  update(reference: string, activityId: string, card: Card): Promise<void>;
}

/**
 * The connector said the conversation or message is gone: 403 (the user blocked or removed
 * the bot, or the tenant disabled it) or 404 (no such conversation or message). Never retried.
 */
export class RecipientGoneError extends Error {
  constructor(readonly status: 403 | 404) {
    super(
      status === 403 ? 'recipient blocked or removed the bot' : 'conversation or message not found',
    );
  }
}

/** Any other answer than success: the status and, on 429, how long the connector asked us to wait. */
export class DeliveryError extends Error {
  constructor(
    readonly status: number | undefined,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}
