import type { AuditEvent } from '../kernel/audit';
import type { VersionedRecord } from '../kernel/records';
import type { Role } from '../org/organisation';

/**
 * Delegation of authority (fullmakter) as data: the authority areas of the delegeringsreglement,
 * the council's decision that is the root of every chain, and the grants (delegeringer) that
 * pass authority down the line (docs/delegations.md). Pure types: no I/O.
 *
 * Dates are Oslo calendar dates 'YYYY-MM-DD' (validity is inclusive at both ends); instants are
 * ISO strings in UTC.
 */
export interface Localised {
  nb: string;
  en: string;
}

/** Where an area's authority comes from: a paragraph of law, or an internal rule book. */
export type AuthorityBasis =
  | {
      kind: 'law';
      /** e.g. 'kommuneloven' */
      law: string;
      /** e.g. '§ 13-1' */
      section: string;
      /** e.g. 'sjuende ledd' */
      ledd?: string;
      /** Lovdata, e.g. https://lovdata.no/lov/2018-06-22-83/§13-1 */
      url: string;
    }
  | {
      kind: 'internal';
      /** e.g. 'Økonomireglementet for Heim kommune, kap. 4' */
      text: string;
    };

/** A fullmaktsområde: what one may be given authority to decide. */
export interface AuthorityArea {
  /** lower-case letters, digits and dashes, e.g. 'tilsetting' */
  id: string;
  name: Localised;
  basis: AuthorityBasis;
  /** The highest amount (NOK, excl. VAT where it matters) any grant of this area may allow. */
  limitNok?: number;
  notes?: string;
  /** Reserved to the council by law ("kommunestyret selv"): never delegated at all. */
  councilOnly: boolean;
  /** Words people use for the area, for free-text matching ("ansette" for tilsetting). */
  synonyms: { nb: string[]; en: string[] };
}

/** The council's decision that delegates to the rådmann: the root of every chain. */
export interface PoliticalBasis {
  /** e.g. 'Kommunestyret' */
  body: string;
  /** e.g. 'PS 12/24' */
  caseNumber: string;
  /** The date of the decision, 'YYYY-MM-DD'. */
  date: string;
}

/** The grantor of a root grant: the council, not a person. */
export const COUNCIL = 'kommunestyret';

/**
 * Whom a grant is given to: a person, or a role in a unit ("enhetsleder, Sentrum barnehage"),
 * which whoever holds that role holds, so the grant survives a change of leader.
 */
export type Recipient =
  { kind: 'person'; id: string } | { kind: 'role'; role: Role; unitId: string };

export const GRANT_STATUSES = ['proposed', 'active', 'declined', 'revoked', 'expired'] as const;
export type GrantStatus = (typeof GRANT_STATUSES)[number];

/** A grant that was active or proposed and is not any more. */
export const ENDED_STATUSES: ReadonlySet<GrantStatus> = new Set(['declined', 'revoked', 'expired']);

/**
 * How a grant came about: proposed from a delegation form and accepted by the recipient,
 * confirmed by a leader on an employee's request ("bekreft fullmakt"), or registered from a
 * decision made outside the bot (the council's decision, an existing reglement).
 */
export type GrantOrigin = 'delegation' | 'confirmation' | 'registered';

/** Why a grant ended, when it did. */
export interface GrantEnd {
  at: string;
  by: string;
  /** The ancestor whose end ended this one (rule 5), absent when it was ended itself. */
  cascadeFrom?: string;
  reason?: string;
}

/** Rule 6: the holder changed unit or leader; their old and new leaders keep or withdraw it. */
export interface GrantReview {
  flaggedAt: string;
  personId: string;
  oldUnitId?: string;
  newUnitId?: string;
  oldLeaderId?: string;
  newLeaderId?: string;
}

/**
 * A delegering. Its terms (area, from, to, parent, limit, validity, conditions, sperre) never
 * change once proposed: a different grant is a new grant. Only its status and the facts of its
 * decision, end and review change, each by an event.
 */
export interface Grant extends VersionedRecord {
  /** `DEL-2026-0042` */
  ref: string;
  areaId: string;
  /** The person who delegated; COUNCIL for a root grant. */
  fromId: string;
  to: Recipient;
  /** The grant this one derives from; absent only for a root grant (council → rådmann). */
  parentRef?: string;
  /** The council's decision, on a root grant only. */
  politicalBasis?: PoliticalBasis;
  /** The holder's fullmaktsnivå: 1 = rådmann (root), 2 = enhetsleder/stabsleder, 3… below. */
  level: number;
  /** NOK. Set whenever the parent or the area has a limit (never higher than theirs). */
  limitNok?: number;
  validFrom: string;
  /** Inclusive. Set whenever the parent has an end (never later than it). */
  validTo?: string;
  conditions?: string;
  /** Delegeringssperre: «Enhetsleder / stabsleder selv», nothing may be derived from it. */
  blocked: boolean;
  status: GrantStatus;
  origin: GrantOrigin;
  createdBy: string;
  createdAt: string;
  /** Accepted or declined: when, by whom, the comment. */
  decision?: { at: string; by: string; note?: string };
  end?: GrantEnd;
  /** Set while the grant waits for its holder's leaders to keep or withdraw it (rule 6). */
  review?: GrantReview;
}

export const GRANT_EVENTS = [
  /** From a delegation form: waits for the recipient. */
  'proposed',
  'accepted',
  'declined',
  /** Withdrawn by the delegator or the line above. */
  'revoked',
  /** Its validity ran out. */
  'expired',
  /** Ended because an ancestor was withdrawn or expired (rule 5). */
  'cascaded',
  /** Its holder changed unit or leader (rule 6). */
  'flagged',
  /** Kept after a review. */
  'kept',
  /** Recorded from a decision made outside the bot (the council's, an imported reglement). */
  'registered',
] as const;
export type GrantEventKind = (typeof GRANT_EVENTS)[number];

/** One append-only revision of a grant: who, when, what (the status it led to), why (note). */
export type GrantEvent = AuditEvent<GrantEventKind, GrantStatus>;

/** A change to one grant: the record before and after, and its event (seq = after.rev). */
export interface GrantChange {
  before?: Grant;
  after: Grant;
  event: GrantEvent;
}

/**
 * The register: the catalogue of areas, the council's decision, every grant ever made (ended
 * ones too) and their append-only revisions.
 */
export interface Register {
  areas: AuthorityArea[];
  political?: PoliticalBasis;
  grants: Grant[];
  events: GrantEvent[];
}

/** The reference prefix of grants (a TableReferenceCounter in the store). */
export const GRANT_PREFIX = 'DEL';

/** The role told of every new grant below level 2 unless configured otherwise (rule 7). */
export const DEFAULT_REPORT_ROLE: Role = 'assisterende rådmann';

/** The limit of a derived grant may not exceed this, whatever the file or form says. */
export const MAX_LIMIT_NOK = 1_000_000_000_000;

export function areaById(register: Pick<Register, 'areas'>, id: string): AuthorityArea | undefined {
  return register.areas.find((a) => a.id === id);
}

export function grantByRef(register: Pick<Register, 'grants'>, ref: string): Grant | undefined {
  return register.grants.find((g) => g.ref === ref);
}

/** The register with one change applied: the grant replaced (or added), its event appended. */
export function applyChange(register: Register, change: GrantChange): Register {
  const exists = register.grants.some((g) => g.ref === change.after.ref);
  return {
    ...register,
    grants: exists
      ? register.grants.map((g) => (g.ref === change.after.ref ? change.after : g))
      : [...register.grants, change.after],
    events: [...register.events, change.event],
  };
}

export function applyChanges(register: Register, changes: readonly GrantChange[]): Register {
  return changes.reduce(applyChange, register);
}
