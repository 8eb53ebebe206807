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

export interface Category {
  id: string;
  nb: string;
  en: string;
}

/** Default catalogue (domain.md); a municipality replaces it in its organisation file. */
export const DEFAULT_CATEGORIES: Category[] = [
  {
    id: 'hms',
    nb: 'HMS (inkl. vold og trusler)',
    en: 'Health, safety and environment (incl. violence and threats)',
  },
  {
    id: 'tjenestekvalitet',
    nb: 'Tjenestekvalitet / brukersikkerhet',
    en: 'Service quality / user safety',
  },
  {
    id: 'informasjonssikkerhet',
    nb: 'Informasjonssikkerhet og personvern',
    en: 'Information security and privacy',
  },
  { id: 'okonomi', nb: 'Økonomi', en: 'Finance' },
  {
    id: 'regelbrudd',
    nb: 'Brudd på lov, forskrift eller rutine',
    en: 'Breach of law, regulation or routine',
  },
  { id: 'miljo', nb: 'Miljø', en: 'Environment' },
  // Findings from revisjon and tilsyn (statsforvalteren) are deviations too (domain.md).
  { id: 'tilsyn', nb: 'Funn fra revisjon eller tilsyn', en: 'Finding from audit or inspection' },
];

/** Category whose deviations may be personal data breaches (GDPR art. 33: notify within 72 h). */
export const PRIVACY_CATEGORY_ID = 'informasjonssikkerhet';

export interface Measure {
  text: string;
  dueDate: string; // YYYY-MM-DD
  byId: string;
  at: string; // ISO
}

export interface Deviation {
  ref: string;
  /** Incremented by every change; cards carry it so stale actions are recognised. */
  rev: number;
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
  /** Id of the last card action applied: the same action arriving again changes nothing. */
  lastActionId?: string;
}

export type DeviationActionKind = 'take' | 'assign' | 'measure' | 'close' | 'reject' | 'escalate';

export type DeviationAction =
  | { kind: 'take' }
  | { kind: 'assign'; assigneeId: string }
  | { kind: 'measure'; text: string; dueDate: string }
  | { kind: 'close'; cause: string; measures: string }
  | { kind: 'reject'; reason: string }
  | { kind: 'escalate'; toId: string };

export type DeviationEventKind = 'reported' | DeviationActionKind;

/** One line of the append-only audit trail. */
export interface DeviationEvent {
  ref: string;
  seq: number;
  at: string;
  kind: DeviationEventKind;
  actorId: string;
  fromStatus?: DeviationStatus;
  toStatus: DeviationStatus;
  /** Who the action moved the deviation to (assign, escalate), if anyone. */
  targetId?: string;
  /** The text the actor entered for this step (measure, cause, reason). */
  note?: string;
}

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
