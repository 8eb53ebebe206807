import { renderCard } from '../kernel/card-templates';
import { RecipientGoneError } from '../messaging/delivery';
import { languageOf, strings } from '../i18n';
import { log } from '../app/log';
import type { OrgSnapshot } from '../org/org-store';
import { isOpen, type Deviation, type DeviationEvent } from './deviation';
import { viewIn, type DeviationDeps } from './deviation-context';
import { handlerData, outcomeData, receiptData } from './deviation-views';

/**
 * Who hears what after a report or a change: handler cards to leaders, every posted copy
 * brought up to date, the outcome to the reporter. Failures are logged, never thrown: the
 * change itself is already stored.
 */
export class DeviationNotifications {
  constructor(private readonly deps: DeviationDeps) {}

  /** Sends the handler card to a leader's personal chat; false when it could not be delivered. */
  async sendHandlerCard(
    snapshot: OrgSnapshot,
    d: Deviation,
    personId: string,
    headline: 'newForYou' | 'assigned',
  ): Promise<boolean> {
    const conversation = await this.deps.conversations.forUser(personId);
    if (!conversation) {
      log.warn(
        { ref: d.ref, personId },
        'handler has no conversation with the bot; card not delivered',
      );
      return false;
    }
    const ctx = viewIn(this.deps, snapshot, languageOf(conversation.locale));
    const t = strings(ctx.language);
    const card = renderCard(
      'deviations/handler',
      handlerData(ctx, d, this.deps.signer, {
        viewerId: personId,
        headline: headline === 'newForYou' ? t.handler.newForYou : t.assigned.title,
      }),
    );
    try {
      const { activityId } = await this.deps.delivery.send(conversation.reference, card);
      await this.deps.deviations.saveCardCopy(d.ref, {
        ownerId: personId,
        kind: 'handler',
        conversationId: conversation.conversationId,
        activityId,
        reference: conversation.reference,
      });
      return true;
    } catch (err) {
      if (err instanceof RecipientGoneError) await this.deps.conversations.forgetUser(personId);
      log.warn({ ref: d.ref, personId, err: (err as Error).message }, 'handler card not delivered');
      return false;
    }
  }

  /** After a change: every other copy shows the new state; a new holder gets a card; the reporter hears the end. */
  async afterChange(
    snapshot: OrgSnapshot,
    d: Deviation,
    event: DeviationEvent,
    source: { conversationId?: string; activityId?: string },
  ): Promise<void> {
    const copies = await this.deps.deviations.cardCopies(d.ref);
    await Promise.all(
      copies
        .filter(
          (c) =>
            !(c.conversationId === source.conversationId && c.activityId === source.activityId),
        )
        .map(async (copy) => {
          const conversation = await this.deps.conversations.forUser(copy.ownerId);
          const ctx = viewIn(
            this.deps,
            snapshot,
            languageOf(copy.kind === 'receipt' ? d.reporterLocale : conversation?.locale),
          );
          const card =
            copy.kind === 'receipt'
              ? renderCard('deviations/receipt', receiptData(ctx, d, this.deps.signer))
              : renderCard(
                  'deviations/handler',
                  handlerData(ctx, d, this.deps.signer, {
                    viewerId: copy.ownerId,
                    lastEvent: event,
                  }),
                );
          try {
            await this.deps.delivery.update(copy.reference, copy.activityId, card);
          } catch (err) {
            log.warn(
              { ref: d.ref, ownerId: copy.ownerId, err: (err as Error).message },
              'card copy not updated',
            );
          }
        }),
    );

    const newHolder = (event.kind === 'assign' || event.kind === 'escalate') && event.targetId;
    if (newHolder && !copies.some((c) => c.ownerId === newHolder && c.kind === 'handler')) {
      await this.sendHandlerCard(snapshot, d, newHolder, 'assigned');
    }
    if (!isOpen(d)) await this.tellReporter(snapshot, d);
  }

  /** The reporter hears the outcome, anonymous or not: anonymity hides them from handlers only. */
  private async tellReporter(snapshot: OrgSnapshot, d: Deviation): Promise<void> {
    const conversation = await this.deps.conversations.forUser(d.reporterId);
    if (!conversation) return;
    const ctx = viewIn(this.deps, snapshot, languageOf(d.reporterLocale));
    try {
      await this.deps.delivery.send(
        conversation.reference,
        renderCard('deviations/outcome', outcomeData(ctx, d)),
      );
    } catch (err) {
      log.warn({ ref: d.ref, err: (err as Error).message }, 'outcome not delivered to reporter');
    }
  }
}
