import type { AuditEvent } from '../kernel/audit';
import type { VersionedRecord } from '../kernel/records';
import type { Role, UnitKind } from '../org/organisation';

/**
 * The annual cycle (årshjul) as data: activities that recur, each with an owner, a deadline,
 * reminders and a sign-off (docs/arshjul-format.md). Dates are Oslo calendar dates
 * ('YYYY-MM-DD'); a month-day is 'MM-DD'. Pure types: no I/O.
 */
export interface Localised {
  nb: string;
  en: string;
}

/** 'MM-DD', e.g. '02-22'. 02-29 is not allowed (it would skip three years in four). */
export type MonthDay = string;

export type Recurrence =
  /** Once a year on this date. */
  | { kind: 'yearly'; date: MonthDay }
  /** Several times a year (tertial reports, status of political decisions). */
  | { kind: 'dates'; dates: MonthDay[] }
  /** Every `every` years counted from `from` (kommuneplan revision every four years). */
  | { kind: 'everyYears'; every: number; from: number; date: MonthDay }
  /**
   * In the election period's year `yearsAfter` after each local election (planstrategi: at the
   * latest one year after the new council is constituted: yearsAfter 1, date the constitution
   * day). Elections come from the file's `elections`.
   */
  | { kind: 'afterElection'; yearsAfter: number; date: MonthDay };

/** Local elections (kommunestyrevalg): every `everyYears` years from `firstYear` (2023, 4). */
export interface ElectionCycle {
  firstYear: number;
  everyYears: number;
}

export type Owner =
  /** One occurrence, owned by the person holding this role (the first found), e.g. rådmann. */
  | { role: Role }
  /** One occurrence, owned by the leader of this unit (økonomi: stabsleder økonomi). */
  | { unit: string }
  /** One occurrence per unit of these kinds, each owned by its unit's leader ("every enhetsleder"). */
  | { unitLeaders: UnitKind[] };

export interface LegalBasis {
  /** e.g. 'kommuneloven' */
  law: string;
  /** e.g. '§ 14-6' */
  section: string;
  /** Lovdata, e.g. https://lovdata.no/lov/2018-06-22-83/§14-6 */
  url: string;
}

export interface Activity {
  /** lower-case letters, digits and dashes, e.g. 'arsregnskap' */
  id: string;
  name: Localised;
  /** What is due, one sentence. */
  due: Localised;
  legalBasis?: LegalBasis;
  owner: Owner;
  audience: {
    /** People with these roles are told when an occurrence is signed off. */
    roles: Role[];
    /** Team channels subscribed to the årshjul get a short notice at each lead time. */
    channels: boolean;
  };
  recurrence: Recurrence;
  /** Days before the deadline the owner is reminded, descending (default [30, 7, 1]). */
  leadDays: number[];
}

export interface ArshjulFile {
  municipality: string;
  elections: ElectionCycle;
  activities: Activity[];
}

/** The default lead times, in days before the deadline. */
export const DEFAULT_LEAD_DAYS: readonly number[] = [30, 7, 1];

/**
 * One occurrence to materialise: activity × year (× the n-th date that year) (× unit). Its
 * reference is deterministic, so materialising twice makes nothing new.
 */
export interface OccurrencePlan {
  /** `AH-<year>-<activityId>-<n>` or `AH-<year>-<activityId>-<n>-<unitId>`, n from 1. */
  ref: string;
  activityId: string;
  year: number;
  /** The n-th date of the activity in that year, from 1. */
  index: number;
  /** The unit whose leader owns it (per unit, or a named unit). */
  unitId?: string;
  /** The role that owns it (owner `{ role }`). */
  ownerRole?: Role;
  /** The date the rule gives, before a weekend or holiday move. */
  nominal: string;
  /** The deadline: `nominal`, or the next working day when that is a weekend or holiday. */
  deadline: string;
}

export const OCCURRENCE_STATUSES = ['open', 'done'] as const;
export type OccurrenceStatus = (typeof OCCURRENCE_STATUSES)[number];

/** An occurrence as stored: the plan, its sign-off and its calendar sequence. */
export interface Occurrence extends VersionedRecord, OccurrencePlan {
  status: OccurrenceStatus;
  doneAt?: string;
  doneBy?: string;
  /** The note or link given with "Utført". */
  doneNote?: string;
  /** How often "Trenger hjelp" was pressed. */
  helpCount: number;
  /** iCalendar SEQUENCE: raised whenever the deadline moves. */
  sequence: number;
}

export const OCCURRENCE_EVENTS = ['created', 'moved', 'done', 'help'] as const;
export type OccurrenceEvent = AuditEvent<(typeof OCCURRENCE_EVENTS)[number], OccurrenceStatus>;

/** Shown status: 'overdue' is open past its deadline (Oslo date). */
export type ShownStatus = 'done' | 'open' | 'overdue';
export function shownStatus(
  o: Pick<Occurrence, 'status' | 'deadline'>,
  today: string,
): ShownStatus {
  if (o.status === 'done') return 'done';
  return today > o.deadline ? 'overdue' : 'open';
}
