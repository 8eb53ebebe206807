import type { Card } from '../kernel/card-templates';

/**
 * How cards leave the bot outside the current turn. Implemented by the Teams edge; the
 * conversation reference is opaque here. Only the Notifier calls it: features never do.
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
