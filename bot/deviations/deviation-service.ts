import crypto from 'node:crypto';
import { renderCard, type Card } from '../shared/card-templates';
import type { CardSigner } from '../shared/card-signing';
import { RecipientGoneError, type Actor, type Delivery } from '../shared/delivery';
import { fill, languageOf, strings, type Language } from '../shared/i18n';
import { log } from '../log';
import type { OrgRepository, OrgSnapshot } from '../org/org-repository';
import { leaderAbove, leadersUpTheLine, unitsLedBy, type Person } from '../org/organisation';
import type { ConversationStore } from '../store/conversation-store';
import { getEntityOrUndefined, isWriteConflict, type Tables } from '../store/tables';
import { handlingDeadline, type Deviation, type DeviationAction, type DeviationActionKind, type DeviationEvent } from './deviation';
import { assignableLeaders, mayHandle, mayView } from './deviation-access';
import { parseReference } from './deviation-reference';
import { ConcurrentChangeError, type DeviationRepository } from './deviation-repository';
import {
  handlerData,
  historyData,
  listData,
  outcomeData,
  receiptData,
  reportFormData,
  type ViewContext,
} from './deviation-views';
import { applyDeviationAction } from './deviation-workflow';
import { draftFrom, osloDate, validateReport, type ReportDraft, type ReportInput } from './report-form';

/**
 * The deviation use cases: report, handle, list, history. No SDK here: the Teams edge passes
 * the actor and the card data in, and sends out what comes back.
 */

export interface CardResult {
  card: Card;
  /** A follow-up the edge should send as a new message in the same chat, if any. */
  followUp?: Card;
}

export interface Clock {
  now(): Date;
}

const ACTION_VERBS: Record<string, DeviationActionKind> = {
  'deviation.take': 'take',
  'deviation.assign': 'assign',
  'deviation.measure': 'measure',
  'deviation.close': 'close',
  'deviation.reject': 'reject',
  'deviation.escalate': 'escalate',
};
export const DEVIATION_ACTION_VERBS = Object.keys(ACTION_VERBS);

const str = (v: unknown) => (typeof v === 'string' ? v : '');

export class DeviationService {
  constructor(
    private readonly deps: {
      tables: Tables;
      deviations: DeviationRepository;
      org: OrgRepository;
      conversations: ConversationStore;
      delivery: Delivery;
      signer: CardSigner;
      clock: Clock;
    },
  ) {}

  private async view(language: Language): Promise<{ snapshot: OrgSnapshot; ctx: ViewContext }> {
    const snapshot = await this.deps.org.snapshot();
    return { snapshot, ctx: { org: snapshot.org, categories: snapshot.categories, language, now: this.deps.clock.now() } };
  }

  private notice(text: string, title = '', color = 'Attention'): Card {
    return renderCard('common/notice', { title, text, color });
  }

  // ---- Reporting -------------------------------------------------------------------------

  /** The empty form (or a saved draft), with the reporter's own unit preselected. */
  async reportForm(actor: Actor, options: { draft?: ReportDraft; prefillText?: string; dialog?: boolean } = {}): Promise<Card> {
    const { snapshot, ctx } = await this.view(actor.language);
    const me = snapshot.org.people.get(actor.id);
    const draft: ReportDraft = { type: 'avvik', unitId: me?.unitId ?? '', occurredOn: osloDate(ctx.now), anonymous: 'false', ...options.draft };
    if (options.prefillText) draft.description = options.prefillText.slice(0, 4000);
    return renderCard('deviations/report-form', reportFormData(ctx, draft, {}, crypto.randomUUID(), { fromMessage: Boolean(options.prefillText), dialog: options.dialog }));
  }

  /**
   * Validates and stores a report. Returns the receipt, or the form again with errors beside
   * the fields and the typed values kept (nothing stored). `formId` makes a retried submit
   * of the same form return the same receipt instead of a second report.
   */
  async submitReport(
    actor: Actor,
    data: Record<string, unknown>,
    options: { dialog?: boolean } = {},
  ): Promise<{ ok: true; deviation: Deviation; card: Card } | { ok: false; card: Card; draft: ReportDraft }> {
    const { snapshot, ctx } = await this.view(actor.language);
    const now = ctx.now;
    const formId = /^[A-Za-z0-9-]{8,64}$/.test(str(data.formId)) ? str(data.formId) : crypto.randomUUID();
    const validation = validateReport(data, {
      categories: snapshot.categories,
      unitIds: new Set([...snapshot.org.units.values()].filter((u) => u.kind !== 'rådmannsnivå').map((u) => u.id)),
      now,
    });
    if (!validation.ok) {
      const card = renderCard('deviations/report-form', reportFormData(ctx, validation.draft, validation.errors, formId, { dialog: options.dialog }));
      return { ok: false, card, draft: validation.draft };
    }

    // One form, one report: claim the form id first, so a retried submit finds the claim.
    const submissions = this.deps.tables.client('DeviationIndex');
    try {
      await submissions.createEntity({ partitionKey: 'submission', rowKey: formId, ref: '', at: now.toISOString() });
    } catch (err) {
      if (!isWriteConflict(err)) throw err;
      const claim = await getEntityOrUndefined<{ ref: string }>(submissions, 'submission', formId);
      const existing = claim?.ref ? await this.deps.deviations.get(claim.ref) : undefined;
      if (existing && existing.deviation.reporterId === actor.id) {
        return { ok: true, deviation: existing.deviation, card: renderCard('deviations/receipt', receiptData(ctx, existing.deviation, this.deps.signer)) };
      }
      return { ok: false, card: this.notice(strings(actor.language).refusals.duplicate), draft: draftFrom(data) };
    }

    try {
      return await this.storeReport(actor, validation.report, formId, { snapshot, ctx });
    } catch (err) {
      // Let the same form be sent again: nothing was stored, or only an unused number.
      await submissions.deleteEntity('submission', formId).catch(() => undefined);
      throw err;
    }
  }

  private async storeReport(
    actor: Actor,
    report: ReportInput,
    formId: string,
    { snapshot, ctx }: { snapshot: OrgSnapshot; ctx: ViewContext },
  ): Promise<{ ok: true; deviation: Deviation; card: Card }> {
    const now = ctx.now;
    const submissions = this.deps.tables.client('DeviationIndex');
    const route = await this.routeToLeader(snapshot, report.unitId);
    const ref = await this.deps.deviations.nextReference(now);
    const at = now.toISOString();
    const deviation: Deviation = {
      ref,
      rev: 1,
      ...report,
      reporterId: actor.id,
      reporterName: actor.name,
      reporterLocale: actor.locale,
      status: 'registrert',
      handlerId: route.leader?.id ?? '',
      escalations: 0,
      measures: [],
      createdAt: at,
      updatedAt: at,
      dueAt: handlingDeadline(report.severity, report.type, now).toISOString(),
    };
    const event: DeviationEvent = { ref, seq: 1, at, kind: 'reported', actorId: actor.id, toStatus: 'registrert' };
    await this.deps.deviations.create(deviation, event);
    log.info({ ref, unitId: deviation.unitId, category: deviation.categoryId, severity: deviation.severity }, 'deviation reported');
    // From here the report exists: later failures are logged, never turned into a lost report.
    await submissions.updateEntity({ partitionKey: 'submission', rowKey: formId, ref }, 'Merge').catch((err) =>
      log.warn({ ref, err: (err as Error).message }, 'submission claim not linked to its reference'),
    );
    if (route.leader) await this.sendHandlerCard(snapshot, deviation, route.leader.id, 'newForYou');
    const routedUpTo = route.skipped && route.leader ? route.leader.name : undefined;
    const card = renderCard('deviations/receipt', receiptData(ctx, deviation, this.deps.signer, { routedUpTo }));
    return { ok: true, deviation, card };
  }

  /** Records where the reporter's receipt card ended up, so later changes update it. */
  async rememberReceipt(d: Deviation, conversation: { conversationId: string; activityId: string; reference: string }) {
    await this.deps.deviations.saveCardCopy(d.ref, { ownerId: d.reporterId, kind: 'receipt', ...conversation });
  }

  /** The unit's leader, or the nearest leader above who can be reached in Teams. */
  private async routeToLeader(snapshot: OrgSnapshot, unitId: string): Promise<{ leader?: Person; skipped: boolean }> {
    const line = leadersUpTheLine(snapshot.org, unitId);
    for (const [i, leader] of line.entries()) {
      if (await this.deps.conversations.forUser(leader.id)) return { leader, skipped: i > 0 };
    }
    return { leader: line[0], skipped: false };
  }

  private async sendHandlerCard(snapshot: OrgSnapshot, d: Deviation, personId: string, headline: 'newForYou' | 'assigned'): Promise<boolean> {
    const conversation = await this.deps.conversations.forUser(personId);
    if (!conversation) {
      log.warn({ ref: d.ref, personId }, 'handler has no conversation with the bot; card not delivered');
      return false;
    }
    const language = languageOf(conversation.locale);
    const t = strings(language);
    const ctx: ViewContext = { org: snapshot.org, categories: snapshot.categories, language, now: this.deps.clock.now() };
    const card = renderCard(
      'deviations/handler',
      handlerData(ctx, d, this.deps.signer, { viewerId: personId, headline: headline === 'newForYou' ? t.handler.newForYou : t.assigned.title }),
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

  // ---- Handling --------------------------------------------------------------------------

  /**
   * Applies a card action. Always returns the card to show the actor: the new state, or the
   * current state with the reason the action was refused. Nothing changes on a refusal.
   */
  async act(
    actor: Actor,
    verb: string,
    data: Record<string, unknown>,
    source: { actionId: string; conversationId?: string; activityId?: string },
  ): Promise<Card> {
    const t = strings(actor.language);
    const kind = ACTION_VERBS[verb];
    const ref = str(data.ref);
    const rev = Number(data.rev);
    if (!kind) return this.notice(t.refusals.unknown_action);
    if (!this.deps.signer.verify(ref, rev, data.sig)) {
      log.warn({ verb, actorId: actor.id }, 'card action refused: bad signature');
      return this.notice(t.refusals.forged);
    }
    const found = await this.deps.deviations.get(ref);
    if (!found) return this.notice(fill(t.refusals.not_found, { ref }));
    const { snapshot, ctx } = await this.view(actor.language);
    const { deviation: current, etag } = found;
    const cardFor = (d: Deviation, notice?: string, noticeColor?: 'Attention' | 'Good' | 'Warning', lastEvent?: DeviationEvent) =>
      renderCard('deviations/handler', handlerData(ctx, d, this.deps.signer, { viewerId: actor.id, notice, noticeColor, lastEvent }));

    if (current.lastActionId && current.lastActionId === source.actionId) return cardFor(current);
    if (!mayHandle(snapshot.org, current, actor.id)) {
      log.warn({ ref, verb, actorId: actor.id }, 'card action refused: not allowed');
      if (!mayView(snapshot.org, current, actor.id)) return this.notice(fill(t.refusals.not_allowed, { ref }));
      return cardFor(current, fill(t.refusals.not_allowed, { ref }));
    }
    if (rev !== current.rev) return cardFor(current, t.refusals.stale, 'Warning');

    const action = this.toAction(kind, data, snapshot, current, t);
    if ('refusal' in action) return cardFor(current, action.refusal);
    const result = applyDeviationAction(current, action, actor.id, ctx.now, source.actionId);
    if (!result.ok) {
      const r = result.refusal;
      const text =
        r.code === 'invalid_transition'
          ? fill(t.refusals.invalid_transition, { action: t.actions[r.action], status: t.statuses[r.status] })
          : r.code === 'missing_field'
            ? fill(t.refusals.missing_field, { field: t.fieldNames[r.field as keyof typeof t.fieldNames] ?? r.field })
            : t.refusals.same_person;
      return cardFor(current, text);
    }
    const event: DeviationEvent = { ...result.event, seq: result.deviation.rev };
    try {
      await this.deps.deviations.update(current, result.deviation, etag, event);
    } catch (err) {
      if (!(err instanceof ConcurrentChangeError)) throw err;
      const latest = await this.deps.deviations.get(ref);
      return cardFor(latest?.deviation ?? current, t.refusals.stale, 'Warning');
    }
    log.info({ ref, action: kind, actorId: actor.id, rev: result.deviation.rev }, 'deviation changed');
    await this.afterChange(snapshot, result.deviation, event, source);
    return cardFor(result.deviation, undefined, undefined, event);
  }

  private toAction(
    kind: DeviationActionKind,
    data: Record<string, unknown>,
    snapshot: OrgSnapshot,
    d: Deviation,
    t: ReturnType<typeof strings>,
  ): DeviationAction | { refusal: string } {
    switch (kind) {
      case 'take':
        return { kind };
      case 'assign': {
        const assigneeId = str(data.assigneeId);
        if (!assignableLeaders(snapshot.org, d).some((p) => p.id === assigneeId)) return { refusal: t.refusals.invalid_assignee };
        return { kind, assigneeId };
      }
      case 'measure': {
        const dueDate = /^\d{4}-\d{2}-\d{2}$/.test(str(data.measureDue)) ? str(data.measureDue) : '';
        return { kind, text: str(data.measureText).slice(0, 2000), dueDate };
      }
      case 'close':
        return { kind, cause: str(data.cause).slice(0, 2000), measures: str(data.closingMeasures).slice(0, 2000) };
      case 'reject':
        return { kind, reason: str(data.rejectReason).slice(0, 2000) };
      case 'escalate': {
        const above = leaderAbove(snapshot.org, d.unitId, d.handlerId);
        if (!above) return { refusal: t.refusals.top_of_line };
        return { kind, toId: above.id };
      }
    }
  }

  /** Tells everyone concerned: new holders get a card, every posted copy shows the new state. */
  private async afterChange(
    snapshot: OrgSnapshot,
    d: Deviation,
    event: DeviationEvent,
    source: { conversationId?: string; activityId?: string },
  ): Promise<void> {
    const copies = await this.deps.deviations.cardCopies(d.ref);
    const updates = copies
      .filter((c) => !(c.conversationId === source.conversationId && c.activityId === source.activityId))
      .map(async (copy) => {
        const conversation = await this.deps.conversations.forUser(copy.ownerId);
        const language = languageOf(copy.kind === 'receipt' ? d.reporterLocale : conversation?.locale);
        const ctx: ViewContext = { org: snapshot.org, categories: snapshot.categories, language, now: this.deps.clock.now() };
        const card =
          copy.kind === 'receipt'
            ? renderCard('deviations/receipt', receiptData(ctx, d, this.deps.signer))
            : renderCard('deviations/handler', handlerData(ctx, d, this.deps.signer, { viewerId: copy.ownerId, lastEvent: event }));
        try {
          await this.deps.delivery.update(copy.reference, copy.activityId, card);
        } catch (err) {
          log.warn({ ref: d.ref, ownerId: copy.ownerId, err: (err as Error).message }, 'card copy not updated');
        }
      });
    await Promise.all(updates);

    if (event.kind === 'assign' && event.targetId && !copies.some((c) => c.ownerId === event.targetId && c.kind === 'handler')) {
      await this.sendHandlerCard(snapshot, d, event.targetId, 'assigned');
    }
    if (event.kind === 'escalate' && event.targetId && !copies.some((c) => c.ownerId === event.targetId && c.kind === 'handler')) {
      await this.sendHandlerCard(snapshot, d, event.targetId, 'assigned');
    }
    if (d.status === 'lukket' || d.status === 'avvist') await this.tellReporter(snapshot, d);
  }

  /** The reporter hears the outcome, anonymous or not: anonymity hides them from handlers only. */
  private async tellReporter(snapshot: OrgSnapshot, d: Deviation): Promise<void> {
    const conversation = await this.deps.conversations.forUser(d.reporterId);
    if (!conversation) return;
    const language = languageOf(d.reporterLocale);
    const ctx: ViewContext = { org: snapshot.org, categories: snapshot.categories, language, now: this.deps.clock.now() };
    try {
      await this.deps.delivery.send(conversation.reference, renderCard('deviations/outcome', outcomeData(ctx, d)));
    } catch (err) {
      log.warn({ ref: d.ref, err: (err as Error).message }, 'outcome not delivered to reporter');
    }
  }

  /** The card as it should look to this viewer now (Universal Actions refresh, "Vis" in lists). */
  async currentCard(actor: Actor, ref: string, view: 'handler' | 'receipt' = 'handler'): Promise<Card> {
    const t = strings(actor.language);
    const found = await this.deps.deviations.get(ref);
    if (!found) return this.notice(fill(t.refusals.not_found, { ref }));
    const { snapshot, ctx } = await this.view(actor.language);
    const d = found.deviation;
    if (!mayView(snapshot.org, d, actor.id)) return this.notice(fill(t.refusals.not_allowed_view, { ref }));
    if (view === 'receipt' && d.reporterId === actor.id) return renderCard('deviations/receipt', receiptData(ctx, d, this.deps.signer));
    return renderCard('deviations/handler', handlerData(ctx, d, this.deps.signer, { viewerId: actor.id }));
  }

  /** Keeps a card shown to a viewer up to date from now on. */
  async rememberCopy(ref: string, ownerId: string, conversation: { conversationId: string; activityId: string; reference: string }) {
    await this.deps.deviations.saveCardCopy(ref, { ownerId, kind: 'handler', ...conversation });
  }

  // ---- Lists and history ---------------------------------------------------------------

  async list(actor: Actor, list: 'mine' | 'open', page = 1): Promise<Card> {
    const { snapshot, ctx } = await this.view(actor.language);
    if (list === 'mine') {
      const rows = (await this.deps.deviations.byReporter(actor.id)).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
      return renderCard('deviations/list', listData(ctx, 'mine', rows, page));
    }
    const units = unitsLedBy(snapshot.org, actor.id);
    if (units.length === 0) return this.notice(strings(actor.language).lists.notLeader, '', 'Default');
    const rows = (await this.deps.deviations.openInUnits(units.map((u) => u.id))).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    return renderCard('deviations/list', listData(ctx, 'open', rows, page));
  }

  async history(actor: Actor, refText: string): Promise<Card> {
    const t = strings(actor.language);
    const parsed = parseReference(refText);
    if (!parsed) return this.notice(t.history.usage, '', 'Default');
    const found = await this.deps.deviations.get(parsed.ref);
    const { snapshot, ctx } = await this.view(actor.language);
    // Same answer for "does not exist" and "not yours": references must not be probed.
    if (!found || !mayView(snapshot.org, found.deviation, actor.id)) return this.notice(fill(t.refusals.not_allowed_view, { ref: parsed.ref }));
    const events = await this.deps.deviations.events(parsed.ref);
    return renderCard('deviations/history', historyData(ctx, found.deviation, events, actor.id));
  }

  draftFrom(data: unknown): ReportDraft {
    return draftFrom(data);
  }
}
