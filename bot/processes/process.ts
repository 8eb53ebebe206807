import type { AuditEvent } from '../kernel/audit';
import type { VersionedRecord } from '../kernel/records';

/**
 * Cross-cutting processes (gjennomgående virksomhetsprosesser, section 5 of Styring og
 * ledelse; issue #9): an owner, an oppdragsgiver, a mandate, goals and a cross-disciplinary
 * group whose members from other units are released by their own leaders.
 */

export interface ProcessName {
  nb: string;
  en?: string;
}

export const PROCESS_STATUSES = ['draft', 'active', 'closed'] as const;
export type ProcessStatus = (typeof PROCESS_STATUSES)[number];

export interface Member {
  personId: string;
  /** Share of working time released to the group, in percent, if the leader gave one. */
  sharePercent?: number;
  since: string;
}

export type NominationStatus = 'pending' | 'released' | 'declined';

/** The owner wants someone from another unit in the group: their own leader decides. */
export interface Nomination {
  personId: string;
  /** The leader who decides (the nominee's own leader when nominated). */
  releaserId: string;
  status: NominationStatus;
  nominatedAt: string;
  decidedAt?: string;
  decidedBy?: string;
  comment?: string;
  sharePercent?: number;
}

export type AckStatus = 'pending' | 'acknowledged' | 'declined';

export interface Acknowledgement {
  status: AckStatus;
  byId?: string;
  at?: string;
  comment?: string;
}

/** A measure the group decided for the line (tiltak i linjen): each affected unit's leader acknowledges. */
export interface LineMeasure {
  number: number;
  text: string;
  decidedAt: string;
  /** By unit id. */
  acks: Record<string, Acknowledgement>;
  /** When a unit leader declined, the owner can take it to the rådmann. */
  escalation?: {
    at: string;
    decision?: 'upheld' | 'withdrawn';
    byId?: string;
    comment?: string;
  };
}

export interface Process extends VersionedRecord {
  /** The process id from the catalogue (e.g. aldersvennlig-samfunn); `ref` is the same. */
  name: ProcessName;
  ownerId: string;
  /** Oppdragsgiver: who gave the mandate. */
  commissionerId: string;
  mandate: string;
  goals: readonly string[];
  status: ProcessStatus;
  anchoredBy?: string;
  anchoredAt?: string;
  members: readonly Member[];
  nominations: readonly Nomination[];
  /** Members the owner allowed to create tasks. */
  creatorIds: readonly string[];
  measures: readonly LineMeasure[];
  /** The owner's yearly evaluations against the goals (an årshjul activity reminds). */
  evaluations?: readonly Evaluation[];
}

export interface Evaluation {
  year: number;
  text: string;
  byId: string;
  at: string;
}

export const PROCESS_EVENTS = [
  'created',
  'catalogue_changed',
  'anchored',
  'nominated',
  'joined',
  'released',
  'release_declined',
  'measure_decided',
  'measure_acknowledged',
  'measure_declined',
  'measure_escalated',
  'measure_decided_by_radmann',
  'evaluated',
  'closed',
] as const;
export type ProcessEventKind = (typeof PROCESS_EVENTS)[number];
export type ProcessEvent = AuditEvent<ProcessEventKind, ProcessStatus>;
