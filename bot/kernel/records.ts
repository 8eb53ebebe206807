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

/** One form, one record: a retried submit finds the record the first one made. */
export interface FormClaims {
  /** 'claimed', or the reference an earlier submit of the same form produced ('' while it runs). */
  claim(formId: string, at: string): Promise<'claimed' | { ref: string }>;
  link(formId: string, ref: string): Promise<void>;
  /** Lets the same form be sent again after a failure before anything was stored. */
  release(formId: string): Promise<void>;
}
