import type { HintRequest, Message, WrittenHint } from '../messaging/outbox';
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
 * One form, one record. A claim is taken before the record is stored, with the reference the
 * record is to get (or '' to set it later), and kept: a retried submit finds it and either
 * shows the record the first one made, waits for it, or takes the claim over and finishes
 * storing it. Only a use that was refused before anything was stored releases it. The claim's
 * token (its etag) makes sure only one submit at a time works on a form.
 */
export interface FormClaim {
  /** The reference the record gets; '' until the holder has taken one. */
  ref: string;
  /** Who claimed it: only they may finish it or see its receipt. */
  by: string;
  /** When the holder last took or touched it (ISO); a quiet claim's submit has stopped. */
  at: string;
  /** Guards every later change of the claim (the etag). */
  token: string;
}

export interface FormClaims {
  /**
   * Takes the form: its token, or the claim an earlier submit of the same form took. `hints`
   * (the dispatcher's, for the messages of the record the form is to file) are written in the
   * same step as the claim, and only with it: the hints written, so that they can be withdrawn.
   */
  claim(
    formId: string,
    by: string,
    at: string,
    ref?: string,
    hints?: HintRequest[],
  ): Promise<{ token: string; hints: WrittenHint[] } | { earlier: FormClaim }>;
  /** Removes a claim this submit holds (nothing was stored for it); false if it changed. */
  release(formId: string, token: string): Promise<boolean>;
  /** The claim as it is now, if any. */
  get(formId: string): Promise<FormClaim | undefined>;
  /** Sets the reference the record gets: the new token, or undefined if another submit took over. */
  assign(formId: string, ref: string, token: string): Promise<string | undefined>;
  /**
   * Sets when the claim was last worked on: now, to take over a claim whose submit stopped,
   * or long ago, to mark one stopped. The new token, or undefined if another submit got there first.
   */
  touch(formId: string, token: string, at: string): Promise<string | undefined>;
}
