import { fill, formatDate, formatDateTime, strings, type Language } from '../i18n';
import type { CardSigner } from '../kernel/card-signing';
import { asShownText } from '../kernel/card-templates';
import { privacyNoticeDeadline, type Deviation } from './deviation';
import { mayHandle } from './deviation-access';
import { categoryName, signaturesFor, unitName, type ViewContext } from './deviation-views';
import { mayRecordDpaNotice } from './deviation-workflow';

/** Card data of the nudges and the weekly digest (pure). */

export type NudgeReason = 'not-taken' | 'overdue' | 'measure-due' | 'measure-overdue' | 'privacy';

/** A reminder about one case: no description, only what it is, where, and what to do. */
export function nudgeData(
  ctx: ViewContext,
  d: Deviation,
  signer: CardSigner,
  nudge: { reason: NudgeReason; viewerId: string; measure?: number; hours?: number; days?: number },
) {
  const t = strings(ctx.language);
  const n = t.nudges;
  const m = nudge.measure === undefined ? undefined : d.measures[nudge.measure];
  const deadline = privacyNoticeDeadline(d);
  const texts: Record<NudgeReason, [string, string]> = {
    'not-taken': [
      fill(n.notTakenTitle, { ref: d.ref }),
      fill(n.notTakenText, {
        since: formatDateTime(d.handlerSince ?? d.createdAt, ctx.language),
        days: nudge.days ?? 5,
      }),
    ],
    overdue: [
      fill(n.overdueTitle, { ref: d.ref }),
      fill(n.overdueText, { due: formatDate(d.dueAt, ctx.language) }),
    ],
    'measure-due': [
      fill(n.measureDueTitle, { ref: d.ref }),
      fill(n.measureText, {
        measure: asShownText(m?.text ?? ''),
        due: formatDate(m?.dueDate ?? d.dueAt, ctx.language),
      }),
    ],
    'measure-overdue': [
      fill(n.measureOverdueTitle, { ref: d.ref }),
      fill(n.measureText, {
        measure: asShownText(m?.text ?? ''),
        due: formatDate(m?.dueDate ?? d.dueAt, ctx.language),
      }),
    ],
    privacy: [
      fill(n.privacyTitle, { ref: d.ref, hours: nudge.hours ?? 24 }),
      fill(n.privacyText, {
        deadline: deadline ? formatDateTime(deadline.toISOString(), ctx.language) : '',
      }),
    ],
  };
  const [title, text] = texts[nudge.reason];
  const canHandle = mayHandle(ctx.org, d, nudge.viewerId);
  return {
    t: n,
    title,
    text,
    color: nudge.reason === 'privacy' || nudge.reason === 'overdue' ? 'Attention' : 'Default',
    facts: [
      { title: n.facts.ref, value: d.ref },
      { title: n.facts.category, value: categoryName(ctx.categories, d.categoryId, ctx.language) },
      { title: n.facts.unit, value: unitName(ctx.org, d.unitId) },
      { title: n.facts.status, value: t.statuses[d.status] },
      { title: n.facts.reported, value: formatDateTime(d.createdAt, ctx.language) },
      { title: n.facts.due, value: formatDate(d.dueAt, ctx.language) },
    ],
    ref: d.ref,
    rev: d.rev,
    sig: signaturesFor(d, signer),
    can: {
      take: canHandle && d.status === 'registrert',
      notifyDpa: canHandle && mayRecordDpaNotice(d),
    },
  };
}

export interface DigestCounts {
  reported: number;
  open: number;
  overdue: number;
  closed: number;
}

/** The weekly digest: counts only, never a case's text or reporter. */
export function digestData(
  language: Language,
  counts: DigestCounts,
  week: string,
  options: { unitName?: string; personal: boolean; chatUrl?: string },
) {
  const n = strings(language).nudges;
  return {
    title: options.unitName
      ? fill(n.digestTitleUnit, { unit: options.unitName, week: week.slice(-2) })
      : fill(n.digestTitle, { week: week.slice(-2) }),
    intro: options.personal ? n.digestIntro : '',
    facts: [
      { title: n.digestNew, value: String(counts.reported) },
      { title: n.digestOpen, value: String(counts.open) },
      { title: n.digestOverdue, value: String(counts.overdue) },
      { title: n.digestClosed, value: String(counts.closed) },
    ],
    hint: options.personal ? '' : n.digestChannelHint,
    personal: options.personal,
    openLabel: n.digestOpenLabel,
    chatUrl: options.chatUrl ?? '',
    chatLabel: n.chatLabel,
  };
}
