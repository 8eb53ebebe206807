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
import { handlingDeadline, type Deviation } from './deviation';
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

    const claim = await this.deps.claims.claim(formId, ctx.now.toISOString());
    if (claim !== 'claimed') {
      const earlier = claim.ref ? await this.deps.records.get(claim.ref) : undefined;
      if (earlier && earlier.record.reporterId === actor.id) {
        return {
          ok: true,
          deviation: earlier.record,
          card: renderCard(
            'deviations/receipt',
            receiptData(ctx, earlier.record, this.deps.signer),
          ),
        };
      }
      return {
        ok: false,
        card: notice(strings(actor.language).refusals.duplicate),
        draft: draftFrom(data),
      };
    }
    try {
      return await this.store(actor, validation.report, formId, snapshot, ctx, options);
    } catch (err) {
      // Nothing was stored (or only a number was used up): the same form may be sent again.
      await this.deps.claims.release(formId).catch(() => undefined);
      throw err;
    }
  }

  private async store(
    actor: Actor,
    report: ReportInput,
    formId: string,
    snapshot: OrgSnapshot,
    ctx: ViewContext,
    options: SubmitOptions,
  ): Promise<SubmitResult> {
    const now = ctx.now;
    const route = await this.routeToLeader(snapshot, report.unitId);
    const at = now.toISOString();
    const deviation = await this.deps.records.create(now, (ref) => {
      const record: Deviation = {
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
      const posted = options.receiptPostedAt && {
        ownerId: actor.id,
        view: 'receipt',
        locale: actor.locale,
        ...options.receiptPostedAt,
      };
      return {
        record,
        event: { ref, seq: 1, at, kind: 'reported', actorId: actor.id, toStatus: 'registrert' },
        // Stored with the report: the handler card, the index rows, the receipt's place.
        messages: afterReport(record, route.leader?.id, now, {
          posted,
          send: options.sendReceipt,
        }),
      };
    });
    const ref = deviation.ref;
    log.info(
      {
        ref,
        unitId: deviation.unitId,
        category: deviation.categoryId,
        severity: deviation.severity,
      },
      'deviation reported',
    );

    // From here the report exists: later failures are logged, never turned into a lost report.
    await this.deps.claims
      .link(formId, ref)
      .catch((err) =>
        log.warn(
          { ref, err: (err as Error).message },
          'submission claim not linked to its reference',
        ),
      );
    const routedUpTo = route.skipped && route.leader ? route.leader.name : undefined;
    return {
      ok: true,
      deviation,
      card: renderCard(
        'deviations/receipt',
        receiptData(ctx, deviation, this.deps.signer, { routedUpTo }),
      ),
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
