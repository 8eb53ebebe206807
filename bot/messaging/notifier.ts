import { log } from '../app/log';
import { languageOf } from '../i18n';
import type { Card } from '../kernel/card-templates';
import type { ConversationDirectory, StoredConversation } from './conversations';
import { DeliveryError, RecipientGoneError, type Delivery } from './delivery';
import type { Composer, DrawContext, StoredMessage } from './outbox';
import type { PostedCards } from './posted-cards';

/** Where a message goes, resolved at send time. */
export interface Target {
  conversationId: string;
  reference: string;
  locale?: string;
  /** Set for an update of a posted card. */
  activityId?: string;
}

export type DeliveryOutcome =
  /**
   * `unrecorded`: the card is out, but remembering where it was posted failed (the store is
   * out); run it again later. The card itself must not be sent again.
   */
  | { kind: 'sent'; unrecorded?: () => Promise<void> }
  | { kind: 'skipped'; reason: string }
  | { kind: 'unreachable' }
  | { kind: 'gone'; status: 403 | 404 }
  | { kind: 'throttled'; retryAfterMs?: number }
  | { kind: 'failed'; status?: number; reason: string; retryable: boolean };

/** Statuses Teams asks us to retry (with back-off); anything else 4xx is final. */
const RETRYABLE = new Set([412, 429, 500, 502, 503, 504]);

/**
 * How a stored message reaches Teams: finds the conversation, picks the language,
 * draws the card through the message's composer, sends or updates it once, remembers a posted
 * card, and forgets a recipient that is gone (403/404). Logs ids and message types only, never
 * a person next to a case (the case may be anonymous). Retrying is the dispatcher's job.
 */
export class Notifier {
  constructor(
    private readonly deps: {
      delivery: Delivery;
      conversations: ConversationDirectory;
      postedCards: PostedCards;
    },
  ) {}

  /** True when the person can be reached in Teams (has the bot installed). */
  async canReach(personId: string): Promise<boolean> {
    return Boolean(await this.personConversation(personId));
  }

  /** The conversation a message goes to, or undefined when the recipient cannot be reached. */
  async target(message: StoredMessage): Promise<Target | undefined> {
    const to = message.to;
    switch (to.kind) {
      case 'person':
        return this.personConversation(to.id);
      case 'channel':
        return this.deps.conversations.forChannel(to.teamId, to.channelId);
      case 'copy':
        return {
          conversationId: to.copy.conversationId,
          reference: to.copy.reference,
          activityId: to.copy.activityId,
          locale: to.copy.locale ?? (await this.personConversation(to.copy.ownerId))?.locale,
        };
      case 'job':
        return undefined;
    }
  }

  /** Draws the card for the target's language; undefined with a reason when it is no longer wanted. */
  async draw(
    message: StoredMessage,
    composer: Composer,
    target: Target,
    now: Date,
    context?: DrawContext,
  ): Promise<{ card: Card } | { skip: string }> {
    if (!composer.compose) return { skip: `no composer draws ${message.type}` };
    const locale =
      typeof message.params.locale === 'string' ? message.params.locale : target.locale;
    return composer.compose(message, languageOf(locale), now, context);
  }

  /** Sends (or, for a copy, updates) once; classifies what the connector said. */
  async send(message: StoredMessage, target: Target, card: Card): Promise<DeliveryOutcome> {
    let activityId: string | undefined;
    try {
      if (target.activityId)
        await this.deps.delivery.update(target.reference, target.activityId, card);
      else ({ activityId } = await this.deps.delivery.send(target.reference, card));
    } catch (err) {
      return this.notDelivered(message, err);
    }
    const record = this.rememberPosted(message, target, activityId);
    if (!record) return { kind: 'sent' };
    return record().then(
      (): DeliveryOutcome => ({ kind: 'sent' }),
      (): DeliveryOutcome => ({ kind: 'sent', unrecorded: record }),
    );
  }

  /**
   * Remembers a posted card whose message asks for it (later changes update it): a card sent to
   * a person, or a copy updated in place (a form that became the receipt) under its new card.
   */
  private rememberPosted(message: StoredMessage, target: Target, activityId: string | undefined) {
    const { remember, to } = message;
    if (remember && to.kind === 'copy')
      return () =>
        this.deps.postedCards.remember(remember.card, { ...to.copy, view: remember.view });
    if (!remember || to.kind !== 'person' || !activityId) return undefined;
    return () =>
      this.deps.postedCards.remember(remember.card, {
        ownerId: to.id,
        view: remember.view,
        conversationId: target.conversationId,
        activityId,
        reference: target.reference,
        locale: typeof message.params.locale === 'string' ? message.params.locale : undefined,
      });
  }

  /** What the connector's refusal means for the message. */
  private async notDelivered(message: StoredMessage, err: unknown): Promise<DeliveryOutcome> {
    if (err instanceof RecipientGoneError) {
      await this.forget(message).catch(() => undefined);
      return { kind: 'gone', status: err.status };
    }
    const status = err instanceof DeliveryError ? err.status : undefined;
    if (status === 429)
      return { kind: 'throttled', retryAfterMs: (err as DeliveryError).retryAfterMs };
    const reason = err instanceof Error ? err.message : String(err);
    log.warn({ type: message.type, status, err: reason }, 'message not delivered');
    // No status: the connector could not be reached at all, which is worth another try.
    return { kind: 'failed', status, reason, retryable: !status || RETRYABLE.has(status) };
  }

  private personConversation(personId: string): Promise<StoredConversation | undefined> {
    return this.deps.conversations.forUser(personId);
  }

  /** The recipient blocked or removed the bot, or the message is gone: stop writing there. */
  private async forget(message: StoredMessage): Promise<void> {
    const to = message.to;
    if (to.kind === 'person') {
      await this.deps.conversations.forgetUser(to.id);
    } else if (to.kind === 'channel') {
      await this.deps.conversations.forgetChannel(to.teamId, to.channelId);
    } else if (to.kind === 'copy') {
      await this.deps.postedCards.forget(to.card, to.copy);
    }
  }
}
