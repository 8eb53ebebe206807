import crypto from 'node:crypto';
import { log } from '../app/log';
import { fill, formatDateTime, strings } from '../i18n';
import type { Actor } from '../kernel/actor';
import { stringIn } from '../kernel/card-data';
import { notice, renderCard, type Card } from '../kernel/card-templates';
import {
  leadersUpTheLine,
  responsibleLeader,
  type OrgSnapshot,
  type Person,
} from '../org/organisation';
import type { LimitedUse } from '../kernel/limits';
import { ReferenceTakenError, type FormClaim } from '../kernel/records';
import type { Deviation } from './deviation';
import { newReport } from './new-report';
import { readScene, sceneOf } from './deviation-scene';
import { receiptData, reportFormData, type ViewContext } from './deviation-views';
import type { DeviationDeps } from './ports';
import { draftFrom, osloDate, validateReport, type ReportDraft } from './report-form';

export interface SubmitOptions {
  /** The form came from a dialog (message action), not a card in the chat. */
  dialog?: boolean;
  /** The receipt replaces the form in this message: remember it so later changes update it. */
  receiptPostedAt?: { conversationId: string; activityId: string; reference: string };
  /** Send the receipt to the reporter's personal chat (the report was made elsewhere). */
  sendReceipt?: boolean;
}

/**
 * The receipt, or a refusal. `draft` is what to keep in the user's state for the next form:
 * the typed values when the form must be sent again, nothing when its text was filed.
 */
export type SubmitResult =
  | { ok: true; deviation: Deviation; card: Card }
  | { ok: false; card: Card; draft?: ReportDraft; formId?: string };

/**
 * The form's claim as this submit holds it: its token, the reference if it has one, and the
 * report drawn for that reference when this submit wrote its hints (a claim taken over has none).
 */
interface HeldClaim {
  token: string;
  ref: string;
  drawn?: ReturnType<ReturnType<typeof newReport>>;
}

/** How long a claim may be quiet before its submit counts as stopped (an invoke answers in 5 s). */
const STOPPED_AFTER_MS = 5000;
/** How long a second submit of a form waits for the first to store it, and how often it looks. */
const MAX_WAIT_MS = 3000;
const WAIT_STEP_MS = 100;
/** A claim marked stopped: long quiet. */
const STOPPED_CLAIM = new Date(0).toISOString();
/** How many taken references a new report skips (a counter restored from an older backup). */
const MAX_TAKEN_REFERENCES = 100;

/** What a form id looks like (a UUID from reportForm; checked, since card data is untrusted). */
const FORM_ID = /^[A-Za-z0-9-]{8,64}$/;

/** Whether a stored record is the one this form filed. */
const isFromForm = (d: Deviation, formId: string) => d.formId === formId;
/** The record a claim names: its form's, or (stored before records kept `formId`) its reporter's. */
const isClaimed = (d: Deviation, formId: string, claim: FormClaim) =>
  d.formId === undefined ? d.reporterId === claim.by : isFromForm(d, formId);

/** Reporting a deviation: the form, validation, storing, routing to the responsible leader. */
export class DeviationReporting {
  constructor(private readonly deps: DeviationDeps) {}

  /**
   * The empty form (or a saved draft), with the reporter's own unit and today preselected. A
   * draft keeps the id of the form it was typed in, so that filing it makes the draft stale.
   */
  async reportForm(
    actor: Actor,
    options: { draft?: ReportDraft; formId?: string; prefillText?: string; dialog?: boolean } = {},
  ): Promise<Card> {
    const ctx = await readScene(this.deps, actor.language);
    const limited = await this.overLimit('form', actor, ctx.now);
    if (limited) return limited;
    const me = ctx.org.people.get(actor.id);
    const draft: ReportDraft = {
      type: 'avvik',
      unitId: me?.unitId ?? '',
      occurredOn: osloDate(ctx.now),
      anonymous: 'false',
      ...options.draft,
    };
    if (options.prefillText) draft.description = options.prefillText.slice(0, 4000);
    const formId =
      options.draft && FORM_ID.test(options.formId ?? '') ? options.formId! : crypto.randomUUID();
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
    const formId = FORM_ID.test(stringIn(data.formId))
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
      return { ok: false, card, draft: validation.draft, formId };
    }

    const now = ctx.now;
    const route = await this.routeToLeader(snapshot, validation.report.unitId);
    const draft = newReport(actor, validation.report, route.leader?.id, now, formId, options);
    const held = await this.holdForm(ctx, actor, formId, draftFrom(data), draft);
    if ('ok' in held) return held;
    let done: Awaited<ReturnType<DeviationReporting['finish']>>;
    try {
      done = await this.finish(ctx, formId, held, draft);
    } finally {
      // The claim holds the number for good: the next one is made ready now, after the record's
      // write went out (not before it, where it would hold up this report's answer).
      if (held.drawn) this.deps.records.referenceUsed(held.ref);
    }
    if ('ok' in done) return done;
    const d = done.created;
    log.info(
      { ref: d.ref, unitId: d.unitId, category: d.categoryId, severity: d.severity },
      'deviation reported',
    );
    return this.receipt(ctx, d, route.skipped && route.leader ? route.leader.name : undefined);
  }

  /**
   * Whether the form a saved draft came from has been filed since (its text is in a record):
   * then the draft is stale and the next form starts empty.
   */
  async draftFiled(actor: Actor, formId: string): Promise<boolean> {
    const claim = await this.deps.claims.get(formId);
    if (!claim) return false;
    if (claim.by !== actor.id) return true;
    const record = claim.ref ? await this.deps.records.get(claim.ref) : undefined;
    return Boolean(record && isClaimed(record.record, formId, claim));
  }

  /**
   * Takes the form's claim for this submit, with the reference the record is to get and the
   * dispatcher's hints for that record's messages, in one write (a ready reference costs no
   * round trip). Or answers it without storing anything or counting against a limit: the
   * earlier receipt, a short wait, a refusal. A form claimed before writes nothing (the claim
   * and its hints go together), and the reference is given back.
   */
  private async holdForm(
    ctx: ViewContext,
    actor: Actor,
    formId: string,
    typed: ReportDraft,
    draft: ReturnType<typeof newReport>,
  ): Promise<HeldClaim | SubmitResult> {
    const ref = await this.deps.records.nextReference(ctx.now);
    const next = draft(ref);
    let taken: Awaited<ReturnType<DeviationDeps['claims']['claim']>>;
    try {
      taken = await this.deps.claims.claim(
        formId,
        actor.id,
        ctx.now.toISOString(),
        ref,
        this.deps.records.hintsFor(next.record, next.messages),
      );
    } catch (err) {
      this.deps.records.giveBackReference(ref);
      throw err;
    }
    if ('earlier' in taken) {
      this.deps.records.giveBackReference(ref);
      return this.earlierSubmit(ctx, actor, formId, taken.earlier);
    }
    const limited = await this.overLimit('report', actor, ctx.now);
    if (limited) {
      // Refused, nothing stored: the claim and its hints go, and what they typed waits as a draft.
      await this.deps.claims.release(formId, taken.token);
      this.deps.records.giveBackReference(ref);
      await this.deps.records.withdrawHints(taken.hints).catch(() => undefined);
      return { ok: false, card: limited, draft: typed, formId };
    }
    return { token: taken.token, ref, drawn: next };
  }

  /**
   * The form was claimed before: another person's form is refused; its own reporter sees the
   * receipt, waits a moment for a submit still under way, or takes over one that stopped.
   */
  private async earlierSubmit(
    ctx: ViewContext,
    actor: Actor,
    formId: string,
    claim: FormClaim,
  ): Promise<HeldClaim | SubmitResult> {
    if (claim.by !== actor.id) return this.refusal(actor, 'duplicate');
    for (let waited = 0; ; waited += WAIT_STEP_MS) {
      const record = claim.ref ? await this.deps.records.get(claim.ref) : undefined;
      if (record && isClaimed(record.record, formId, claim))
        return this.receipt(ctx, record.record);
      const quietFor = this.deps.clock.now().getTime() - Date.parse(claim.at);
      if (!(quietFor < STOPPED_AFTER_MS)) {
        const token = await this.deps.claims.touch(formId, claim.token, ctx.now.toISOString());
        return token === undefined ? this.refusal(actor, 'inProgress') : { token, ref: claim.ref };
      }
      if (waited >= MAX_WAIT_MS) return this.refusal(actor, 'inProgress');
      await new Promise((r) => setTimeout(r, WAIT_STEP_MS));
      claim = (await this.deps.claims.get(formId)) ?? claim;
    }
  }

  /**
   * Stores the report of a form this submit holds: the dispatcher's hints first (written with
   * the claim, or now for a claim taken over or a new reference), then the record with its
   * messages. A claim taken over from a stopped submit keeps its reference (or takes one, if it
   * had none). A failure marks the claim stopped, so that the user's retry takes it over at
   * once and finishes it.
   */
  private async finish(
    ctx: ViewContext,
    formId: string,
    held: HeldClaim,
    draft: ReturnType<typeof newReport>,
  ): Promise<{ created: Deviation } | SubmitResult> {
    let { token, ref } = held;
    try {
      for (let attempt = 0; attempt < MAX_TAKEN_REFERENCES; attempt++) {
        // The claim holds this reference already; a new one (the old was taken) is set on it.
        const onClaim = ref !== '' && ref === held.ref;
        if (!ref) ref = await this.deps.records.nextReference(ctx.now);
        const drawn = onClaim ? held.drawn : undefined;
        const next = drawn ?? draft(ref);
        const [moved] = await Promise.all([
          onClaim ? token : this.deps.claims.assign(formId, ref, token),
          drawn ? [] : this.deps.records.writeHints(next.record, next.messages),
        ]);
        // Another submit of the same form took it over: that one finishes the report.
        if (moved === undefined) return this.refusal(ctx, 'inProgress');
        token = moved;
        try {
          await this.deps.records.create(next.record, next.event, next.messages, {
            hintsWritten: true,
          });
          return { created: next.record };
        } catch (err) {
          if (!(err instanceof ReferenceTakenError)) throw err;
          // This form's own record (a submit that got there first), or another record's
          // reference (a counter restored from an older backup): then the next one.
          const there = await this.deps.records.get(ref);
          if (there && isFromForm(there.record, formId)) return this.receipt(ctx, there.record);
          ref = '';
        }
      }
      throw new Error(`no free reference after ${MAX_TAKEN_REFERENCES} attempts`);
    } catch (err) {
      await this.deps.claims.touch(formId, token, STOPPED_CLAIM).catch(() => undefined);
      throw err;
    }
  }

  /** A notice for a use over its limit (nothing counted), or undefined when they may go on. */
  private async overLimit(use: LimitedUse, actor: Actor, now: Date): Promise<Card | undefined> {
    const verdict = await this.deps.limits?.take(use, actor.id, now);
    if (!verdict || verdict.ok) return undefined;
    const t = strings(actor.language).form;
    const when = formatDateTime(verdict.until.toISOString(), actor.language);
    log.warn(
      { use, personId: actor.id, until: verdict.until.toISOString() },
      'usage limit reached',
    );
    return notice(fill(use === 'report' ? t.reportLimit : t.formLimit, { when }));
  }

  private receipt(ctx: ViewContext, d: Deviation, routedUpTo?: string): SubmitResult {
    return {
      ok: true,
      deviation: d,
      card: renderCard('deviations/receipt', receiptData(ctx, d, this.deps.signer, { routedUpTo })),
    };
  }

  /** A refusal that clears the saved draft: the form's text was filed, or is being filed. */
  private refusal(who: { language: Actor['language'] }, why: 'duplicate' | 'inProgress') {
    const texts = strings(who.language);
    const text = why === 'duplicate' ? texts.refusals.duplicate : texts.form.inProgress;
    return { ok: false as const, card: notice(text) };
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
