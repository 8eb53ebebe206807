import type { Message } from '../messaging/outbox';
import type { AuditEvent } from './audit';

/**
 * What every case-like record has (a deviation, a task, a delegation): a reference, a revision
 * that every change increments (cards carry it, so stale actions are recognised), and the id
 * of the last card action applied (the same action arriving again changes nothing).
 */
export interface VersionedRecord {
  ref: string;
  rev: number;
  lastActionId?: string;
}

/** A record as read, with the etag that guards the next write. */
export interface Stored<R> {
  record: R;
  etag: string;
}

/** Another change was stored between read and write: the write changed nothing. */
export class ConcurrentChangeError extends Error {
  constructor(ref: string) {
    super(`${ref} was changed concurrently`);
  }
}

/** The port a feature's record store offers the card-action pipeline. */
export interface RecordPort<R extends VersionedRecord, E extends AuditEvent> {
  get(ref: string): Promise<Stored<R> | undefined>;
  /**
   * Writes the new state, its event and the messages it decided at once, only if nobody wrote
   * since `etag`; else ConcurrentChangeError.
   */
  update(before: R, after: R, etag: string, event: E, messages?: Message[]): Promise<void>;
}

/** The reference was given to another record already (a counter behind its records). */
export class ReferenceTakenError extends Error {
  constructor(ref: string) {
    super(`${ref} is taken`);
  }
}

/**
 * One form, one record. A claim is taken, with the reference the record will have, before
 * anything is stored, and it is never released: a retried submit finds it and either shows
 * the record the first one made, or finishes storing it under the same reference.
 */
export interface FormClaim {
  ref: string;
  /** Who claimed it: only they may finish it or see its receipt. */
  by: string;
}

export interface FormClaims {
  /** 'claimed', or the claim an earlier submit of the same form took. */
  claim(formId: string, claim: FormClaim, at: string): Promise<'claimed' | FormClaim>;
  /** The record went under another reference (the claimed one was taken). */
  move(formId: string, ref: string): Promise<void>;
}
