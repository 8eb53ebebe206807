import { log } from '../app/log';
import { fill, strings } from '../i18n';
import type { Actor } from '../kernel/actor';
import { CardActionPipeline } from '../kernel/card-action';
import { notice, renderCard, type Card } from '../kernel/card-templates';
import { echoedReference } from '../kernel/reference';
import { unitsLedBy } from '../org/organisation';
import type { Deviation, DeviationEvent } from './deviation';
import { mayView } from './deviation-access';
import { deviationActions } from './deviation-actions';
import { deviationCard } from './deviation-messages';
import { parseReference } from './deviation-reference';
import { DeviationReporting, type SubmitOptions, type SubmitResult } from './deviation-reporting';
import { readScene } from './deviation-scene';
import {
  handlerData,
  historyData,
  listData,
  receiptData,
  type ViewContext,
} from './deviation-views';
import type { DeviationDeps } from './ports';
import type { ReportDraft } from './report-form';

export type { DeviationDeps } from './ports';

/**
 * The access log (bot/privacy/access-log-store.ts): who opened which case's card or history, ids only.
 * Optional, so tests of other things need not provide one.
 */
export interface CaseAccessLog {
  opened(d: Deviation, viewerId: string, view: 'card' | 'history', at: Date): Promise<void>;
}

/** Where a card the actor was just shown ended up (its chat and message). */
type PostedHere = { conversationId: string; activityId: string; reference: string };

/**
 * The deviation feature as the Teams edge sees it: report, handle, look up. No SDK here: the
 * edge passes the actor and the card data in and sends out the cards that come back.
 * Reporting, the handler card's verbs and notifications live in their own files.
 */
export class DeviationService {
  private readonly reporting: DeviationReporting;
  /** The handler card's verbs, run through the kernel's card-action pipeline. */
  readonly actions: CardActionPipeline<Deviation, DeviationEvent, ViewContext>;

  constructor(
    private readonly deps: DeviationDeps,
    private readonly accessLog?: CaseAccessLog,
  ) {
    this.reporting = new DeviationReporting(deps);
    this.actions = new CardActionPipeline(deviationActions(deps), deps.signer);
  }

  reportForm(
    actor: Actor,
    options: { draft?: ReportDraft; formId?: string; prefillText?: string; dialog?: boolean } = {},
  ): Promise<Card> {
    return this.reporting.reportForm(actor, options);
  }

  /** Whether the form a saved draft came from has been filed since (the draft is stale). */
  draftFiled(actor: Actor, formId: string): Promise<boolean> {
    return this.reporting.draftFiled(actor, formId);
  }

  submitReport(
    actor: Actor,
    data: Record<string, unknown>,
    options: SubmitOptions = {},
  ): Promise<SubmitResult> {
    return this.reporting.submitReport(actor, data, options);
  }

  /** Whether the person has the bot in their personal chat (a receipt can be sent there). */
  canReach(personId: string): Promise<boolean> {
    return this.deps.reach.canReach(personId);
  }

  /** Keeps a handler card shown to a viewer ("Vis" in a list) up to date from now on. */
  async rememberCopy(refText: string, ownerId: string, posted: PostedHere): Promise<void> {
    const parsed = parseReference(refText);
    if (!parsed) return;
    return this.deps.postedCards.remember(deviationCard(parsed.ref), {
      ownerId,
      view: 'handler',
      ...posted,
    });
  }

  /** The card as it should look to this viewer now (Universal Actions refresh, "Vis" in lists). */
  async currentCard(
    actor: Actor,
    refText: string,
    view: 'handler' | 'receipt' = 'handler',
  ): Promise<Card> {
    // Card data is untrusted: a ref with key characters (/ \ # ?) must never reach the store.
    const parsed = parseReference(refText);
    if (!parsed) return invalidReference(actor, refText);
    const { ref } = parsed;
    const found = await this.deps.records.get(ref);
    const scene = await readScene(this.deps, actor.language);
    // Same answer for "does not exist" and "not yours": references must not be probed.
    if (!found || !mayView(scene.org, found.record, actor.id)) {
      return notice(fill(strings(actor.language).refusals.not_allowed_view, { ref }));
    }
    const d = found.record;
    await this.logAccess(d, actor, 'card');
    if (view === 'receipt' && d.reporterId === actor.id)
      return renderCard('deviations/receipt', receiptData(scene, d, this.deps.signer));
    return renderCard(
      'deviations/handler',
      handlerData(scene, d, this.deps.signer, { viewerId: actor.id }),
    );
  }

  /** "mine avvik" (newest first) or "åpne avvik" (oldest first, what the actor leads and below). */
  async list(actor: Actor, list: 'mine' | 'open', page = 1): Promise<Card> {
    const scene = await readScene(this.deps, actor.language);
    if (list === 'mine') {
      const rows = (await this.deps.index.byReporter(actor.id)).sort((a, b) =>
        b.createdAt.localeCompare(a.createdAt),
      );
      return renderCard('deviations/list', listData(scene, 'mine', rows, page));
    }
    const units = unitsLedBy(scene.org, actor.id);
    if (units.length === 0) return notice(strings(actor.language).lists.notLeader, '', 'Default');
    const rows = (await this.deps.index.openInUnits(units.map((u) => u.id))).sort((a, b) =>
      a.createdAt.localeCompare(b.createdAt),
    );
    return renderCard('deviations/list', listData(scene, 'open', rows, page));
  }

  /** "historikk AVV-…": the append-only audit trail, for those who may see the case. */
  async history(actor: Actor, refText: string): Promise<Card> {
    const text = strings(actor.language);
    if (!refText.trim()) return notice(text.history.usage, '', 'Default');
    const parsed = parseReference(refText);
    if (!parsed) return invalidReference(actor, refText);
    const found = await this.deps.records.get(parsed.ref);
    const scene = await readScene(this.deps, actor.language);
    if (!found || !mayView(scene.org, found.record, actor.id))
      return notice(fill(text.refusals.not_allowed_view, { ref: parsed.ref }));
    const events = await this.deps.records.events(parsed.ref);
    await this.logAccess(found.record, actor, 'history');
    return renderCard('deviations/history', historyData(scene, found.record, events, actor.id));
  }

  /**
   * Records that the actor saw the case. A view never fails because of its log: a failed write
   * is logged with the reference, the view and the status, never the viewer nor the error's
   * text (it may quote the row's key, which names the viewer), and the card is shown.
   */
  private async logAccess(d: Deviation, actor: Actor, view: 'card' | 'history'): Promise<void> {
    if (!this.accessLog) return;
    try {
      await this.accessLog.opened(d, actor.id, view, this.deps.clock.now());
    } catch (err) {
      const { name, statusCode } = err as { name?: string; statusCode?: number };
      log.warn({ ref: d.ref, view, error: name, status: statusCode }, 'access log not written');
    }
  }
}

/** A text that is no deviation reference: said so, with at most a short, safe prefix of it. */
function invalidReference(actor: Actor, text: string): Card {
  const t = strings(actor.language).refusals;
  return notice(fill(t.invalid_reference, { text: echoedReference(text) }));
}
