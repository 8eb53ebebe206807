import crypto from 'node:crypto';
import { log } from '../app/log';
import { strings } from '../i18n';
import type { Actor } from '../kernel/actor';
import { stringIn } from '../kernel/card-data';
import { notice, renderCard, type Card } from '../kernel/card-templates';
import {
  leadersUpTheLine,
  responsibleLeader,
  type OrgSnapshot,
  type Person,
} from '../org/organisation';
import { ReferenceTakenError } from '../kernel/records';
import { handlingDeadline, type Deviation, type DeviationEvent } from './deviation';
import { afterReport } from './deviation-messages';
import { readScene, sceneOf } from './deviation-scene';
import { receiptData, reportFormData, type ViewContext } from './deviation-views';
import type { DeviationDeps } from './ports';
import {
  draftFrom,
  osloDate,
  validateReport,
  type ReportDraft,
  type ReportInput,
} from './report-form';

export interface SubmitOptions {
  /** The form came from a dialog (message action), not a card in the chat. */
  dialog?: boolean;
  /** The receipt replaces the form in this message: remember it so later changes update it. */
  receiptPostedAt?: { conversationId: string; activityId: string; reference: string };
  /** Send the receipt to the reporter's personal chat (the report was made elsewhere). */
  sendReceipt?: boolean;
}

export type SubmitResult =
  { ok: true; deviation: Deviation; card: Card } | { ok: false; card: Card; draft: ReportDraft };

/** Reporting a deviation: the form, validation, storing, routing to the responsible leader. */
export class DeviationReporting {
  constructor(private readonly deps: DeviationDeps) {}

  /** The empty form (or a saved draft), with the reporter's own unit and today preselected. */
  async reportForm(
    actor: Actor,
    options: { draft?: ReportDraft; prefillText?: string; dialog?: boolean } = {},
  ): Promise<Card> {
    const ctx = await readScene(this.deps, actor.language);
    const me = ctx.org.people.get(actor.id);
    const draft: ReportDraft = {
      type: 'avvik',
      unitId: me?.unitId ?? '',
      occurredOn: osloDate(ctx.now),
      anonymous: 'false',
      ...options.draft,
    };
    if (options.prefillText) draft.description = options.prefillText.slice(0, 4000);
    const formId = crypto.randomUUID();
    return renderCard(
      'deviations/report-form',
      reportFormData(ctx, draft, {}, formId, {
        fromMessage: Boolean(options.prefillText),
        dialog: options.dialog,
      }),
    );
  }

  /**
   * Validates and stores a report. Returns the receipt, or the form again with errors beside
   * the fields and the typed values kept (nothing stored). `formId` makes a retried submit
   * of the same form return the same receipt instead of a second report.
   */
  async submitReport(
    actor: Actor,
    data: Record<string, unknown>,
    options: SubmitOptions = {},
  ): Promise<SubmitResult> {
    const snapshot = await this.deps.org.snapshot();
    const ctx = sceneOf(snapshot, actor.language, this.deps.clock.now());
    const formId = /^[A-Za-z0-9-]{8,64}$/.test(stringIn(data.formId))
      ? stringIn(data.formId)
      : crypto.randomUUID();
    const validation = validateReport(data, {
      categories: snapshot.categories,
      unitIds: new Set(
        [...snapshot.org.units.values()].filter((u) => u.kind !== 'rådmannsnivå').map((u) => u.id),
      ),
      now: ctx.now,
    });
    if (!validation.ok) {
      const card = renderCard(
        'deviations/report-form',
        reportFormData(ctx, validation.draft, validation.errors, formId, {
          dialog: options.dialog,
        }),
      );
      return { ok: false, card, draft: validation.draft };
    }

    const now = ctx.now;
    const route = await this.routeToLeader(snapshot, validation.report.unitId);
    const draft = this.newReport(actor, validation.report, route.leader?.id, now, options);
    // The reference is taken first and claimed with the form: a retry of the same form (a
    // Teams retry, a second press, a failure half-way) gets the same report, never a second.
    // The claim and the outbox hints both precede the record, so they go together.
    let next = draft(await this.deps.records.nextReference(now));
    const [claim] = await Promise.all([
      this.deps.claims.claim(formId, { ref: next.record.ref, by: actor.id }, now.toISOString()),
      this.deps.records.writeHints(next.record, next.messages),
    ]);
    let resumed = false;
    if (claim !== 'claimed') {
      if (claim.by !== actor.id) return this.duplicate(actor, data);
      const earlier = await this.deps.records.get(claim.ref);
      if (earlier) return this.receipt(ctx, earlier.record);
      // The first submit has not stored it (yet): finish it, under its reference.
      next = draft(claim.ref);
      resumed = true;
      await this.deps.records.writeHints(next.record, next.messages);
    }
    for (let attempt = 0; ; attempt++) {
      try {
        await this.deps.records.create(next.record, next.event, next.messages, {
          hintsWritten: true,
        });
        break;
      } catch (err) {
        if (!(err instanceof ReferenceTakenError) || attempt >= 100) throw err;
        // Finishing an earlier submit of this form that got there first: that is the report.
        const stored = resumed && (await this.deps.records.get(next.record.ref));
        if (stored && stored.record.reporterId === actor.id)
          return this.receipt(ctx, stored.record);
        // Taken by another record (a counter restored from an older backup): the next one.
        next = draft(await this.deps.records.nextReference(now));
        resumed = false;
        await this.deps.claims.move(formId, next.record.ref);
        await this.deps.records.writeHints(next.record, next.messages);
      }
    }
    const d = next.record;
    log.info(
      { ref: d.ref, unitId: d.unitId, category: d.categoryId, severity: d.severity },
      'deviation reported',
    );
    return this.receipt(ctx, d, route.skipped && route.leader ? route.leader.name : undefined);
  }

  /** A new report as it is stored under a reference: the record, its first event, its messages. */
  private newReport(
    actor: Actor,
    report: ReportInput,
    leaderId: string | undefined,
    now: Date,
    options: SubmitOptions,
  ) {
    const at = now.toISOString();
    const posted = options.receiptPostedAt && {
      ownerId: actor.id,
      view: 'receipt',
      locale: actor.locale,
      ...options.receiptPostedAt,
    };
    return (ref: string) => {
      const record: Deviation = {
        ref,
        rev: 1,
        ...report,
        reporterId: actor.id,
        reporterName: actor.name,
        reporterLocale: actor.locale,
        status: 'registrert',
        handlerId: leaderId ?? '',
        handlerSince: at,
        escalations: 0,
        measures: [],
        createdAt: at,
        updatedAt: at,
        dueAt: handlingDeadline(report.severity, report.type, now).toISOString(),
      };
      const event: DeviationEvent = {
        ref,
        seq: 1,
        at,
        kind: 'reported',
        actorId: actor.id,
        toStatus: 'registrert',
      };
      // Stored with the report: the handler card, the index rows, the receipt's place.
      const messages = afterReport(record, leaderId, now, { posted, send: options.sendReceipt });
      return { record, event, messages };
    };
  }

  private receipt(ctx: ViewContext, d: Deviation, routedUpTo?: string): SubmitResult {
    return {
      ok: true,
      deviation: d,
      card: renderCard('deviations/receipt', receiptData(ctx, d, this.deps.signer, { routedUpTo })),
    };
  }

  private duplicate(actor: Actor, data: Record<string, unknown>): SubmitResult {
    return {
      ok: false,
      card: notice(strings(actor.language).refusals.duplicate),
      draft: draftFrom(data),
    };
  }

  /** The unit's leader, or the nearest leader above who can be reached in Teams. */
  private async routeToLeader(
    snapshot: OrgSnapshot,
    unitId: string,
  ): Promise<{ leader?: Person; skipped: boolean }> {
    const line = leadersUpTheLine(snapshot.org, unitId);
    for (const [i, leader] of line.entries()) {
      if (await this.deps.reach.canReach(leader.id)) return { leader, skipped: i > 0 };
    }
    // Nobody can be reached yet: the case is still theirs, and waits for them to install the bot.
    return { leader: responsibleLeader(snapshot.org, unitId), skipped: false };
  }
}
