import { strings } from '../i18n';
import { renderCard } from '../kernel/card-templates';
import type { CardKey } from '../messaging/posted-cards';
import type { OrgSnapshot } from '../org/organisation';
import { DEVIATION_KIND, isOpen, type Deviation, type DeviationEvent } from './deviation';
import { sceneOf } from './deviation-scene';
import { handlerData, outcomeData, receiptData } from './deviation-views';
import type { DeviationDeps } from './ports';

export const deviationCard = (ref: string): CardKey => ({ kind: DEVIATION_KIND, id: ref });

type Catalogue = Pick<OrgSnapshot, 'org' | 'categories'>;

/**
 * Who hears what after a report or a change: handler cards to leaders, every posted copy
 * brought up to date, the outcome to the reporter. All of it goes through the Notifier, which
 * logs failures and never throws them: the change itself is already stored.
 */
export class DeviationNotifications {
  constructor(private readonly deps: DeviationDeps) {}

  /** Sends the handler card to a leader's personal chat; false when it could not be delivered. */
  sendHandlerCard(
    catalogue: Catalogue,
    d: Deviation,
    personId: string,
    headline: 'newForYou' | 'assigned',
  ): Promise<boolean> {
    return this.deps.notifier.toPerson(
      personId,
      (language) => {
        const text = strings(language);
        return renderCard(
          'deviations/handler',
          handlerData(sceneOf(catalogue, language, this.deps.clock.now()), d, this.deps.signer, {
            viewerId: personId,
            headline: headline === 'newForYou' ? text.handler.newForYou : text.assigned.title,
          }),
        );
      },
      { remember: { key: deviationCard(d.ref), view: 'handler' } },
    );
  }

  /** After a change: every other copy shows the new state; a new holder gets a card; the reporter hears the end. */
  async afterChange(
    catalogue: Catalogue,
    d: Deviation,
    event: DeviationEvent,
    source: { conversationId?: string; activityId?: string },
  ): Promise<void> {
    const now = this.deps.clock.now();
    const copies = await this.deps.notifier.updateCopies(
      deviationCard(d.ref),
      (copy, language) => {
        const scene = sceneOf(catalogue, language, now);
        return copy.view === 'receipt'
          ? renderCard('deviations/receipt', receiptData(scene, d, this.deps.signer))
          : renderCard(
              'deviations/handler',
              handlerData(scene, d, this.deps.signer, { viewerId: copy.ownerId, lastEvent: event }),
            );
      },
      source,
    );

    const newHolder = (event.kind === 'assign' || event.kind === 'escalate') && event.targetId;
    if (newHolder && !copies.some((c) => c.ownerId === newHolder && c.view === 'handler'))
      await this.sendHandlerCard(catalogue, d, newHolder, 'assigned');
    if (!isOpen(d)) await this.tellReporter(catalogue, d);
  }

  /** The reporter hears the outcome, anonymous or not: anonymity hides them from handlers only. */
  private async tellReporter(catalogue: Catalogue, d: Deviation): Promise<void> {
    await this.deps.notifier.toPerson(
      d.reporterId,
      (language) =>
        renderCard(
          'deviations/outcome',
          outcomeData(sceneOf(catalogue, language, this.deps.clock.now()), d),
        ),
      { locale: d.reporterLocale },
    );
  }
}
