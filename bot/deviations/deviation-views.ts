import { fill, formatDate, formatDateTime, strings, type Language } from '../i18n';
import type { Organisation } from '../org/organisation';
import type { CardSigner } from '../kernel/card-signing';
import { asShownText } from '../kernel/card-templates';
import { pageOf } from '../kernel/paging';
import {
  isOpen,
  isOverdue,
  privacyNoticeDeadline,
  type Category,
  type Deviation,
  type DeviationEvent,
  DEVIATION_KIND,
  DEVIATION_SIGNED_VERBS,
  SYSTEM_ACTOR,
} from './deviation';
import { allowedActions, mayRecordDpaNotice } from './deviation-workflow';
import { assignableLeaders, mayHandle, mayKnowReporter } from './deviation-access';
import { leaderAbove } from '../org/organisation';
import type { IndexRow } from './ports';
import {
  LIMITS,
  osloDate,
  type FieldError,
  type ReportDraft,
  type ReportField,
  REPORT_FIELDS,
} from './report-form';

/** Turns deviations into the data the card templates bind. Pure; no user text is a template. */

export interface ViewContext {
  org: Organisation;
  categories: Category[];
  language: Language;
  now: Date;
}

export const personName = (org: Organisation, id: string | undefined, language: Language) =>
  id === SYSTEM_ACTOR
    ? strings(language).history.system
    : (id && org.people.get(id)?.name) || strings(language).history.unknownPerson;
export const unitName = (org: Organisation, id: string) => org.units.get(id)?.name ?? id;
export const categoryName = (categories: Category[], id: string, language: Language) =>
  categories.find((c) => c.id === id)?.[language] ?? id;

export function reportFormData(
  ctx: ViewContext,
  draft: ReportDraft,
  errors: Partial<Record<ReportField, FieldError>>,
  formId: string,
  options: { fromMessage?: boolean; dialog?: boolean } = {},
) {
  const t = strings(ctx.language);
  const errorTexts = Object.fromEntries(
    REPORT_FIELDS.map((f) => {
      const code = errors[f];
      const max = f in LIMITS ? LIMITS[f as keyof typeof LIMITS] : 0;
      return [f, code ? fill(t.form.errors[code], { max }) : ''];
    }),
  );
  const units = [...ctx.org.units.values()]
    .filter((u) => u.kind !== 'rådmannsnivå')
    .sort((a, b) => a.name.localeCompare(b.name, 'nb'))
    .map((u) => ({ title: u.name, value: u.id }));
  return {
    t: t.form,
    formId,
    fromMessage: Boolean(options.fromMessage),
    dialog: Boolean(options.dialog),
    hasErrors: Object.keys(errors).length > 0,
    today: osloDate(ctx.now),
    draft: Object.fromEntries(REPORT_FIELDS.map((f) => [f, draft[f] ?? ''])),
    errors: errorTexts,
    types: (['avvik', 'forbedringsforslag'] as const).map((v) => ({ title: t.types[v], value: v })),
    severities: (['lav', 'middels', 'alvorlig', 'kritisk'] as const).map((v) => ({
      title: t.severities[v],
      value: v,
    })),
    categories: ctx.categories.map((c) => ({ title: c[ctx.language], value: c.id })),
    units,
  };
}

export function receiptData(
  ctx: ViewContext,
  d: Deviation,
  signer: CardSigner,
  extra: { routedUpTo?: string } = {},
) {
  const t = strings(ctx.language);
  const facts = [
    { title: t.receipt.reference, value: d.ref },
    { title: t.receipt.status, value: t.statuses[d.status] },
    { title: t.receipt.type, value: t.types[d.type] },
    { title: t.receipt.category, value: categoryName(ctx.categories, d.categoryId, ctx.language) },
    { title: t.receipt.unit, value: unitName(ctx.org, d.unitId) },
    {
      title: t.receipt.handler,
      value: personName(ctx.org, d.assigneeId ?? d.handlerId, ctx.language),
    },
    { title: t.receipt.updated, value: formatDateTime(d.updatedAt, ctx.language) },
  ];
  return {
    title: d.rev === 1 ? t.receipt.title : fill(t.receipt.laterTitle, { ref: d.ref }),
    ref: d.ref,
    rev: d.rev,
    sig: signaturesFor(d, signer),
    ownerId: d.reporterId,
    facts,
    routedUp: extra.routedUpTo ? fill(t.receipt.routedUp, { name: extra.routedUpTo }) : '',
    anonymousNote: d.anonymous ? t.receipt.anonymous : '',
    follow: isOpen(d) ? t.receipt.follow : fill(t.receipt.finished, { ref: d.ref }),
  };
}

/** One signature per button: a signature is bound to its record, revision and verb. */
export function signaturesFor(d: Deviation, signer: CardSigner): Record<string, string> {
  return signer.signAll(DEVIATION_KIND, d.ref, d.rev, DEVIATION_SIGNED_VERBS);
}

export interface HandlerViewOptions {
  viewerId: string;
  headline?: string;
  notice?: string;
  noticeColor?: 'Attention' | 'Good' | 'Warning' | 'Default';
  lastEvent?: DeviationEvent;
}

export function handlerData(
  ctx: ViewContext,
  d: Deviation,
  signer: CardSigner,
  options: HandlerViewOptions,
) {
  const t = strings(ctx.language);
  const { org, language } = ctx;
  const canHandle = mayHandle(org, d, options.viewerId);
  const allowed = new Set(canHandle ? allowedActions(d.status) : []);
  const assignees = assignableLeaders(org, d).map((p) => ({ title: p.name, value: p.id }));
  const escalateTo = leaderAbove(org, d.unitId, d.handlerId);
  const overdue = isOverdue(d, ctx.now);
  const privacyDeadline = privacyNoticeDeadline(d);

  const facts = [
    { title: t.receipt.category, value: categoryName(ctx.categories, d.categoryId, language) },
    { title: t.receipt.unit, value: unitName(org, d.unitId) },
    { title: t.handler.severity, value: t.severities[d.severity] },
    {
      title: t.handler.reporter,
      value: mayKnowReporter(d, options.viewerId) ? d.reporterName : t.handler.anonymousReporter,
    },
    { title: t.handler.reportedAt, value: formatDateTime(d.createdAt, language) },
    {
      title: t.handler.occurred,
      value: `${formatDate(d.occurredOn, language)}${d.occurredTime ? ' ' + d.occurredTime : ''}`,
    },
    { title: t.handler.responsible, value: personName(org, d.handlerId, language) },
    ...(d.assigneeId
      ? [{ title: t.handler.assignee, value: personName(org, d.assigneeId, language) }]
      : []),
    ...(d.dpaNotifiedAt
      ? [{ title: t.handler.dpaNotified, value: formatDateTime(d.dpaNotifiedAt, language) }]
      : []),
    isOpen(d)
      ? {
          title: t.handler.due,
          value: formatDate(d.dueAt, language) + (overdue ? ` (${t.handler.overdue})` : ''),
        }
      : { title: t.handler.finishedAt, value: formatDateTime(d.closedAt ?? d.updatedAt, language) },
  ];
  const sections = [
    { title: t.handler.description, text: asShownText(d.description) },
    ...(d.immediateAction
      ? [{ title: t.handler.immediateAction, text: asShownText(d.immediateAction) }]
      : []),
    ...(d.suggestion ? [{ title: t.handler.suggestion, text: asShownText(d.suggestion) }] : []),
    ...(d.measures.length
      ? [{ title: t.handler.measures, text: measureLines(d, t, language) }]
      : []),
    ...(d.cause ? [{ title: t.handler.cause, text: asShownText(d.cause) }] : []),
    ...(d.closingMeasures
      ? [{ title: t.handler.closingMeasures, text: asShownText(d.closingMeasures) }]
      : []),
    ...(d.rejectReason
      ? [{ title: t.handler.rejectReason, text: asShownText(d.rejectReason) }]
      : []),
  ];
  const last = options.lastEvent;
  return {
    t: t.handler,
    headline: options.headline ?? '',
    title: fill(t.handler.title, { type: t.types[d.type], ref: d.ref }),
    statusText: t.statuses[d.status],
    // Teams' light theme renders Good as a pale green (about 2:1 contrast): keep status text dark or blue.
    statusColor: !isOpen(d) ? 'Default' : overdue ? 'Attention' : 'Accent',
    notice: options.notice ?? '',
    noticeColor: options.noticeColor ?? 'Attention',
    privacyWarning:
      privacyDeadline && isOpen(d) && !d.dpaNotifiedAt
        ? fill(t.handler.privacyWarning, {
            deadline: formatDateTime(privacyDeadline.toISOString(), language),
          })
        : '',
    facts,
    sections,
    lastChange:
      last && last.kind !== 'reported'
        ? fill(t.handler.lastChange, {
            action: t.actions[last.kind],
            actor:
              last.actorId === options.viewerId
                ? t.history.you
                : personName(org, last.actorId, language),
            at: formatDateTime(last.at, language),
          })
        : '',
    readOnlyText: canHandle ? '' : t.handler.readOnly,
    ref: d.ref,
    rev: d.rev,
    sig: signaturesFor(d, signer),
    ownerId: options.viewerId,
    today: osloDate(ctx.now),
    can: {
      take: allowed.has('take'),
      assign: allowed.has('assign') && assignees.length > 0,
      measure: allowed.has('measure'),
      close: allowed.has('close'),
      reject: allowed.has('reject'),
      escalate: allowed.has('escalate') && Boolean(escalateTo),
      notifyDpa: canHandle && mayRecordDpaNotice(d),
    },
    assignees,
    escalateText: escalateTo ? fill(t.handler.escalateConfirm, { name: escalateTo.name }) : '',
  };
}

/** The latest measures only: a card must stay far below Teams' ~100 KB message limit. */
export const SHOWN_MEASURES = 5;
export const SHOWN_EVENTS = 40;

function measureLines(d: Deviation, t: ReturnType<typeof strings>, language: Language): string {
  const shown = d.measures
    .slice(-SHOWN_MEASURES)
    .map((m) => `- ${asShownText(m.text)} (${formatDate(m.dueDate, language)})`);
  const hidden = d.measures.length - shown.length;
  return (hidden > 0 ? [fill(t.handler.measuresMore, { count: hidden }), ...shown] : shown).join(
    '\n',
  );
}

export function outcomeData(ctx: ViewContext, d: Deviation) {
  const t = strings(ctx.language);
  const closed = d.status === 'lukket';
  return {
    title: `${closed ? t.outcome.closedTitle : t.outcome.rejectedTitle} (${d.ref})`,
    color: 'Default',
    intro: closed ? t.outcome.closedText : t.outcome.rejectedText,
    facts: closed
      ? [
          { title: t.handler.cause, value: asShownText(d.cause ?? '') },
          { title: t.handler.closingMeasures, value: asShownText(d.closingMeasures ?? '') },
        ]
      : [{ title: t.handler.rejectReason, value: asShownText(d.rejectReason ?? '') }],
  };
}

export const PAGE_SIZE = 8;

/** A page of "mine avvik" or "åpne avvik"; `page` as the card sent it (out of range: first or last). */
export function listData(ctx: ViewContext, list: 'mine' | 'open', rows: IndexRow[], page: unknown) {
  const t = strings(ctx.language);
  const { rows: slice, page: current, pages } = pageOf(rows, page, PAGE_SIZE);
  return {
    title: list === 'mine' ? t.lists.mineTitle : t.lists.openTitle,
    emptyText: rows.length === 0 ? t.lists.empty : '',
    showLabel: t.lists.show,
    rows: slice.map((r) => ({
      ref: r.ref,
      heading: `${r.ref} · ${t.statuses[r.status]}`,
      detail: `${t.types[r.type]} · ${categoryName(ctx.categories, r.categoryId, ctx.language)} · ${unitName(ctx.org, r.unitId)} · ${formatDate(r.createdAt, ctx.language)}`,
      overdueText: isOverdue(r, ctx.now) ? t.lists.overdue : '',
    })),
    pageText: pages > 1 ? fill(t.lists.page, { page: current, pages }) : '',
    list,
    page: current,
    hasPrevious: current > 1,
    hasNext: current < pages,
    previousPage: current - 1,
    nextPage: current + 1,
    previousLabel: t.lists.previous,
    nextLabel: t.lists.next,
  };
}

export function historyData(
  ctx: ViewContext,
  d: Deviation,
  events: DeviationEvent[],
  viewerId: string,
) {
  const t = strings(ctx.language);
  const actor = (e: DeviationEvent) => {
    if (e.kind === 'reported' && !mayKnowReporter(d, viewerId)) return t.handler.anonymousReporter;
    return e.actorId === viewerId
      ? t.history.youSubject
      : personName(ctx.org, e.actorId, ctx.language);
  };
  const shown = events.slice(-SHOWN_EVENTS);
  return {
    title: fill(t.history.title, { ref: d.ref }),
    omitted:
      events.length > shown.length
        ? fill(t.history.omitted, { count: events.length - shown.length })
        : '',
    events: shown.map((e) => ({
      heading: `${formatDateTime(e.at, ctx.language)} · ${t.actions[e.kind]}`,
      detail: `${actor(e)} · ${t.statuses[e.toStatus]}${e.targetId ? ' → ' + personName(ctx.org, e.targetId, ctx.language) : ''}`,
      note: asShownText(e.note ?? ''),
    })),
  };
}
