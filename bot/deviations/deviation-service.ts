import { renderCard, type Card } from '../kernel/card-templates';
import type { Actor } from '../messaging/delivery';
import { fill, strings } from '../i18n';
import { unitsLedBy } from '../org/organisation';
import type { Deviation } from './deviation';
import { mayView } from './deviation-access';
import { notice, viewFor, type DeviationDeps } from './deviation-context';
import { DeviationHandling, type ActionSource } from './deviation-handling';
import { DeviationNotifications } from './deviation-notifications';
import { parseReference } from './deviation-reference';
import { DeviationReporting, type SubmitResult } from './deviation-reporting';
import { handlerData, historyData, listData, receiptData } from './deviation-views';
import type { ReportDraft } from './report-form';

export type { Clock, DeviationDeps } from './deviation-context';
export { DEVIATION_ACTION_VERBS } from './deviation-handling';

type PostedCard = { conversationId: string; activityId: string; reference: string };

/**
 * The deviation feature as the Teams edge sees it: report, handle, look up. No SDK here: the
 * edge passes the actor and the card data in and sends out the cards that come back.
 * Reporting, handling and notifications live in their own files; lists and history here.
 */
export class DeviationService {
  private readonly reporting: DeviationReporting;
  private readonly handling: DeviationHandling;

  constructor(private readonly deps: DeviationDeps) {
    const notifications = new DeviationNotifications(deps);
    this.reporting = new DeviationReporting(deps, notifications);
    this.handling = new DeviationHandling(deps, notifications);
  }

  reportForm(
    actor: Actor,
    options: { draft?: ReportDraft; prefillText?: string; dialog?: boolean } = {},
  ): Promise<Card> {
    return this.reporting.reportForm(actor, options);
  }

  submitReport(
    actor: Actor,
    data: Record<string, unknown>,
    options: { dialog?: boolean } = {},
  ): Promise<SubmitResult> {
    return this.reporting.submitReport(actor, data, options);
  }

  act(
    actor: Actor,
    verb: string,
    data: Record<string, unknown>,
    source: ActionSource,
  ): Promise<Card> {
    return this.handling.act(actor, verb, data, source);
  }

  /** Records where the reporter's receipt ended up, so later changes update it. */
  async rememberReceipt(d: Deviation, posted: PostedCard): Promise<void> {
    await this.deps.deviations.saveCardCopy(d.ref, {
      ownerId: d.reporterId,
      kind: 'receipt',
      ...posted,
    });
  }

  /** Keeps a handler card shown to a viewer ("Vis" in a list) up to date from now on. */
  async rememberCopy(ref: string, ownerId: string, posted: PostedCard): Promise<void> {
    await this.deps.deviations.saveCardCopy(ref, { ownerId, kind: 'handler', ...posted });
  }

  /** The card as it should look to this viewer now (Universal Actions refresh, "Vis" in lists). */
  async currentCard(
    actor: Actor,
    ref: string,
    view: 'handler' | 'receipt' = 'handler',
  ): Promise<Card> {
    const found = await this.deps.deviations.get(ref);
    const { snapshot, ctx } = await viewFor(this.deps, actor.language);
    // Same answer for "does not exist" and "not yours": references must not be probed.
    if (!found || !mayView(snapshot.org, found.deviation, actor.id)) {
      return notice(fill(strings(actor.language).refusals.not_allowed_view, { ref }));
    }
    const d = found.deviation;
    if (view === 'receipt' && d.reporterId === actor.id)
      return renderCard('deviations/receipt', receiptData(ctx, d, this.deps.signer));
    return renderCard(
      'deviations/handler',
      handlerData(ctx, d, this.deps.signer, { viewerId: actor.id }),
    );
  }

  /** "mine avvik" (newest first) or "åpne avvik" (oldest first, what the actor leads and below). */
  async list(actor: Actor, list: 'mine' | 'open', page = 1): Promise<Card> {
    const { snapshot, ctx } = await viewFor(this.deps, actor.language);
    if (list === 'mine') {
      const rows = (await this.deps.deviations.byReporter(actor.id)).sort((a, b) =>
        b.createdAt.localeCompare(a.createdAt),
      );
      return renderCard('deviations/list', listData(ctx, 'mine', rows, page));
    }
    const units = unitsLedBy(snapshot.org, actor.id);
    if (units.length === 0) return notice(strings(actor.language).lists.notLeader, '', 'Default');
    const rows = (await this.deps.deviations.openInUnits(units.map((u) => u.id))).sort((a, b) =>
      a.createdAt.localeCompare(b.createdAt),
    );
    return renderCard('deviations/list', listData(ctx, 'open', rows, page));
  }

  /** "historikk AVV-…": the append-only audit trail, for those who may see the case. */
  async history(actor: Actor, refText: string): Promise<Card> {
    const t = strings(actor.language);
    const parsed = parseReference(refText);
    if (!parsed) return notice(t.history.usage, '', 'Default');
    const found = await this.deps.deviations.get(parsed.ref);
    const { snapshot, ctx } = await viewFor(this.deps, actor.language);
    if (!found || !mayView(snapshot.org, found.deviation, actor.id))
      return notice(fill(t.refusals.not_allowed_view, { ref: parsed.ref }));
    const events = await this.deps.deviations.events(parsed.ref);
    return renderCard('deviations/history', historyData(ctx, found.deviation, events, actor.id));
  }
}
