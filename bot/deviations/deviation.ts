import type { AuditEvent } from '../kernel/audit';
import type { VersionedRecord } from '../kernel/records';

/** Deviations (avvik) and improvement suggestions: the records and their vocabulary. */

export const DEVIATION_TYPES = ['avvik', 'forbedringsforslag'] as const;
export type DeviationType = (typeof DEVIATION_TYPES)[number];

export const SEVERITIES = ['lav', 'middels', 'alvorlig', 'kritisk'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const STATUSES = [
  'registrert',
  'under_behandling',
  'tiltak_iverksatt',
  'lukket',
  'avvist',
] as const;
export type DeviationStatus = (typeof STATUSES)[number];

export const OPEN_STATUSES: ReadonlySet<DeviationStatus> = new Set([
  'registrert',
  'under_behandling',
  'tiltak_iverksatt',
]);

export { DEFAULT_CATEGORIES, type Category } from '../org/categories';

/** Category whose deviations may be personal data breaches (GDPR art. 33: notify within 72 h). */
export const PRIVACY_CATEGORY_ID = 'informasjonssikkerhet';

export interface Measure {
  text: string;
  dueDate: string; // YYYY-MM-DD
  byId: string;
  at: string; // ISO
}

export interface Deviation extends VersionedRecord {
  type: DeviationType;
  categoryId: string;
  unitId: string;
  occurredOn: string; // YYYY-MM-DD
  occurredTime?: string; // HH:MM
  description: string;
  immediateAction?: string;
  suggestion?: string;
  severity: Severity;
  anonymous: boolean;
  reporterId: string;
  reporterName: string;
  reporterLocale: string;
  status: DeviationStatus;
  handlerId: string;
  assigneeId?: string;
  escalations: number;
  measures: Measure[];
  cause?: string;
  closingMeasures?: string;
  rejectReason?: string;
  createdAt: string;
  updatedAt: string;
  dueAt: string;
  closedAt?: string;
  /** Since when the present responsible leader has had it (the clock for "not taken" nudges). */
  handlerSince?: string;
  /** When the handler recorded that Datatilsynet was notified (GDPR art. 33), if they did. */
  dpaNotifiedAt?: string;
  /** The report form it was filed from: a retried submit recognises its own record. */
  formId?: string;
}

export const DEVIATION_ACTION_KINDS = [
  'take',
  'assign',
  'measure',
  'close',
  'reject',
  'escalate',
  'notifyDpa',
] as const;
export type DeviationActionKind = (typeof DEVIATION_ACTION_KINDS)[number];

/** The record kind card signatures are bound to, and the verbs of the handler card. */
export const DEVIATION_KIND = 'deviation';
export const DEVIATION_ACTION_VERBS = DEVIATION_ACTION_KINDS.map((k) => `deviation.${k}`);
/** Every verb a deviation card carries a signature for (actions and the Universal Actions refresh). */
export const DEVIATION_SIGNED_VERBS = [
  ...DEVIATION_ACTION_VERBS,
  'deviation.refresh',
  'deviation.show',
];

export type DeviationAction =
  | { kind: 'take' }
  | { kind: 'assign'; assigneeId: string }
  | { kind: 'measure'; text: string; dueDate: string }
  | { kind: 'close'; cause: string; measures: string }
  | { kind: 'reject'; reason: string }
  | { kind: 'escalate'; toId: string }
  | { kind: 'notifyDpa' };

/** The bot's own actions (re-routing, escalation when not handled in time) in the audit trail. */
export { SYSTEM_ACTOR } from '../kernel/actor';

/** 'rerouted': the handler card could not be delivered, so the case went up the line. */
export type DeviationEventKind = 'reported' | DeviationActionKind | 'rerouted';

/** One line of a deviation's append-only audit trail. */
export type DeviationEvent = AuditEvent<DeviationEventKind, DeviationStatus>;
export const DEVIATION_EVENT_KINDS = ['reported', ...DEVIATION_ACTION_KINDS, 'rerouted'] as const;

const DAY = 24 * 60 * 60 * 1000;
const HANDLING_DAYS: Record<Severity, number> = { kritisk: 1, alvorlig: 5, middels: 14, lav: 30 };

/** Deadline for handling, from the time it was reported. */
export function handlingDeadline(severity: Severity, type: DeviationType, reportedAt: Date): Date {
  const days = type === 'forbedringsforslag' ? 30 : HANDLING_DAYS[severity];
  return new Date(reportedAt.getTime() + days * DAY);
}

/** A possible personal data breach must be notified to Datatilsynet within 72 h of discovery. */
export function privacyNoticeDeadline(
  d: Pick<Deviation, 'categoryId' | 'createdAt'>,
): Date | undefined {
  if (d.categoryId !== PRIVACY_CATEGORY_ID) return undefined;
  return new Date(new Date(d.createdAt).getTime() + 72 * 60 * 60 * 1000);
}

export function isOpen(d: Pick<Deviation, 'status'>): boolean {
  return OPEN_STATUSES.has(d.status);
}

export function isOverdue(d: Pick<Deviation, 'status' | 'dueAt'>, now: Date): boolean {
  return isOpen(d) && new Date(d.dueAt).getTime() < now.getTime();
}
