import type { AccessEvent } from './ports';

/**
 * Everything the bot stores about one person (an access request, GDPR art. 15), as
 * person-data-store.ts collects it and person-erase.ts acts on it.
 */
type Row = Record<string, unknown>;

export interface ReportedCase {
  ref: string;
  record: Row;
  events: Row[];
  /** The measures recorded on the case (each its own row, `measure-000001`…). */
  measures: Row[];
  /** Their own views of their case (the log writes them as "the reporter"). */
  views: AccessEvent[];
}

export interface CaseActedOn {
  ref: string;
  summary: Row;
  roles: string[];
  /** The steps in which they acted or were named. */
  events: Row[];
}

export interface PersonData {
  personId: string;
  organisation?: Row;
  reportedCases: ReportedCase[];
  casesActedOn: CaseActedOn[];
  /** Cases they opened (card or history) other than their own reports. */
  accessEvents: AccessEvent[];
  conversation?: Row;
  drafts: { key: string; draft: unknown; savedAt?: string }[];
  postedCards: Row[];
  claims: Row[];
  subscriptions: Row[];
  outboxMessages: Row[];
  arshjul: Row[];
  privacyAudit: Row[];
  /** Abuse-limit counters (table Limits): how many reports and forms in the current hour and day. */
  usageCounts: Row[];
  /** Tasks, processes and delegations that name them (ids in their fields, or in the register's JSON). */
  otherRecords: { table: string; rows: Row[] }[];
}
