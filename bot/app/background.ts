import type { Clock } from '../kernel/clock';
import type { Dispatcher } from '../messaging/dispatcher';
import type { TableLease } from '../store/lease';
import { log } from './log';

/** Work that runs on its own time in one instance at a time (the scheduler joins here). */
export interface Tick {
  tick(now: Date): Promise<unknown>;
}

/**
 * The instance's background loop: while it holds the lease it runs the scheduler's tick and
 * drains the outbox; otherwise it tries the lease again each poll. A new outbox row in this
 * process wakes it at once (`kick`), so a card action's messages leave within milliseconds
 * when this instance holds the lease, and within a poll when another one does.
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
    },
  ) {}

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
      await dispatcher.drain(clock.now(), () => this.stopped || !held);
    } finally {
      clearInterval(renew);
    }
  }
}
