import type { Language } from '../i18n';
import type { Card } from '../kernel/card-templates';
import type { CardKey, PostedCard } from './posted-cards';
import type { Recipient } from './recipient';

/**
 * The durable outbox. Every message the bot sends outside the reply to a turn is stored first,
 * in the same step that decides it (for a record change: in the record's own transaction), and
 * sent later by the dispatcher. A message says what to draw, not the drawing: the composer of
 * its `type` draws the card at send time, so it shows the state of that moment, a queued
 * update of the same card copy sends only the latest state, and a nudge for a case that was
 * closed meanwhile is dropped.
 */
export type Params = Record<string, string | number | boolean>;

export type Destination =
  | Recipient
  /** An update of a card already posted (its message is replaced). */
  | { kind: 'copy'; card: CardKey; copy: PostedCard }
  /** Work to run after the change, durably (index rows, timers, remembering a posted card). */
  | { kind: 'job' };

export interface Message {
  /** Deterministic: what, to whom, which occurrence, which step. The same key is stored once. */
  key: string;
  /** The composer that draws or runs it, e.g. 'deviation.handler-card'. */
  type: string;
  to: Destination;
  params: Params;
  /** When it may go (ISO); the dispatcher sends it at or after this time. */
  dueAt: string;
  /**
   * 'once' (default): deciding it again changes nothing. 'latest': deciding it again queues it
   * again (card updates: while one is queued, more changes still send one update).
   */
  mode?: 'once' | 'latest';
  /** Remember the posted card under this record and view, so later changes update it. */
  remember?: { card: CardKey; view: string };
}

export type MessageState = 'queued' | 'sent' | 'skipped' | 'gone' | 'dead';

/** A message as stored, with its delivery state. */
export interface StoredMessage extends Message {
  state: MessageState;
  attempts: number;
  /** Bumped by every 'latest' decision, so a send of an older state never marks a newer one sent. */
  version: number;
  sentAt?: string;
  lastError?: string;
}

/** Where a message is stored: a record's partition (with the record) or the outbox's own. */
export interface MessageAddress {
  table: string;
  partition: string;
  row: string;
}

/** What a composer answers at send time. */
export type Composed = { card: Card } | { skip: string };

/**
 * What the dispatcher tells a composer about the message it draws or runs. `readAt` is when
 * the message was read (performance.now()): the change that decided it was stored before
 * then, so a record read that started at or after `readAt` shows that change or a later one.
 * Composers use it to share one read of a record among the messages of a drain.
 */
export interface DrawContext {
  readAt: number;
}

/**
 * What a feature registers per message type. `compose` draws the card in the recipient's
 * language, or says why it is no longer wanted; `run` does a job; `onGone` handles a recipient
 * who cannot be reached (a handler card goes up the line instead).
 */
export interface Composer {
  type: string;
  compose?(
    message: StoredMessage,
    language: Language,
    now: Date,
    context?: DrawContext,
  ): Promise<Composed>;
  run?(message: StoredMessage, now: Date, context?: DrawContext): Promise<void>;
  onGone?(message: StoredMessage, now: Date): Promise<void>;
}

/** A hint to write: a message at this address is due at this time (it is stored after it). */
export interface HintRequest {
  dueAt: string;
  address: MessageAddress;
}

/**
 * A hint row as written for messages about to be stored: what withdrawing it (the change was
 * not made after all) needs. A row another writer replaced since (another etag) stays.
 */
export interface WrittenHint {
  rowKey: string;
  etag?: string;
}

/** The outbox for messages that belong to no record (nudges, digests, channel notices). */
export interface Outbox {
  /**
   * Stores messages; a 'once' message whose key is stored already is left as it is. Returns
   * the keys that were new (deciding the same nudge twice stores it once).
   */
  enqueue(messages: Message[]): Promise<string[]>;
}

/** A message for a person, due now unless said otherwise. */
export function messageTo(
  recipient: Recipient | Destination,
  type: string,
  key: string,
  params: Params,
  options: { dueAt: Date; mode?: 'once' | 'latest'; remember?: Message['remember'] },
): Message {
  return {
    key,
    type,
    to: recipient,
    params,
    dueAt: options.dueAt.toISOString(),
    mode: options.mode,
    remember: options.remember,
  };
}
