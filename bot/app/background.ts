import diagnostics from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../kernel/clock';
import type { Dispatcher, DrainOptions } from '../messaging/dispatcher';
import type { TableLease } from '../store/lease';
import { log } from './log';

/**
 * Requests to the bot's messaging endpoint being handled in this process, seen through Node's
 * HTTP diagnostics channel (no change to the server needed, and requests to other servers in
 * the process, such as a test's fake connector, do not count). The background work yields to
 * them: a user waits for an invoke answer, a handler card can wait a moment.
 */
export class ForegroundRequests {
  private active = 0;
  private lastEnded = -Infinity;
  private waiters: (() => void)[] = [];
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly path = '/api/messages',
    /**
     * How long after the last request the process counts as quiet. Not less: the next request
     * of a busy client is often a few milliseconds behind the answer to the last, longer when
     * background work holds the event loop, and a gap that short let background work start
     * in a burst that delayed the requests behind it.
     */
    private readonly quietMs = 10,
    /** How long after the last request background work stays narrow (two at a time). */
    private readonly recentMs = 250,
  ) {
    diagnostics.subscribe('http.server.request.start', (message) => this.started(message));
  }

  private started(message: unknown): void {
    const { request, response } = message as {
      request?: IncomingMessage;
      response?: ServerResponse;
    };
    if (!request?.url?.startsWith(this.path) || !response) return;
    this.active += 1;
    let ended = false;
    // 'close' follows 'finish', and also comes when the client went away.
    response.once('close', () => {
      if (ended) return;
      ended = true;
      this.active -= 1;
      this.lastEnded = Date.now();
      if (this.active === 0) this.armQuiet();
    });
  }

  /** True when no request is being handled and none ended within the last `quietMs`. */
  quiet(now = Date.now()): boolean {
    return this.active === 0 && now - this.lastEnded >= this.quietMs;
  }

  /** True while a request is being handled or one ended within the last `recentMs`. */
  recent(now = Date.now()): boolean {
    return this.active > 0 || now - this.lastEnded < this.recentMs;
  }

  /** Resolves when quiet(), or after `maxMs`, whichever comes first. */
  whenQuiet(maxMs: number): Promise<void> {
    if (this.quiet() || maxMs <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        clearTimeout(cap);
        resolve();
      };
      const cap = setTimeout(finish, maxMs);
      this.waiters.push(finish);
      if (this.active === 0) this.armQuiet();
    });
  }

  private armQuiet(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        if (!this.quiet()) return;
        for (const waiter of this.waiters.splice(0)) waiter();
      },
      Math.max(0, this.lastEnded + this.quietMs - Date.now()),
    );
  }
}

/** Where the process keeps its tracker: on the channel it listens to (see below). */
const PROCESS_FOREGROUND = Symbol.for('internkontroll.foregroundRequests');

/**
 * The one tracker of this process. A diagnostics channel subscription is process-wide, while
 * this module, and even the global object, may exist more than once in a process (a test runner
 * gives each file its own): so the tracker hangs on the channel object itself, which Node keeps
 * once per process. A tracker per load would add a listener to every response per load.
 */
export function foregroundRequests(): ForegroundRequests {
  const anchor = diagnostics.channel('http.server.request.start') as unknown as Record<
    symbol,
    ForegroundRequests | undefined
  >;
  anchor[PROCESS_FOREGROUND] ??= new ForegroundRequests();
  return anchor[PROCESS_FOREGROUND];
}

/** Work that runs on its own time in one instance at a time (the scheduler joins here). */
export interface Tick {
  tick(now: Date): Promise<unknown>;
}

/**
 * The instance's background loop: while it holds the lease it runs the scheduler's tick and
 * drains the outbox; otherwise it tries the lease again each poll. A new outbox row in this
 * process wakes it at once (`kick`), so a card action's messages leave within milliseconds
 * when this instance holds the lease, and within a poll when another one does.
 *
 * It gives way to the requests this process is handling (ForegroundRequests): before each new
 * piece of work the drain waits until no request has been under way for 10 milliseconds,
 * but a round waits so for at most `yieldMs` in all (1 s by default); after that it works
 * regardless until the round ends, two at a time while requests go on, so a busy bot delays
 * its messages by about a second and never starves them.
 */
export class BackgroundWork {
  private running?: Promise<void>;
  private stopped = false;
  private wake?: () => void;
  private kicked = false;
  /** When the lease was last taken or renewed, and when the scheduler last ticked (ms). */
  private heldSince = 0;
  private tickedAt = 0;
  /** Callers of round() waiting for a round that starts after they asked. */
  private waiters: { resolve: () => void }[] = [];

  constructor(
    private readonly deps: {
      lease: TableLease;
      dispatcher: Dispatcher;
      clock: Clock;
      ticks?: Tick[];
      pollMs?: number;
      /** How often the scheduler ticks (its timers are due by the minute, not the millisecond). */
      tickEveryMs?: number;
      /** Requests to yield to (default: this process's messaging endpoint); null: none. */
      foreground?: ForegroundRequests | null;
      /** Most a round waits for requests in all before it works regardless (ms). */
      yieldMs?: number;
    },
  ) {}

  /**
   * How one round's drain gives way to requests: `pace` is undefined while the process is quiet
   * (or the round's wait is used up), else a promise that resolves when it is quiet or the
   * wait is used up; `busy` then tells the drain to work two at a time while requests go on or
   * have just gone on: a gap between requests is used, not filled with a burst.
   */
  private yieldingFor(): Pick<DrainOptions, 'pace' | 'busy'> {
    const foreground =
      this.deps.foreground === undefined ? foregroundRequests() : this.deps.foreground;
    if (!foreground) return {};
    let budget = this.deps.yieldMs ?? 1000;
    return {
      pace: () => {
        if (budget <= 0 || this.stopped || foreground.quiet()) return undefined;
        const started = Date.now();
        return foreground.whenQuiet(budget).then(() => {
          budget -= Date.now() - started;
        });
      },
      busy: () => !this.stopped && foreground.recent(),
    };
  }

  start(): void {
    this.running ??= this.loop();
  }

  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  /** Resolves after a whole round (scheduler tick and drain) that started after this call. */
  round(): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push({ resolve });
      this.kick();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
    for (const waiter of this.waiters.splice(0)) waiter.resolve();
    await this.deps.lease.release().catch(() => undefined);
  }

  private async loop(): Promise<void> {
    const pollMs = this.deps.pollMs ?? 1000;
    while (!this.stopped) {
      this.kicked = false;
      const started = this.waiters.splice(0);
      try {
        if (await this.holdLease()) await this.work(started.length > 0);
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'background work failed; trying again');
      }
      for (const waiter of started) waiter.resolve();
      if (this.stopped) break;
      if (!this.kicked)
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollMs);
          this.wake = () => (clearTimeout(timer), resolve());
        });
      this.wake = undefined;
    }
  }

  /** Takes the lease, or renews it when a third of its time has passed: not a write every poll. */
  private async holdLease(): Promise<boolean> {
    const { lease } = this.deps;
    if (Date.now() - this.heldSince < lease.ttlMs / 3) return true;
    const held = await lease.acquire(Date.now(), this.deps.dispatcher.stats());
    this.heldSince = held ? Date.now() : 0;
    return held;
  }

  /** One round under the lease, renewing it while the outbox drains. */
  private async work(asked: boolean): Promise<void> {
    const { lease, dispatcher, clock } = this.deps;
    if (asked || Date.now() - this.tickedAt >= (this.deps.tickEveryMs ?? 15_000)) {
      this.tickedAt = Date.now();
      for (const job of this.deps.ticks ?? []) await job.tick(clock.now());
    }
    let held = true;
    const renew = setInterval(() => {
      lease.acquire(Date.now(), dispatcher.stats()).then(
        (ok) => ((held = ok), (this.heldSince = ok ? Date.now() : 0)),
        () => ((held = false), (this.heldSince = 0)),
      );
    }, lease.ttlMs / 3);
    try {
      await dispatcher.drain(clock.now(), () => this.stopped || !held, this.yieldingFor());
    } finally {
      clearInterval(renew);
    }
  }
}
