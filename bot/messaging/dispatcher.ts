import { performance } from 'node:perf_hooks';
import { log } from '../app/log';
import type { Card } from '../kernel/card-templates';
import type { Notifier, Target } from './notifier';
import type { Composer, DrawContext, MessageAddress, StoredMessage } from './outbox';

/** The limits the dispatcher keeps (SendLimiter in send-limits.ts). */
export interface RateGate {
  /** `retryAt` may be Infinity: only the answer to a send under way can make room. */
  admit(conversationId: string, now: number): { ok: true } | { ok: false; retryAt: number };
  pause(conversationId: string, until: number): void;
  /** The send admitted at `admittedAt` was answered at `answeredAt`. */
  answered?(conversationId: string, admittedAt: number, answeredAt: number): void;
  /** Drops what no longer counts, so memory follows the conversations sent to lately. */
  prune?(now: number): void;
}

export interface SettlePatch {
  state: StoredMessage['state'];
  sentAt?: string;
  lastError?: string;
  attempts?: number;
}

/** The outbox as the dispatcher uses it (OutboxStore in store/). */
export interface DispatchStore {
  /**
   * Hints due at `now`, oldest first (not before `from`; with `after`, only those whose RowKey
   * sorts after it: the next page).
   */
  due(now: Date, limit: number, from?: Date, after?: string): Promise<Hint[]>;
  read(address: MessageAddress): Promise<{ message: StoredMessage; etag: string } | undefined>;
  settle(address: MessageAddress, etag: string, patch: SettlePatch): Promise<boolean>;
  reschedule(
    hint: Hint,
    etag: string,
    dueAt: string,
    patch?: { attempts?: number; lastError?: string },
  ): Promise<boolean>;
  deleteHint(rowKey: string): Promise<void>;
  /** Optional batch forms: fewer round trips, the same outcome. */
  deleteHints?(rowKeys: string[]): Promise<void>;
  readMany?(
    table: string,
    partition: string,
    rows: string[],
  ): Promise<Map<string, { message: StoredMessage; etag: string }>>;
  /**
   * Settles several messages of one partition in one transaction (each guarded by its etag).
   * All or nothing: it throws when any of them changed, and the dispatcher settles them one by
   * one instead to learn which.
   */
  settleMany?(
    table: string,
    partition: string,
    items: { row: string; etag: string; patch: SettlePatch }[],
  ): Promise<void>;
  markDead(address: MessageAddress, at: string, reason: string): Promise<void>;
}

export interface Hint {
  rowKey: string;
  dueAt: string;
  address: MessageAddress;
  /** The stored row it came from when that is not `rowKey` (a group): pages go on after it. */
  readFrom?: string;
}

/** One line per message settled, for `scheduler:tick` and logs (ids and types only). */
export interface Settled {
  type: string;
  key: string;
  recipient: string;
  outcome: 'sent' | 'skipped' | 'gone' | 'retry' | 'dead' | 'done';
  detail?: string;
}

export interface DispatcherOptions {
  /**
   * Sends under way or sent and not yet marked sent, at once: the most a process that dies can
   * send twice (a message is marked sent after the connector accepted it).
   */
  concurrency?: number;
  /** Messages read, drawn or run (jobs) at once, apart from sending. */
  prepareConcurrency?: number;
  /**
   * Attempts before a message becomes a dead letter (412, 5xx, network). With the back-off
   * (doubling from `backoffMs`, at most 10 minutes) the default 12 spans about half an hour:
   * an outage of the Bot Connector shorter than that leaves no dead letter.
   */
  maxAttempts?: number;
  /** 429s one message may meet before it is moved out of memory to a later time. */
  maxThrottles?: number;
  /** Hints read per query. */
  pageSize?: number;
  /** First back-off after a failure (ms); doubles with each attempt, with jitter. */
  backoffMs?: number;
  /** Drawn messages ready to go that are kept in memory ahead of the sends. */
  readyAhead?: number;
  /** Drawn messages held in memory at most (most of them waiting for their conversation). */
  maxHeld?: number;
  /**
   * A hint whose message does not exist is left alone this long before it is deleted: the
   * transaction that stores the message may still be under way (hints are written first).
   */
  orphanGraceMs?: number;
  /** How long a settle waits for the other messages of its record, to share a transaction. */
  settleWaitMs?: number;
  /** The clock of the rate limits (ms, monotonic); performance.now() by default. */
  clock?: () => number;
}

export interface DrainOptions {
  /** Only what is due from then on (scheduler:tick --at later than now). */
  from?: Date;
  /**
   * Asked before new work starts: undefined to go on, or a promise to wait for first (the
   * background loop yields to requests being handled, within a bounded delay).
   */
  pace?: () => Promise<void> | undefined;
  /**
   * True while requests are being handled and the drain goes on regardless (its wait is used
   * up): it then works two at a time, leaving the store and the CPU to the requests.
   */
  busy?: () => boolean;
}

/** A hint in memory, from the page that brought it until its message is settled or let go. */
interface Item {
  hint: Hint;
  /** Order of arrival: messages are sent in it, per conversation. */
  seq: number;
  etag: string;
  message: StoredMessage;
  target: Target;
  card: Card;
  throttles: number;
  retryAt: number;
}

/** A send the connector accepted, still to be settled: what is missing, and since when (ms). */
interface SentUnsettled {
  etag: string;
  unrecorded?: () => Promise<void>;
  since: number;
}

/** A message as read, with when the read was answered (performance.now(): DrawContext). */
type Found = { message: StoredMessage; etag: string; readAt: number } | undefined;

const OUTBOX_TABLE = 'Outbox';
const groupOf = (a: MessageAddress) => `${a.table}|${a.partition}`;

/**
 * Sends what the outbox holds when it is due, within Teams' limits. Finds due messages through
 * their hints (never by reading every record), draws each at send time, and settles it: sent,
 * skipped (no longer wanted), gone (recipient blocked the bot: the composer may re-route), or
 * retried with back-off until it becomes a dead letter. A conversation that must wait (its
 * limits, or a 429 with Retry-After) waits alone; the others go on. Only one dispatcher runs at
 * a time (a lease, see app/background.ts); a message is marked sent after the connector
 * accepted it, so the only possible duplicate is one in flight when a process dies.
 *
 * How a drain flows (a pump, not pages in lock step): hints are read page by page as the work
 * needs them; up to `prepareConcurrency` messages are read and drawn (or run, for jobs) at
 * once, ahead of the sends; a send starts as soon as a slot is free and the limits admit a
 * drawn message, so one slow call or one throttled conversation never holds the others. The
 * settles of one record's messages share a transaction, and spent hints are deleted in
 * batches.
 */
export class Dispatcher {
  private readonly options: Required<Omit<DispatcherOptions, 'clock'>>;
  private readonly clock: () => number;
  private readonly composers: Map<string, Composer>;
  private current?: Drain;
  private readonly sentAt: number[] = [];
  /**
   * Hints whose message was not found, by when first seen (wall clock) and when to look again.
   * @internal (tests)
   */
  readonly orphans = new Map<string, { since: number; next: number }>();
  /**
   * Messages the connector accepted whose settle (or posted-card record) could not be written
   * (the store was out), by hint: a later drain writes what is missing and never sends them
   * again. Only a process that dies loses this, which is the in-flight duplicate.
   * @internal
   */
  readonly sentUnsettled = new Map<string, SentUnsettled>();

  constructor(
    readonly deps: {
      store: DispatchStore;
      notifier: Notifier;
      gate: RateGate;
      composers: Composer[];
      onSettled?: (settled: Settled) => void;
    },
    options: DispatcherOptions = {},
  ) {
    const { clock, ...rest } = options;
    this.options = {
      concurrency: 8,
      prepareConcurrency: 16,
      maxAttempts: 12,
      maxThrottles: 10,
      pageSize: 200,
      backoffMs: 1000,
      readyAhead: 64,
      maxHeld: 2000,
      orphanGraceMs: 10 * 60_000,
      settleWaitMs: 100,
      ...rest,
    };
    this.clock = clock ?? (() => performance.now());
    this.composers = new Map(deps.composers.map((c) => [c.type, c]));
  }

  /** Messages in memory that are not settled yet (drawn and waiting, or under way). */
  get waitingCount(): number {
    return this.current?.inMemory ?? 0;
  }

  /** For operators (`npm run outbox -- status`), kept on the lease row. */
  stats(): { inFlight: number; waiting: number; sentLastHour: number } {
    const hourAgo = Date.now() - 3_600_000;
    while (this.sentAt.length > 0 && this.sentAt[0] < hourAgo) this.sentAt.shift();
    return {
      inFlight: this.current?.sending ?? 0,
      waiting: this.current?.heldCount ?? 0,
      sentLastHour: this.sentAt.length,
    };
  }

  /** What the pump holds right now, stage by stage (benchmarks and diagnostics). */
  pumpState(): {
    queued: number;
    preparing: number;
    held: number;
    ready: number;
    sending: number;
    unsettled: number;
  } {
    return (
      this.current?.state() ?? {
        queued: 0,
        preparing: 0,
        held: 0,
        ready: 0,
        sending: 0,
        unsettled: 0,
      }
    );
  }

  /**
   * Sends everything due at `now` and returns when nothing due is left (or `stop` says so: the
   * lease was lost, or the process is shutting down; what is under way finishes, the rest is
   * left to the next drain). With `from`, only what is due from then on (scheduler:tick --at
   * later than now, while a running bot sends what is due now). `now` is the business time
   * (scheduler:tick --at moves it); rate limits use the real clock.
   */
  async drain(
    now: Date,
    stop: () => boolean = () => false,
    options: DrainOptions = {},
  ): Promise<number> {
    this.deps.gate.prune?.(this.clock());
    const drain = new Drain(this, this.options, this.clock, now, stop, options);
    this.current = drain;
    try {
      return await drain.run();
    } finally {
      if (this.current === drain) this.current = undefined;
      this.pruneOrphans();
    }
  }

  /** @internal */
  composer(type: string): Composer | undefined {
    return this.composers.get(type);
  }

  /** @internal */
  noteSent(): void {
    this.sentAt.push(Date.now());
  }

  /** @internal */
  report(message: StoredMessage, outcome: Settled['outcome'], detail?: string): void {
    const to = message.to;
    const recipient =
      to.kind === 'person'
        ? to.id
        : to.kind === 'channel'
          ? `${to.teamId}/${to.channelId}`
          : to.kind === 'copy'
            ? `copy:${to.copy.conversationId}`
            : 'job';
    this.deps.onSettled?.({ type: message.type, key: message.key, recipient, outcome, detail });
    if (outcome === 'dead') log.warn({ type: message.type, detail }, 'message is a dead letter');
  }

  /** @internal */
  backoff(attempt: number): number {
    const base = this.options.backoffMs * 2 ** (attempt - 1);
    return Math.min(base + Math.random() * base * 0.5, 10 * 60_000);
  }

  private pruneOrphans(): void {
    const old = Date.now() - 2 * this.options.orphanGraceMs;
    for (const [rowKey, o] of this.orphans) if (o.since < old) this.orphans.delete(rowKey);
    for (const [rowKey, s] of this.sentUnsettled)
      if (s.since < old) this.sentUnsettled.delete(rowKey);
  }
}

/** One drain: the pump's state. Everything it holds is settled or let go when it returns. */
class Drain {
  private readonly store: DispatchStore;
  private readonly gate: RateGate;
  private readonly notifier: Notifier;
  /** Row keys of every hint this drain holds in any stage (and spent ones not deleted yet). */
  private readonly known = new Set<string>();
  /** Hints not to take again in this drain (failed, or their message is not stored yet). */
  private readonly skip = new Set<string>();
  private queue: Hint[] = [];
  /** Drawn messages waiting for a send slot or for their conversation, in `seq` order. */
  private held: Item[] = [];
  private readonly busy = new Set<string>();
  private readonly readAhead = new Map<string, Promise<Found>>();
  /** Items per record partition from fetched until settled or let go (settles wait for them). */
  private readonly outstanding = new Map<string, number>();
  /** Row keys counted in `outstanding`. */
  private readonly counted = new Set<string>();
  /** Sends under way per record partition. */
  private readonly sendingBy = new Map<string, number>();
  private readonly settleGroups = new Map<string, SettleGroup>();
  private spent: string[] = [];
  private deleting?: Promise<void>;
  private spentTimer?: NodeJS.Timeout;
  private timer?: { at: number; handle: NodeJS.Timeout };
  private fetching = false;
  private cursor?: string;
  /** A sweep found nothing more that is due, and no job ran since it started. */
  private exhausted = false;
  /** Operation counter: when the current sweep started, and when a job last finished. */
  private ops = 0;
  private sweepStartedAt = 0;
  private lastJobAt = -1;
  private stopping = false;
  private pacing = false;
  private preparing = 0;
  sending = 0;
  /** Sends admitted and not yet settled (under way, or sent and waiting for their settle). */
  private unsettled = 0;
  /** Other work under way: settles of jobs and skips, reschedules, dead letters. */
  private tasks = 0;
  /** Hints whose message is looked for again shortly, and how often it was. */
  private lookingAgain = 0;
  private readonly orphanTries = new Map<string, number>();
  private seq = 0;
  private settledCount = 0;
  private finish?: (settled: number) => void;

  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly options: Required<Omit<DispatcherOptions, 'clock'>>,
    private readonly clock: () => number,
    private readonly now: Date,
    private readonly stop: () => boolean,
    private readonly drainOptions: DrainOptions,
  ) {
    this.store = dispatcher.deps.store;
    this.gate = dispatcher.deps.gate;
    this.notifier = dispatcher.deps.notifier;
  }

  get heldCount(): number {
    return this.held.length;
  }

  get inMemory(): number {
    return this.queue.length + this.preparing + this.held.length + this.unsettled;
  }

  state() {
    const now = this.clock();
    return {
      queued: this.queue.length,
      preparing: this.preparing,
      held: this.held.length,
      ready: this.held.filter((p) => p.retryAt <= now).length,
      sending: this.sending,
      unsettled: this.unsettled,
    };
  }

  run(): Promise<number> {
    return new Promise((resolve) => {
      this.finish = resolve;
      this.step();
    });
  }

  /** Starts whatever can start now; called whenever something changed. */
  private step(): void {
    if (!this.finish) return;
    if (!this.stopping && this.stop()) {
      this.stopping = true;
      this.letGo(this.queue);
      this.queue = [];
      this.letGo(this.held.map((p) => p.hint));
      this.held = [];
    }
    if (!this.stopping && !this.pacing) {
      const pace = this.drainOptions.pace?.();
      if (pace) {
        this.pacing = true;
        pace.then(
          () => ((this.pacing = false), this.step()),
          () => ((this.pacing = false), this.step()),
        );
      } else {
        this.fetchIfLow();
        this.prepareMore();
        this.sendMore();
      }
    }
    this.finishIfIdle();
  }

  private finishIfIdle(): void {
    const idle =
      !this.fetching &&
      this.queue.length === 0 &&
      this.preparing === 0 &&
      this.held.length === 0 &&
      this.unsettled === 0 &&
      this.sending === 0 &&
      this.tasks === 0 &&
      this.lookingAgain === 0 &&
      (this.exhausted || this.stopping);
    if (!idle || !this.finish) return;
    if (this.spent.length > 0 || this.deleting) {
      this.flushSpent();
      return;
    }
    const finish = this.finish;
    this.finish = undefined;
    if (this.timer) clearTimeout(this.timer.handle);
    if (this.spentTimer) clearTimeout(this.spentTimer);
    finish(this.settledCount);
  }

  // --- Finding what is due ----------------------------------------------------------------

  private fetchIfLow(): void {
    if (this.fetching || this.exhausted) return;
    if (this.queue.length >= this.options.pageSize / 2) return;
    if (this.held.length >= this.options.maxHeld) return;
    this.fetching = true;
    void this.fetch().finally(() => {
      this.fetching = false;
      this.step();
    });
  }

  /**
   * The next page of due hints. A sweep reads them in order from the oldest; when a page comes
   * back short the sweep is over and the drain has seen everything due. A job that ran (it may
   * have queued messages due now, such as copy updates) starts a new sweep.
   */
  private async fetch(): Promise<void> {
    const { pageSize } = this.options;
    if (this.cursor === undefined) this.sweepStartedAt = ++this.ops;
    let page: Hint[];
    try {
      page = await this.store.due(this.now, pageSize, this.drainOptions.from, this.cursor);
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'dispatch step failed');
      // The store is out: leave the rest to the next drain.
      this.exhausted = true;
      return;
    }
    if (page.length >= pageSize) {
      const last = page[page.length - 1];
      this.cursor = last.readFrom ?? last.rowKey;
    } else {
      this.cursor = undefined;
      // Done, unless a job finished meanwhile: what it queued may sort before this page.
      this.exhausted = this.lastJobAt < this.sweepStartedAt;
    }
    const wall = Date.now();
    const fresh = page.filter((h) => {
      if (this.known.has(h.rowKey) || this.skip.has(h.rowKey)) return false;
      const orphan = this.dispatcher.orphans.get(h.rowKey);
      return !orphan || orphan.next <= wall;
    });
    for (const h of fresh) {
      this.known.add(h.rowKey);
      if (h.address.table !== OUTBOX_TABLE) {
        this.counted.add(h.rowKey);
        this.countOutstanding(h.address, +1);
      }
    }
    this.startReadAhead(fresh);
    this.queue.push(...fresh);
  }

  /** Reads the messages of hints that share a record's partition with one query each. */
  private startReadAhead(hints: Hint[]): void {
    const { readMany } = this.store;
    if (!readMany) return;
    const groups = new Map<string, Hint[]>();
    for (const h of hints) {
      // A record's messages sit side by side; the outbox's own shards hold many more.
      if (h.address.table === OUTBOX_TABLE) continue;
      const key = groupOf(h.address);
      const group = groups.get(key);
      if (group) group.push(h);
      else groups.set(key, [h]);
    }
    for (const group of groups.values()) {
      if (group.length < 2) continue;
      const { table, partition } = group[0].address;
      const read = readMany
        .call(
          this.store,
          table,
          partition,
          group.map((h) => h.address.row),
        )
        .then(
          (found) => ({ found, readAt: performance.now() }),
          () => undefined,
        );
      for (const h of group)
        this.readAhead.set(
          h.rowKey,
          read.then((r) => {
            const one = r?.found.get(h.address.row);
            return one && { ...one, readAt: r!.readAt };
          }),
        );
    }
  }

  private countOutstanding(address: MessageAddress, delta: number, recheck = true): void {
    const key = groupOf(address);
    const n = (this.outstanding.get(key) ?? 0) + delta;
    if (n > 0) this.outstanding.set(key, n);
    else this.outstanding.delete(key);
    if (delta < 0 && recheck) this.settleGroups.get(key)?.recheck();
  }

  /** The item is settled or let go: its record's other settles no longer wait for it. */
  private uncount(hint: Hint, recheck = true): void {
    if (this.counted.delete(hint.rowKey)) this.countOutstanding(hint.address, -1, recheck);
  }

  /** The drain's messages of a record still to be settled, and those being sent. */
  private siblings(key: string): { outstanding: number; sending: number } {
    return { outstanding: this.outstanding.get(key) ?? 0, sending: this.sendingBy.get(key) ?? 0 };
  }

  /** Lets hints go without settling them: their hints stay, a later drain takes them. */
  private letGo(hints: Hint[], skip = false): void {
    for (const hint of hints) {
      this.known.delete(hint.rowKey);
      if (skip) this.skip.add(hint.rowKey);
      this.readAhead.delete(hint.rowKey);
      this.uncount(hint);
    }
  }

  // --- Reading and drawing ----------------------------------------------------------------

  /** How many at once: fewer while requests are being handled (DrainOptions.busy). */
  private narrow(limit: number): number {
    return this.drainOptions.busy?.() ? Math.min(limit, 2) : limit;
  }

  private prepareMore(): void {
    const { readyAhead, maxHeld } = this.options;
    const prepareConcurrency = this.narrow(this.options.prepareConcurrency);
    if (this.preparing >= prepareConcurrency || this.queue.length === 0) return;
    const ready = this.readyCount();
    while (this.preparing < prepareConcurrency && this.queue.length > 0) {
      if (this.held.length >= maxHeld) return;
      if (ready + this.preparing >= readyAhead) return;
      const hint = this.queue.shift()!;
      const seq = this.seq++;
      this.preparing++;
      void this.prepare(hint, seq)
        .catch((err) => {
          // A storage outage: the hint stays, a later drain tries again.
          log.warn({ err: (err as Error).message }, 'dispatch step failed');
          this.letGo([hint], true);
        })
        .finally(() => {
          this.preparing--;
          this.step();
        });
    }
  }

  /**
   * Drawn messages that may go within a second: those held back longer do not count, nor more
   * than two per conversation (a chat with many messages waiting must not keep the others'
   * messages from being drawn).
   */
  private readyCount(): number {
    const soon = this.clock() + 1000;
    const perConversation = new Map<string, number>();
    let n = 0;
    for (const p of this.held) {
      if (p.retryAt > soon) continue;
      const k = (perConversation.get(p.target.conversationId) ?? 0) + 1;
      perConversation.set(p.target.conversationId, k);
      if (k <= 2) n++;
    }
    return n;
  }

  /** Reads a hinted message and decides what to do with it. */
  private async prepare(hint: Hint, seq: number): Promise<void> {
    const ahead = this.readAhead.get(hint.rowKey);
    this.readAhead.delete(hint.rowKey);
    let found = ahead && (await ahead);
    if (!found) {
      const read = await this.store.read(hint.address);
      found = read && { ...read, readAt: performance.now() };
    }
    // Not stored yet, or its newer decision not yet (hints are written before their messages).
    if (!found || found.message.dueAt < hint.dueAt) return this.orphan(hint);
    this.dispatcher.orphans.delete(hint.rowKey);
    // Already settled, or moved to a later time: the hint is spent.
    if (found.message.state !== 'queued' || found.message.dueAt !== hint.dueAt) {
      this.uncount(hint);
      this.spend(hint.rowKey);
      return;
    }
    const { message, etag } = found;
    const sent = this.dispatcher.sentUnsettled.get(hint.rowKey);
    if (sent?.etag === etag) {
      await this.settleSent(hint, etag, message, sent.unrecorded);
      return;
    }
    this.dispatcher.sentUnsettled.delete(hint.rowKey);
    const context: DrawContext = { readAt: found.readAt };
    const composer = this.dispatcher.composer(message.type);
    if (!composer) {
      await this.settle(hint, etag, message, 'dead', `no composer for ${message.type}`);
      return;
    }
    if (message.to.kind === 'job') {
      try {
        await composer.run?.(message, this.now, context);
      } catch (err) {
        await this.failed(hint, etag, message, (err as Error).message, true);
        return;
      }
      // A job may have queued messages that are due now (copy updates): look again.
      this.lookAgain();
      await this.settle(hint, etag, message, 'done');
      return;
    }
    const target = await this.notifier.target(message);
    if (!target) {
      await this.settle(hint, etag, message, 'gone', 'not reachable in Teams');
      await this.onGone(composer, message);
      return;
    }
    const drawn = await this.notifier.draw(message, composer, target, this.now, context);
    if ('skip' in drawn) {
      await this.settle(hint, etag, message, 'skipped', drawn.skip);
      return;
    }
    this.hold({ hint, seq, etag, message, target, card: drawn.card, throttles: 0, retryAt: 0 });
  }

  /**
   * The message of a hint is not stored (yet): the change that writes it may be under way (its
   * hints are written first). Looked at again a few times within this drain (about 1.5 s in
   * all), then now and then by later drains; deleted only after the grace period (the change
   * failed).
   */
  private orphan(hint: Hint): void {
    const wall = Date.now();
    const known = this.dispatcher.orphans.get(hint.rowKey);
    const since = known?.since ?? wall;
    if (wall - since >= this.options.orphanGraceMs) {
      this.dispatcher.orphans.delete(hint.rowKey);
      this.uncount(hint);
      this.spend(hint.rowKey);
      return;
    }
    const tries = this.orphanTries.get(hint.rowKey) ?? 0;
    if (!known && tries < 6) {
      this.orphanTries.set(hint.rowKey, tries + 1);
      this.lookingAgain++;
      setTimeout(
        () => {
          this.lookingAgain--;
          if (this.stopping) this.letGo([hint], true);
          else this.queue.unshift(hint);
          this.step();
        },
        25 * 2 ** tries,
      );
      return;
    }
    this.letGo([hint], true);
    const waited = known ? known.next - known.since : 0;
    this.dispatcher.orphans.set(hint.rowKey, {
      since,
      next: wall + Math.min(60_000, Math.max(2000, 2 * waited)),
    });
  }

  private async onGone(composer: Composer | undefined, message: StoredMessage): Promise<void> {
    await composer?.onGone?.(message, this.now);
    // A re-route stores a change whose messages are due now: look again.
    this.lookAgain();
  }

  /** Something was queued that may be due in this drain: another sweep will find it. */
  private lookAgain(): void {
    this.lastJobAt = ++this.ops;
    this.exhausted = false;
  }

  // --- Sending ----------------------------------------------------------------------------

  private hold(item: Item): void {
    if (this.stopping) {
      this.letGo([item.hint]);
      return;
    }
    // In order of arrival: a conversation's messages go in the order they were due.
    let lo = 0;
    let hi = this.held.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.held[mid].seq < item.seq) lo = mid + 1;
      else hi = mid;
    }
    this.held.splice(lo, 0, item);
  }

  /** Starts sends while a slot is free and the limits admit a drawn message. */
  private sendMore(): void {
    const concurrency = this.narrow(this.options.concurrency);
    while (this.unsettled < concurrency && this.held.length > 0) {
      const now = this.clock();
      let next = Infinity;
      let refused = 0;
      let picked = -1;
      for (let i = 0; i < this.held.length && refused < 16; i++) {
        const p = this.held[i];
        if (p.retryAt > now) {
          next = Math.min(next, p.retryAt);
          continue;
        }
        // One send at a time per conversation, so its windows stay exact.
        if (this.busy.has(p.target.conversationId)) continue;
        const gate = this.gate.admit(p.target.conversationId, now);
        if (gate.ok) {
          picked = i;
          break;
        }
        refused++;
        // Infinity: only an answer to a send under way makes room, and it calls step().
        if (!Number.isFinite(gate.retryAt)) break;
        p.retryAt = gate.retryAt;
        next = Math.min(next, gate.retryAt);
      }
      if (picked === -1) {
        // Stopped looking after 16 refusals: those now wait for their time, so look further
        // along at once (others may be free to go); else wake when the first one may go.
        this.wakeAt(refused >= 16 ? now : next);
        return;
      }
      const [item] = this.held.splice(picked, 1);
      this.send(item, now);
    }
  }

  private wakeAt(at: number): void {
    if (!Number.isFinite(at)) return;
    if (this.timer && this.timer.at <= at) return;
    if (this.timer) clearTimeout(this.timer.handle);
    const handle = setTimeout(
      () => {
        this.timer = undefined;
        this.step();
      },
      Math.max(0, at - this.clock()),
    );
    this.timer = { at, handle };
  }

  private send(p: Item, admittedAt: number): void {
    const conversation = p.target.conversationId;
    const record = p.hint.address.table === OUTBOX_TABLE ? undefined : groupOf(p.hint.address);
    this.busy.add(conversation);
    this.sending++;
    this.unsettled++;
    if (record) this.sendingBy.set(record, (this.sendingBy.get(record) ?? 0) + 1);
    let answered = false;
    const answer = () => {
      if (answered) return;
      answered = true;
      this.sending--;
      this.busy.delete(conversation);
      this.gate.answered?.(conversation, admittedAt, this.clock());
      if (record) {
        // Its own settle (if any) joins the record's group before the group looks again.
        const n = (this.sendingBy.get(record) ?? 1) - 1;
        if (n > 0) this.sendingBy.set(record, n);
        else this.sendingBy.delete(record);
      }
    };
    void this.notifier
      .send(p.message, p.target, p.card)
      .then(async (outcome) => {
        answer();
        this.step();
        if (outcome.kind === 'sent') this.dispatcher.noteSent();
        switch (outcome.kind) {
          case 'sent':
            await this.settleSent(p.hint, p.etag, p.message, outcome.unrecorded, true);
            return;
          case 'gone':
            await this.settle(p.hint, p.etag, p.message, 'gone', `HTTP ${outcome.status}`, {
              holdsSlot: true,
            });
            await this.onGone(this.dispatcher.composer(p.message.type), p.message);
            return;
          case 'throttled': {
            const wait = outcome.retryAfterMs ?? this.dispatcher.backoff(p.throttles + 1);
            this.gate.pause(conversation, this.clock() + wait);
            if (p.throttles + 1 >= this.options.maxThrottles) {
              await this.failed(p.hint, p.etag, p.message, 'throttled (429) repeatedly', true, {
                holdsSlot: true,
              });
              return;
            }
            this.hold({ ...p, throttles: p.throttles + 1, retryAt: this.clock() + wait });
            return;
          }
          case 'failed':
            await this.failed(p.hint, p.etag, p.message, outcome.reason, outcome.retryable, {
              holdsSlot: true,
            });
            return;
          default:
            await this.settle(p.hint, p.etag, p.message, 'skipped', outcome.kind, {
              holdsSlot: true,
            });
        }
      })
      .catch((err) => {
        log.warn({ err: (err as Error).message }, 'dispatch step failed');
        this.letGo([p.hint], true);
      })
      .finally(() => {
        answer();
        this.unsettled--;
        if (record) this.settleGroups.get(record)?.recheck();
        this.step();
      });
  }

  // --- Settling ---------------------------------------------------------------------------

  private async failed(
    hint: Hint,
    etag: string,
    message: StoredMessage,
    reason: string,
    retryable: boolean,
    options: { holdsSlot?: boolean } = {},
  ): Promise<void> {
    const attempts = message.attempts + 1;
    if (!retryable || attempts >= this.options.maxAttempts) {
      await this.settle(hint, etag, message, 'dead', reason, { attempts, ...options });
      return;
    }
    // Business time: under `scheduler:tick --at` a retry is due shortly after that moment.
    const later = new Date(this.now.getTime() + this.dispatcher.backoff(attempts));
    this.letGo([hint], true);
    await this.store.reschedule(hint, etag, later.toISOString(), {
      attempts,
      lastError: reason,
    });
    this.dispatcher.report(message, 'retry', reason);
  }

  /**
   * Writes what follows a send the connector accepted. If the store fails here, the card is out
   * and only its record is missing: it is kept in memory, and a later drain writes the record
   * instead of sending the card again.
   */
  private async settleSent(
    hint: Hint,
    etag: string,
    message: StoredMessage,
    unrecorded: (() => Promise<void>) | undefined,
    holdsSlot = false,
  ): Promise<void> {
    try {
      if (unrecorded) await unrecorded();
      await this.settle(hint, etag, message, 'sent', undefined, { holdsSlot });
      this.dispatcher.sentUnsettled.delete(hint.rowKey);
    } catch (err) {
      const since = this.dispatcher.sentUnsettled.get(hint.rowKey)?.since ?? Date.now();
      this.dispatcher.sentUnsettled.set(hint.rowKey, { etag, unrecorded, since });
      throw err;
    }
  }

  private async settle(
    hint: Hint,
    etag: string,
    message: StoredMessage,
    outcome: 'sent' | 'skipped' | 'gone' | 'dead' | 'done',
    reason?: string,
    /** `holdsSlot`: a sent message's settle, which holds a send slot until it is written. */
    { attempts, holdsSlot = false }: { attempts?: number; holdsSlot?: boolean } = {},
  ): Promise<void> {
    const at = new Date().toISOString();
    const state = outcome === 'done' ? 'sent' : outcome;
    const patch: SettlePatch = { state };
    if (state === 'sent') patch.sentAt = at;
    if (reason !== undefined) patch.lastError = reason;
    if (attempts !== undefined) patch.attempts = attempts;
    this.tasks++;
    try {
      const ok = await this.write(hint, etag, patch, holdsSlot);
      // A newer decision of a 'latest' message moved it: its own hint sends the newer state.
      if (!ok) {
        this.letGo([hint], true);
        return;
      }
      if (state === 'dead') await this.store.markDead(hint.address, at, reason ?? '');
      this.spend(hint.rowKey);
      this.settledCount++;
      this.dispatcher.report(message, outcome, reason);
    } finally {
      this.tasks--;
    }
  }

  /**
   * Writes a settle. The messages of one record are settled together in one transaction when
   * the store can: a job's settle waits (briefly) for the record's other messages in this
   * drain, a sent message's settle (it holds a send slot) only for the record's sends already
   * under way, so a wait never holds a slot that another message of the record needs. The
   * outbox's own shards are written as they come, several at once when they queue up.
   */
  private write(hint: Hint, etag: string, patch: SettlePatch, holdsSlot: boolean) {
    this.uncount(hint, false);
    const key = groupOf(hint.address);
    let group = this.settleGroups.get(key);
    if (!group) {
      const created = new SettleGroup(
        this.store,
        hint.address,
        this.options.settleWaitMs,
        () => this.siblings(key),
        () => {
          if (this.settleGroups.get(key) === created) this.settleGroups.delete(key);
        },
      );
      this.settleGroups.set(key, created);
      group = created;
    }
    return group.add(hint.address.row, etag, patch, holdsSlot);
  }

  /** A settled hint: deleted with others, in batches. */
  private spend(rowKey: string): void {
    this.spent.push(rowKey);
    if (this.spent.length >= 100) this.flushSpent();
    else this.spentTimer ??= setTimeout(() => this.flushSpent(), 250);
  }

  private flushSpent(): void {
    if (this.spentTimer) clearTimeout(this.spentTimer);
    this.spentTimer = undefined;
    if (this.deleting || this.spent.length === 0) return;
    const spent = this.spent.splice(0);
    const { store } = this;
    this.deleting = (
      store.deleteHints
        ? store.deleteHints(spent)
        : Promise.all(spent.map((rowKey) => store.deleteHint(rowKey))).then(() => undefined)
    )
      .catch((err) => {
        // A hint left behind is harmless: its message is settled, the next drain drops it.
        log.warn({ err: (err as Error).message }, 'spent hints not deleted');
      })
      .finally(() => {
        for (const rowKey of spent) this.known.delete(rowKey);
        this.deleting = undefined;
        if (this.spent.length >= 100) this.flushSpent();
        this.step();
      });
  }
}

/**
 * The settles waiting for one partition. One write at a time per partition: settles that
 * arrive while one is under way go together in the next. For a record's partition, a settle
 * also waits (at most `waitMs`) until the drain's other messages of that record are settled.
 */
class SettleGroup {
  private pending: {
    row: string;
    etag: string;
    patch: SettlePatch;
    holdsSlot: boolean;
    resolve: (ok: boolean) => void;
    reject: (err: unknown) => void;
  }[] = [];
  private writing = false;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly store: DispatchStore,
    private readonly address: MessageAddress,
    private readonly waitMs: number,
    private readonly siblings: () => { outstanding: number; sending: number },
    private readonly onEmpty: () => void,
  ) {}

  add(row: string, etag: string, patch: SettlePatch, holdsSlot: boolean): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.pending.push({ row, etag, patch, holdsSlot, resolve, reject });
      this.schedule();
    });
  }

  /** The record's other messages moved on (settled, let go, answered): wait no longer? */
  recheck(): void {
    if (this.pending.length > 0) this.schedule();
  }

  private schedule(): void {
    if (this.writing) return;
    const { outstanding, sending } = this.siblings();
    const wait =
      this.address.table !== OUTBOX_TABLE &&
      this.store.settleMany &&
      (this.pending.some((p) => p.holdsSlot) ? sending > 0 : outstanding > 0);
    if (!wait) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      void this.write();
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.write();
    }, this.waitMs);
  }

  private async write(): Promise<void> {
    if (this.writing || this.pending.length === 0) return;
    this.writing = true;
    const batch = this.pending.splice(0, 100);
    const { table, partition } = this.address;
    try {
      if (batch.length > 1 && this.store.settleMany) {
        try {
          await this.store.settleMany(
            table,
            partition,
            batch.map(({ row, etag, patch }) => ({ row, etag, patch })),
          );
          for (const b of batch) b.resolve(true);
          return;
        } catch {
          // One of them changed (or the batch failed): settle them one by one to learn which.
        }
      }
      await Promise.all(
        batch.map(async (b) => {
          try {
            b.resolve(await this.store.settle({ table, partition, row: b.row }, b.etag, b.patch));
          } catch (err) {
            b.reject(err);
          }
        }),
      );
    } finally {
      this.writing = false;
      if (this.pending.length > 0) this.schedule();
      else if (!this.timer) this.onEmpty();
    }
  }
}
