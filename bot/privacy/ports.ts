import type { CaseScrub, Row, ScrubOutcome } from './case-anonymiser';
import type { ClosedCase } from './retention-rules';

/**
 * What the privacy use cases (retention-job.ts, person-erase.ts) need from storage, declared
 * here and implemented by the table adapters beside them (*-store.ts; privacy-store.ts puts
 * them together). A test or a new store implements these, with no table code in the use cases.
 */

export type AccessView = 'card' | 'history';

/** One view of a case in the access log: ids only. */
export interface AccessEvent {
  ref: string;
  /** The first view in its hour (ISO). */
  at: string;
  view: AccessView;
  /** The viewer's Entra id; absent when the viewer was the case's reporter. */
  personId?: string;
  byReporter: boolean;
}

/** A closed or rejected case whose retention time is kept in the retention index. */
export interface DueCase extends ClosedCase {
  ref: string;
  dueAt: string;
  ruleId: string;
  /** The index row's key (the store's handle for `done`). */
  rowKey: string;
}

/** The index of cases by the time their retention rule says they are anonymised. */
export interface RetentionIndexPort {
  /** Gives a closed or rejected case its time (idempotent); nothing for an open one. */
  track(d: ClosedCase & { ref: string }): Promise<void>;
  /** Cases whose time has come, oldest first (at most `limit`). */
  due(now: Date, limit: number): Promise<DueCase[]>;
  done(row: Pick<DueCase, 'rowKey'>): Promise<void>;
  /** After a change of the rules, moves every case to its new time; how many moved. */
  applyRules(): Promise<number>;
}

/** Removing a person (and texts) from cases, and the reporter from form claims. */
export interface CaseScrubs {
  scrubCase(plan: CaseScrub): Promise<ScrubOutcome>;
  /** Empties who sent the form, for these references or for this person; how many. */
  scrubClaims(match: { refs: string[] } | { personId: string }): Promise<number>;
}

/** What the daily retention job reads and changes. */
export interface RetentionStore extends CaseScrubs {
  /** The case's record as its retention rule sees it, if it exists. */
  closedCase(ref: string): Promise<(ClosedCase & { reporterId: string }) | undefined>;
  /** Deletes report drafts older than `days`; how many. */
  deleteExpiredDrafts(now: Date, days: number): Promise<number>;
}

/** Rows as the person-data export read them: with their keys, so they can be addressed. */
export type KeyedRow = Row;

/** What an erasure changes, beyond the case scrubs. */
export interface ErasureStore extends CaseScrubs {
  /** Removes the person's rows of the reporter index. */
  dropReporterIndex(personId: string): Promise<void>;
  /** Forgets how the bot reaches the person. */
  forgetConversation(personId: string): Promise<void>;
  /** Deletes bot state documents (unsent drafts). */
  deleteStates(keys: string[]): Promise<void>;
  /** Deletes rows the export found, in the named table. */
  deleteRows(table: string, rows: KeyedRow[]): Promise<void>;
  /** Removes who made these channel subscriptions (the subscriptions stay). */
  anonymiseSubscriptions(rows: KeyedRow[]): Promise<void>;
}
