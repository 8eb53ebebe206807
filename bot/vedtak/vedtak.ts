import type { AuditEvent } from '../kernel/audit';
import type { VersionedRecord } from '../kernel/records';

/**
 * Following up political decisions (vedtaksoppfølging, section 8 of Styring og ledelse; issue
 * #9). The rådmann's staff registers a decision; it becomes a task for the leader of the
 * responsible unit, who reports its status from the card; twice a year the status goes to the
 * political committees as a report.
 */

export const VEDTAK_PREFIX = 'VED';

export const FOLLOW_UP_STATUSES = ['not_started', 'in_progress', 'done', 'delayed'] as const;
export type FollowUpStatus = (typeof FOLLOW_UP_STATUSES)[number];

export interface StatusUpdate {
  at: string;
  byId: string;
  status: FollowUpStatus;
  comment?: string;
}

export interface PoliticalDecision extends VersionedRecord {
  /** The political body: kommunestyret, formannskapet, an utvalg. */
  body: string;
  /** The case number as the body's records have it (e.g. PS 12/26, 2026/1234). */
  caseNumber: string;
  /** The date of the decision, YYYY-MM-DD. */
  date: string;
  summary: string;
  responsibleUnitId: string;
  /** YYYY-MM-DD. */
  deadline: string;
  registeredBy: string;
  registeredAt: string;
  /** The follow-up task of the responsible unit's leader. */
  taskRef: string;
  status: FollowUpStatus;
  /** Every status report, oldest first: the report "as of" a date reads them. */
  updates: readonly StatusUpdate[];
}

export const VEDTAK_EVENTS = ['registered', 'status_reported'] as const;
export type VedtakEventKind = (typeof VEDTAK_EVENTS)[number];
export type VedtakEvent = AuditEvent<VedtakEventKind, FollowUpStatus>;
