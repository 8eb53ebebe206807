import { log } from '../app/log';
import { languageOf, type Language } from '../i18n';
import type { Card } from '../kernel/card-templates';
import type { ConversationDirectory, StoredConversation } from './conversations';
import { RecipientGoneError, type Delivery } from './delivery';
import type { CardKey, PostedCard, PostedCards } from './posted-cards';
import type { Recipient } from './recipient';

/** A card drawn in the recipient's language. */
export type CardIn = (language: Language) => Card;

export interface SendOptions {
  /** Draw the card in this locale instead of the recipient's Teams locale. */
  locale?: string;
  /** Remember the posted card under this record, as this view, so later changes update it. */
  remember?: { key: CardKey; view: string };
}

/**
 * The one way features reach people and channels outside a turn. It finds the conversation,
 * chooses the language, forgets a recipient that is gone (403/404), remembers posted copies,
 * and logs ids only (never a person's id next to a case: the case may be anonymous). Delivery
 * failures are logged and reported as `false`, never thrown: the change that caused the
 * message is already stored.
 */
export class Notifier {
  constructor(
    private readonly deps: {
      delivery: Delivery;
      conversations: ConversationDirectory;
      postedCards: PostedCards;
    },
  ) {}

  toPerson(personId: string, card: CardIn, options: SendOptions = {}): Promise<boolean> {
    return this.send({ kind: 'person', id: personId }, card, options);
  }

  toChannel(teamId: string, channelId: string, card: CardIn): Promise<boolean> {
    return this.send({ kind: 'channel', teamId, channelId }, card, {});
  }

  /** True when the person can be reached in Teams (has the bot installed). */
  async canReach(personId: string): Promise<boolean> {
    return Boolean(await this.deps.conversations.forUser(personId));
  }

  async send(recipient: Recipient, card: CardIn, options: SendOptions = {}): Promise<boolean> {
    const about = options.remember ? describe(options.remember.key, options.remember.view) : {};
    const conversation = await this.conversationOf(recipient);
    if (!conversation) {
      log.warn({ ...about, recipient: recipient.kind }, 'recipient cannot be reached in Teams');
      return false;
    }
    const locale = options.locale ?? conversation.locale;
    try {
      const { activityId } = await this.deps.delivery.send(
        conversation.reference,
        card(languageOf(locale)),
      );
      if (options.remember && recipient.kind === 'person') {
        await this.remember(options.remember.key, {
          ownerId: recipient.id,
          view: options.remember.view,
          conversationId: conversation.conversationId,
          activityId,
          reference: conversation.reference,
          locale: options.locale,
        });
      }
      return true;
    } catch (err) {
      if (err instanceof RecipientGoneError) await this.forget(recipient);
      log.warn({ ...about, recipient: recipient.kind, err: messageOf(err) }, 'card not delivered');
      return false;
    }
  }

  /** Records a card posted in a turn (a receipt replacing the form, a case opened from a list). */
  async remember(key: CardKey, card: PostedCard): Promise<void> {
    try {
      await this.deps.postedCards.remember(key, card);
    } catch (err) {
      // Best effort: the card is shown; only its later updates are lost.
      log.warn({ ...describe(key, card.view), err: messageOf(err) }, 'posted card not remembered');
    }
  }

  /**
   * Brings every posted copy of a record up to date. `draw` returns the card for one copy, or
   * undefined to leave it as it is. The copy the action came from is skipped: the invoke
   * response replaces that one.
   */
  async updateCopies(
    key: CardKey,
    draw: (copy: PostedCard, language: Language) => Card | undefined,
    except: { conversationId?: string; activityId?: string } = {},
  ): Promise<PostedCard[]> {
    const copies = await this.deps.postedCards.list(key);
    await Promise.all(
      copies
        .filter(
          (c) =>
            !(c.conversationId === except.conversationId && c.activityId === except.activityId),
        )
        .map(async (copy) => {
          const locale =
            copy.locale ?? (await this.deps.conversations.forUser(copy.ownerId))?.locale;
          const card = draw(copy, languageOf(locale));
          if (!card) return;
          try {
            await this.deps.delivery.update(copy.reference, copy.activityId, card);
          } catch (err) {
            if (err instanceof RecipientGoneError)
              await this.deps.postedCards.forget(key, copy.conversationId).catch(() => undefined);
            log.warn({ ...describe(key, copy.view), err: messageOf(err) }, 'card copy not updated');
          }
        }),
    );
    return copies;
  }

  private conversationOf(recipient: Recipient): Promise<StoredConversation | undefined> {
    return recipient.kind === 'person'
      ? this.deps.conversations.forUser(recipient.id)
      : this.deps.conversations.forChannel(recipient.teamId, recipient.channelId);
  }

  private async forget(recipient: Recipient): Promise<void> {
    const { conversations } = this.deps;
    await (
      recipient.kind === 'person'
        ? conversations.forgetUser(recipient.id)
        : conversations.forgetChannel(recipient.teamId, recipient.channelId)
    ).catch(() => undefined);
  }
}

function describe(key: CardKey, view: string) {
  return { kind: key.kind, ref: key.id, view };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
