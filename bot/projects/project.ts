import type { AuditEvent } from '../kernel/audit';
import type { VersionedRecord } from '../kernel/records';

/**
 * Cross-disciplinary projects (tverrfaglige prosjekter, section 6 of Styring og ledelse; issue
 * #9): a mandate from a superior, a project owner, a styringsgruppe of the leaders involved, and
 * the phases of the state's project model. Moving on needs the styringsgruppe's decision.
 */

export const PROJECT_PREFIX = 'PRO';

/** The phases of the state's project model (Prosjektveiviseren), in order. */
export const PHASES = ['konsept', 'planlegging', 'gjennomforing', 'avslutning'] as const;
export type Phase = (typeof PHASES)[number];

/**
 * How many of the styringsgruppe must approve: a majority of its members (the default), a
 * number of them, or all of them. Counted over members, not over votes cast.
 */
export type Quorum = { kind: 'majority' } | { kind: 'count'; count: number } | { kind: 'all' };
export const DEFAULT_QUORUM: Quorum = Object.freeze({ kind: 'majority' });

export type Vote = 'approve' | 'send_back';

export interface CastVote {
  vote: Vote;
  at: string;
  /** Required when sending back: what must change. */
  comment?: string;
}

/** Where the result of a project is realised when it closes. */
export type Realisation = 'line' | 'project_owner';

export interface FinalReport {
  /** A link to the report (SharePoint, the archive). */
  url: string;
  summary: string;
  realisedBy: Realisation;
}

/** A decision the styringsgruppe is asked for: the next phase, or closing the project. */
export interface Gate {
  /** 1, 2, …: one per request, so votes of an earlier gate never count for a later one. */
  number: number;
  from: Phase;
  /** The next phase, or 'closed' for the final report. */
  to: Phase | 'closed';
  requestedBy: string;
  requestedAt: string;
  /** Who of the styringsgruppe decided what, by person id: one vote each. */
  votes: Record<string, CastVote>;
  report?: FinalReport;
}

export interface GateOutcome {
  number: number;
  from: Phase;
  to: Phase | 'closed';
  outcome: 'approved' | 'sent_back';
  decidedAt: string;
  approvals: number;
  sendBacks: number;
  /** Every vote cast on the gate, kept for the record. */
  votes: Record<string, CastVote>;
}

export const PROJECT_STATUSES = ['active', 'closed'] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];

export interface Project extends VersionedRecord {
  name: string;
  mandate: string;
  /** The superior who gave the mandate. */
  mandatedBy: string;
  ownerId: string;
  steeringGroup: readonly string[];
  quorum: Quorum;
  phase: Phase;
  status: ProjectStatus;
  /** Members of the project group (tasks and who sees them). */
  memberIds: readonly string[];
  /** The decision waiting for the styringsgruppe, if any. */
  gate?: Gate;
  /** Every gate decided, oldest first. */
  history: readonly GateOutcome[];
  /** Set when the project is closed. */
  finalReport?: FinalReport;
}

export const PROJECT_EVENTS = [
  'created',
  'gate_requested',
  'voted',
  'gate_approved',
  'gate_sent_back',
  'closed',
] as const;
export type ProjectEventKind = (typeof PROJECT_EVENTS)[number];
export type ProjectEvent = AuditEvent<ProjectEventKind, ProjectStatus>;
