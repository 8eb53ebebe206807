import { log } from '../app/log';
import type { Card } from '../kernel/card-templates';
import type { Notifier, Target } from './notifier';
import type { Composer, MessageAddress, StoredMessage } from './outbox';

/** The limits the dispatcher keeps (SendLimiter in send-limits.ts). */
export interface RateGate {
  admit(conversationId: string, now: number): { ok: true } | { ok: false; retryAt: number };
  pause(conversationId: string, until: number): void;
  /** The send admitted at `admittedAt` was answered at `answeredAt`. */
  answered?(conversationId: string, admittedAt: number, answeredAt: number): void;
  /** Drops what no longer counts, so memory follows the conversations sent to lately. */
  prune?(now: number): void;
}

/** The outbox as the dispatcher uses it (OutboxStore in store/). */
export interface DispatchStore {
  due(now: Date, limit: number, from?: Date): Promise<Hint[]>;
  read(address: MessageAddress): Promise<{ message: StoredMessage; etag: string } | undefined>;
  settle(
    address: MessageAddress,
    etag: string,
    patch: {
      state: StoredMessage['state'];
      sentAt?: string;
      lastError?: string;
      attempts?: number;
    },
  ): Promise<boolean>;
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
  markDead(address: MessageAddress, at: string, reason: string): Promise<void>;
}

export interface Hint {
  rowKey: string;
  dueAt: string;
  address: MessageAddress;
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
  /** Connector calls under way at once. */
  concurrency?: number;
  /** Attempts before a message becomes a dead letter (412, 5xx, network). */
  maxAttempts?: number;
  /** 429s one message may meet before it is moved out of memory to a later time. */
  maxThrottles?: number;
  pageSize?: number;
  /** First back-off after a failure (ms); doubles with each attempt, with jitter. */
  backoffMs?: number;
}

interface Prepared {
  hint: Hint;
  etag: string;
  message: StoredMessage;
  target: Target;
  card: Card;
  throttles: number;
  retryAt: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/**
 * Sends what the outbox holds when it is due, within Teams' limits. Finds due messages through
 * their hints (never by reading every record), draws each at send time, and settles it: sent,
 * skipped (no longer wanted), gone (recipient blocked the bot: the composer may re-route), or
 * retried with back-off until it becomes a dead letter. A conversation that must wait (its
 * limits, or a 429 with Retry-After) waits alone; the others go on. Only one dispatcher runs at
 * a time (a lease, see app/background.ts); a message is marked sent after the connector
 * accepted it, so the only possible duplicate is one in flight when a process dies.
 */
export class Dispatcher {
  private readonly options: Required<DispatcherOptions>;
  private readonly composers: Map<string, Composer>;
  private readonly waiting = new Map<string, Prepared>();
  private inFlight = 0;
  /** Conversations with a send under way: one at a time each, so their windows stay exact. */
  private readonly busy = new Set<string>();
  /** Hints of settled messages, deleted together after each round (a left one is harmless). */
  private spent: string[] = [];
  /** Messages read ahead, several at a time from one partition, for this round's hints. */
  private readAhead = new Map<string, { message: StoredMessage; etag: string }>();
  private readonly sentAt: number[] = [];

  constructor(
    private readonly deps: {
      store: DispatchStore;
      notifier: Notifier;
      gate: RateGate;
      composers: Composer[];
      onSettled?: (settled: Settled) => void;
    },
    options: DispatcherOptions = {},
  ) {
    this.options = {
      concurrency: 8,
      maxAttempts: 5,
      maxThrottles: 10,
      pageSize: 200,
      backoffMs: 1000,
      ...options,
    };
    this.composers = new Map(deps.composers.map((c) => [c.type, c]));
  }

  /** Messages held in memory waiting for their conversation's turn. */
  get waitingCount(): number {
    return this.waiting.size;
  }

  /** For operators (`npm run outbox -- status`), kept on the lease row. */
  stats(): { inFlight: number; waiting: number; sentLastHour: number } {
    const hourAgo = Date.now() - 3_600_000;
    while (this.sentAt.length > 0 && this.sentAt[0] < hourAgo) this.sentAt.shift();
    return {
      inFlight: this.inFlight,
      waiting: this.waiting.size,
      sentLastHour: this.sentAt.length,
    };
  }

  /**
   * Sends everything due at `now` and returns when nothing due is left (or `stop` says so: the
   * lease was lost, or the process is shutting down). With `from`, only what is due from then
   * on (scheduler:tick --at later than now, while a running bot sends what is due now).
   * `now` is the business time (scheduler:tick --at moves it); rate limits use the real clock.
   */
  async drain(
    now: Date,
    stop: () => boolean = () => false,
    options: { from?: Date } = {},
  ): Promise<number> {
    let settled = 0;
    this.deps.gate.prune?.(Date.now());
    for (;;) {
      // Hints of messages waiting in memory come back too: ask for that many more.
      const page = this.options.pageSize + this.waiting.size;
      const fresh = (await this.deps.store.due(now, page, options.from)).filter(
        (h) => !this.waiting.has(h.rowKey),
      );
      await this.readAheadFor(fresh);
      settled += await this.pool(fresh, (hint) => this.take(hint, now));
      this.readAhead.clear();
      await this.deleteSpentHints();
      const ready = [...this.waiting.values()].filter((p) => p.retryAt <= Date.now());
      settled += await this.pool(ready, (p) => this.attempt(p, now));
      await this.deleteSpentHints();
      if (fresh.length === 0 && this.waiting.size === 0) return settled;
      if (stop()) return settled;
      if (fresh.length === 0 && ready.length === 0) {
        const next = Math.min(...[...this.waiting.values()].map((p) => p.retryAt));
        await sleep(Math.min(next - Date.now(), 1000));
      }
    }
  }

  private async pool<T>(items: T[], work: (item: T) => Promise<number>): Promise<number> {
    let index = 0;
    let total = 0;
    const worker = async () => {
      while (index < items.length) {
        const item = items[index++];
        try {
          const settled = await work(item);
          total += settled;
        } catch (err) {
          // A storage outage: the hint stays, the next pass tries again.
          log.warn({ err: (err as Error).message }, 'dispatch step failed');
        }
      }
    };
    await Promise.all(Array.from({ length: this.options.concurrency }, worker));
    return total;
  }

  /** Reads the messages of hints that share a partition with one query each. */
  private async readAheadFor(hints: Hint[]): Promise<void> {
    const { readMany } = this.deps.store;
    if (!readMany) return;
    const groups = new Map<string, Hint[]>();
    for (const h of hints) {
      const key = `${h.address.table}|${h.address.partition}`;
      groups.set(key, [...(groups.get(key) ?? []), h]);
    }
    await Promise.all(
      [...groups.values()]
        // A record's messages sit side by side; the outbox's own shards hold many more.
        .filter((group) => group.length > 1 && group[0].address.table !== 'Outbox')
        .map(async (group) => {
          const { table, partition } = group[0].address;
          try {
            const found = await readMany.call(
              this.deps.store,
              table,
              partition,
              group.map((h) => h.address.row),
            );
            for (const h of group) {
              const one = found.get(h.address.row);
              if (one) this.readAhead.set(h.rowKey, one);
            }
          } catch {
            // Read one by one instead.
          }
        }),
    );
  }

  private async deleteSpentHints(): Promise<void> {
    const spent = this.spent.splice(0);
    if (spent.length === 0) return;
    if (this.deps.store.deleteHints) await this.deps.store.deleteHints(spent);
    else await Promise.all(spent.map((rowKey) => this.deps.store.deleteHint(rowKey)));
  }

  /** Reads a hinted message and decides what to do with it; returns how many were settled. */
  private async take(hint: Hint, now: Date): Promise<number> {
    const { store } = this.deps;
    const found = this.readAhead.get(hint.rowKey) ?? (await store.read(hint.address));
    // No message (its transaction failed), already settled, or moved to another time: drop the hint.
    if (!found || found.message.state !== 'queued' || found.message.dueAt !== hint.dueAt) {
      this.spent.push(hint.rowKey);
      return 0;
    }
    const { message, etag } = found;
    const composer = this.composers.get(message.type);
    if (!composer)
      return this.settle(hint, etag, message, 'dead', `no composer for ${message.type}`);
    if (message.to.kind === 'job') {
      try {
        await composer.run?.(message, now);
        return this.settle(hint, etag, message, 'done');
      } catch (err) {
        return this.failed(now, hint, etag, message, (err as Error).message, true);
      }
    }
    const target = await this.deps.notifier.target(message);
    if (!target) {
      const settled = await this.settle(hint, etag, message, 'gone', 'not reachable in Teams');
      await composer.onGone?.(message, now);
      return settled;
    }
    const drawn = await this.deps.notifier.draw(message, composer, target, now);
    if ('skip' in drawn) return this.settle(hint, etag, message, 'skipped', drawn.skip);
    return this.attempt(
      { hint, etag, message, target, card: drawn.card, throttles: 0, retryAt: 0 },
      now,
    );
  }

  /** Sends a prepared message if its conversation may receive now; else it waits in memory. */
  private async attempt(p: Prepared, now: Date): Promise<number> {
    const conversation = p.target.conversationId;
    if (this.busy.has(conversation)) {
      this.waiting.set(p.hint.rowKey, { ...p, retryAt: Date.now() + 10 });
      return 0;
    }
    let admittedAt = Date.now();
    let gate = this.deps.gate.admit(conversation, admittedAt);
    // A wait of under a second (the tenant's rate, mostly) is waited here, keeping this worker
    // busy and the rate full; a longer one (a 429, a busy conversation) waits in memory.
    for (let waits = 0; !gate.ok && gate.retryAt - Date.now() <= 1500 && waits < 5; waits++) {
      await sleep(gate.retryAt - Date.now());
      if (this.busy.has(conversation)) break;
      admittedAt = Date.now();
      gate = this.deps.gate.admit(conversation, admittedAt);
    }
    if (!gate.ok) {
      this.waiting.set(p.hint.rowKey, { ...p, retryAt: gate.retryAt });
      return 0;
    }
    this.waiting.delete(p.hint.rowKey);
    this.inFlight++;
    this.busy.add(conversation);
    const outcome = await this.deps.notifier.send(p.message, p.target, p.card).finally(() => {
      this.inFlight--;
      this.busy.delete(conversation);
      this.deps.gate.answered?.(conversation, admittedAt, Date.now());
    });
    if (outcome.kind === 'sent') this.sentAt.push(Date.now());
    switch (outcome.kind) {
      case 'sent':
        return this.settle(p.hint, p.etag, p.message, 'sent');
      case 'gone': {
        const settled = await this.settle(
          p.hint,
          p.etag,
          p.message,
          'gone',
          `HTTP ${outcome.status}`,
        );
        await this.composers.get(p.message.type)?.onGone?.(p.message, now);
        return settled;
      }
      case 'throttled': {
        const wait = outcome.retryAfterMs ?? this.backoff(p.throttles + 1);
        this.deps.gate.pause(p.target.conversationId, Date.now() + wait);
        if (p.throttles + 1 >= this.options.maxThrottles)
          return this.failed(now, p.hint, p.etag, p.message, 'throttled (429) repeatedly', true);
        this.waiting.set(p.hint.rowKey, {
          ...p,
          throttles: p.throttles + 1,
          retryAt: Date.now() + wait,
        });
        return 0;
      }
      case 'failed':
        return this.failed(now, p.hint, p.etag, p.message, outcome.reason, outcome.retryable);
      default:
        return this.settle(p.hint, p.etag, p.message, 'skipped', outcome.kind);
    }
  }

  private async failed(
    now: Date,
    hint: Hint,
    etag: string,
    message: StoredMessage,
    reason: string,
    retryable: boolean,
  ): Promise<number> {
    const attempts = message.attempts + 1;
    if (!retryable || attempts >= this.options.maxAttempts)
      return this.settle(hint, etag, message, 'dead', reason, attempts);
    // Business time: under `scheduler:tick --at` a retry is due shortly after that moment.
    const later = new Date(now.getTime() + this.backoff(attempts));
    await this.deps.store.reschedule(hint, etag, later.toISOString(), {
      attempts,
      lastError: reason,
    });
    this.report(message, 'retry', reason);
    return 0;
  }

  private async settle(
    hint: Hint,
    etag: string,
    message: StoredMessage,
    outcome: 'sent' | 'skipped' | 'gone' | 'dead' | 'done',
    reason?: string,
    attempts?: number,
  ): Promise<number> {
    const at = new Date().toISOString();
    const state = outcome === 'done' ? 'sent' : outcome;
    const ok = await this.deps.store.settle(hint.address, etag, {
      state,
      sentAt: state === 'sent' ? at : undefined,
      lastError: reason,
      attempts,
    });
    // A newer decision of a 'latest' message moved it: its own hint sends the newer state.
    if (!ok) return 0;
    if (state === 'dead') await this.deps.store.markDead(hint.address, at, reason ?? '');
    this.spent.push(hint.rowKey);
    this.report(message, outcome, reason);
    return 1;
  }

  private report(message: StoredMessage, outcome: Settled['outcome'], detail?: string) {
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

  private backoff(attempt: number): number {
    const base = this.options.backoffMs * 2 ** (attempt - 1);
    return Math.min(base + Math.random() * base * 0.5, 10 * 60_000);
  }
}
