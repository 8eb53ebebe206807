import { log } from '../app/log';
import type { Message, Outbox } from '../messaging/outbox';
import { nextRun } from '../time/schedule';
import { osloDateOf, osloTime } from '../time/working-time';

/**
 * A moment at which something about a record should be looked at again: "not taken in two
 * working days", "72 hours since a possible breach". Stored keyed by when it is due, so a
 * tick reads only what is due. A timer only says "look again": its handler decides, from the
 * record as it is then, whether anything is to be sent.
 */
export interface Timer {
  kind: string;
  ref: string;
  /** Unique per record and kind, e.g. `remind-not-taken:<since>`. */
  name: string;
  dueAt: string;
}

export interface TimerStore {
  set(timers: Timer[]): Promise<void>;
  due(now: Date, limit: number): Promise<Timer[]>;
  remove(timer: Timer): Promise<void>;
}

/** A recurring job's next run, stored in UTC and guarded by its etag. */
export interface JobStore {
  read(name: string): Promise<{ nextRunAt: string; etag: string } | undefined>;
  /** False when another instance advanced it first. */
  advance(name: string, nextRunAt: string, etag?: string): Promise<boolean>;
}

/** What a feature does when one of its timers is due: messages to store, or its own change. */
export interface TimerHandler {
  kind: string;
  fire(timer: Timer, now: Date): Promise<Message[]>;
}

/** A recurring job: `cron` in Europe/Oslo (croner), e.g. the weekly digest `0 8 * * 1`. */
export interface Job {
  name: string;
  cron: string;
  run(scheduledAt: Date, now: Date): Promise<Message[]>;
}

/** One line per decision, for `scheduler:tick` and the logs (ids only). */
export interface Decision {
  source: string;
  type: string;
  key: string;
  recipient: string;
  outcome: 'decided' | 'already decided';
}

const recipientOf = (m: Message) =>
  m.to.kind === 'person'
    ? m.to.id
    : m.to.kind === 'channel'
      ? `${m.to.teamId}/${m.to.channelId}`
      : m.to.kind;

/**
 * One tick: runs the jobs whose time has come (once, however long the outage was) and fires
 * the timers that are due, storing what they decide in the outbox. Run twice for the same
 * moment it decides nothing new: fired timers are removed, jobs move on, and messages have
 * deterministic keys that the outbox stores once. Runs under the dispatcher's lease.
 */
export class Scheduler {
  private readonly handlers: Map<string, TimerHandler>;

  constructor(
    private readonly deps: {
      timers: TimerStore;
      jobs: JobStore;
      outbox: Outbox;
      handlers: TimerHandler[];
      recurring: Job[];
    },
  ) {
    this.handlers = new Map(deps.handlers.map((h) => [h.kind, h]));
  }

  async tick(now: Date): Promise<Decision[]> {
    const decisions: Decision[] = [];
    for (const job of this.deps.recurring) decisions.push(...(await this.runJob(job, now)));
    for (;;) {
      const due = await this.deps.timers.due(now, 200);
      if (due.length === 0) break;
      for (const timer of due) decisions.push(...(await this.fire(timer, now)));
      if (due.length < 200) break;
    }
    return decisions;
  }

  private async runJob(job: Job, now: Date): Promise<Decision[]> {
    const state = await this.deps.jobs.read(job.name);
    // First sight: the job's first run is the next one from the start of today (Oslo), so a
    // new installation (or a tick --at later today) does not wait a whole period.
    const nextRunAt =
      state?.nextRunAt ?? nextRun(job.cron, osloTime(osloDateOf(now), '00:00')).toISOString();
    if (nextRunAt > now.toISOString()) {
      if (!state) await this.deps.jobs.advance(job.name, nextRunAt);
      return [];
    }
    // Claim this run first: two instances (or a crash and a retry) never run it twice.
    if (
      !(await this.deps.jobs.advance(job.name, nextRun(job.cron, now).toISOString(), state?.etag))
    )
      return [];
    return this.store(`job:${job.name}`, await job.run(new Date(nextRunAt), now));
  }

  private async fire(timer: Timer, now: Date): Promise<Decision[]> {
    const handler = this.handlers.get(timer.kind);
    let decisions: Decision[] = [];
    try {
      if (handler)
        decisions = await this.store(`timer:${timer.name}`, await handler.fire(timer, now));
    } catch (err) {
      // It stays due: the next tick looks again.
      log.warn({ kind: timer.kind, ref: timer.ref, err: (err as Error).message }, 'timer failed');
      return [];
    }
    await this.deps.timers.remove(timer);
    return decisions;
  }

  private async store(source: string, messages: Message[]): Promise<Decision[]> {
    if (messages.length === 0) return [];
    const fresh = new Set(await this.deps.outbox.enqueue(messages));
    return messages.map((m) => ({
      source,
      type: m.type,
      key: m.key,
      recipient: recipientOf(m),
      outcome: fresh.has(m.key) ? 'decided' : 'already decided',
    }));
  }
}
