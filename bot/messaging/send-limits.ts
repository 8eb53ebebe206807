/**
 * When may the bot send to a conversation without Teams answering 429? Teams limits a bot per
 * conversation (7 / 1 s, 8 / 2 s, 60 / 30 s, 1800 / 1 h; creating a conversation counts as a
 * send) and per app per tenant (documented as 30 or 50 per second: a setting, default 30).
 *
 * Pure: no timers and no clock reads. Every method takes `now` in ms; the caller owns the clock.
 *
 * Why exact sliding windows and not token buckets: a bucket of capacity N refilling at N per W
 * lets a full bucket go at once (N) and then refills N more during the following W, so the
 * window of length W that starts with the burst holds nearly 2N sends, which Teams counts as
 * over the limit (one bucket per limit keeps that edge for every limit). Instead this keeps, per
 * conversation, the times of its admitted sends (only those younger than the longest window,
 * so at most that window's `count` of them) and one such log for the global limit, and admits a
 * send only if, for every limit, fewer than `count` sends lie in the `windowMs` before it.
 *
 * Window semantics: a send at time s counts in windows [t, t + windowMs) that contain s, i.e. it
 * stops counting at s + windowMs. The guarantee: in ANY such window no more than `count` sends
 * are admitted (a test checks this by brute force).
 *
 * Time only moves forward here: a `now` earlier than one seen before is treated as that later
 * time (a clock stepping back a little then delays sends instead of letting a burst through).
 *
 * When is a send counted? Teams counts a message when it arrives, somewhere between the moment
 * we let it go and the moment its answer is back. With `countUntilAnswered` (the dispatcher's
 * setting) a send let go and not yet answered counts in EVERY window (it may arrive at any
 * moment), and once `answered` it counts at its answer time, which is no earlier than its
 * arrival. Both are upper bounds of when Teams counted it, so the windows need no margin for
 * network time; without the option a send counts at the time it was admitted (`answered` then
 * moves it to its answer time).
 */
export interface Limit {
  /** At most this many sends ... */
  count: number;
  /** ... in any window of this many milliseconds. */
  windowMs: number;
}

export interface SendLimiterOptions {
  /** Limits per conversation; default Teams' 7/1 s, 8/2 s, 60/30 s, 1800/1 h. */
  perConversation?: Limit[];
  /** The limit for all conversations together (per app per tenant); default 30 per second. */
  global?: Limit;
  /**
   * Count an admitted send in every window until `answered` says when its answer came, then
   * at that time (see above). The caller must call `answered` for every admitted send.
   */
  countUntilAnswered?: boolean;
}

export type Admission = { ok: true } | { ok: false; retryAt: number };

export const TEAMS_PER_CONVERSATION_LIMITS: readonly Limit[] = Object.freeze([
  { count: 7, windowMs: 1000 },
  { count: 8, windowMs: 2000 },
  { count: 60, windowMs: 30000 },
  { count: 1800, windowMs: 3600000 },
]);

export const TEAMS_GLOBAL_LIMIT: Limit = Object.freeze({ count: 30, windowMs: 1000 });

/** Send times in ascending order, at most `cap` of them, and the sends not answered yet. */
class SendLog {
  private times: number[] = [];
  /** Sends let go and not answered yet (countUntilAnswered): they count in every window. */
  pending = 0;

  constructor(private readonly cap: number) {}

  get length(): number {
    return this.times.length + this.pending;
  }

  add(at: number): void {
    this.times.push(at);
    if (this.times.length > this.cap) this.times.splice(0, this.times.length - this.cap);
  }

  /** Moves one logged time to a later one (a send counted when it was let go, then answered). */
  restamp(from: number, to: number): void {
    const at = this.times.lastIndexOf(from);
    if (at === -1) return;
    this.times.splice(at, 1);
    this.times.splice(this.firstAfter(to), 0, to);
  }

  /** Drops the sends at or before `cutoff` (they count in no window that reaches past it). */
  trim(cutoff: number): void {
    const first = this.firstAfter(cutoff);
    if (first > 0) this.times.splice(0, first);
  }

  /**
   * The earliest time >= now at which a send would keep `limit`, assuming nothing is sent
   * meanwhile and every logged time is <= now.
   */
  earliest(limit: Limit, now: number): number {
    const stamped = this.times.length - this.firstAfter(now - limit.windowMs);
    const inWindow = stamped + this.pending;
    if (inWindow < limit.count) return now;
    // The window (T - windowMs, T] must hold at most count - 1 of them: the oldest
    // inWindow - count + 1 of those in the window have to have left it. A pending send never
    // leaves before it is answered: if those are needed, no time can be told yet.
    if (this.pending >= limit.count) return Infinity;
    const leaving = this.times[this.times.length + this.pending - limit.count];
    return leaving + limit.windowMs;
  }

  /** Index of the first time > t (binary search). */
  private firstAfter(t: number): number {
    let lo = 0;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.times[mid] <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

interface ConversationState {
  log: SendLog;
  /** Not admitted before this time (a 429 with Retry-After); 0 when not paused. */
  pausedUntil: number;
}

function checkLimit(limit: Limit, what: string): Limit {
  if (!Number.isInteger(limit.count) || limit.count < 1)
    throw new Error(`${what}: count must be an integer >= 1, got ${limit.count}`);
  if (!Number.isFinite(limit.windowMs) || limit.windowMs <= 0)
    throw new Error(`${what}: windowMs must be a positive number, got ${limit.windowMs}`);
  return { count: limit.count, windowMs: limit.windowMs };
}

export class SendLimiter {
  private readonly perConversation: Limit[];
  private readonly global: Limit;
  /** The longest per-conversation window: older sends count in no window. */
  private readonly horizonMs: number;
  /** Sends kept per conversation: within the longest window at most its count are admitted. */
  private readonly keep: number;
  private readonly conversations = new Map<string, ConversationState>();
  private readonly globalLog: SendLog;
  private readonly untilAnswered: boolean;
  private clock = -Infinity;

  constructor(options: SendLimiterOptions = {}) {
    const perConversation = options.perConversation ?? TEAMS_PER_CONVERSATION_LIMITS;
    if (perConversation.length === 0) throw new Error('perConversation: at least one limit');
    this.perConversation = perConversation.map((l, i) => checkLimit(l, `perConversation[${i}]`));
    this.global = checkLimit(options.global ?? TEAMS_GLOBAL_LIMIT, 'global');
    const longest = this.perConversation.reduce((a, b) => (b.windowMs > a.windowMs ? b : a));
    this.horizonMs = longest.windowMs;
    this.keep = longest.count;
    this.globalLog = new SendLog(this.global.count);
    this.untilAnswered = options.countUntilAnswered ?? false;
  }

  /**
   * May a message to `conversationId` go at `now`? If so the send is counted (the caller sends
   * it now); if not, `retryAt` is the earliest time it could be admitted, considering the
   * conversation's windows, its pause and the global limit, provided nothing else is sent
   * meanwhile. With `countUntilAnswered`, `retryAt` is Infinity when only an answer to a send
   * under way can make room (more sends under way than a limit's count).
   */
  admit(conversationId: string, now: number): Admission {
    const at = this.tick(now);
    const earliest = this.nextAllowedAt(conversationId, at);
    if (earliest > at) return { ok: false, retryAt: earliest };
    let state = this.conversations.get(conversationId);
    if (!state) {
      state = { log: new SendLog(this.keep), pausedUntil: 0 };
      this.conversations.set(conversationId, state);
    }
    if (this.untilAnswered) {
      state.log.pending += 1;
      this.globalLog.pending += 1;
    } else {
      state.log.add(at);
      this.globalLog.add(at);
    }
    return { ok: true };
  }

  /**
   * The earliest time (>= now) at which `admit(conversationId, ...)` would succeed if nothing
   * else is sent meanwhile. Counts nothing: for choosing which message to send next.
   */
  nextAllowedAt(conversationId: string, now: number): number {
    const at = this.tick(now);
    this.globalLog.trim(at - this.global.windowMs);
    let earliest = Math.max(at, this.globalLog.earliest(this.global, at));
    const state = this.conversations.get(conversationId);
    if (state) {
      state.log.trim(at - this.horizonMs);
      earliest = Math.max(earliest, state.pausedUntil);
      for (const limit of this.perConversation)
        earliest = Math.max(earliest, state.log.earliest(limit, at));
    }
    return earliest;
  }

  /**
   * The send admitted at `admittedAt` was answered at `answeredAt`: count it from then. Teams
   * counts a message when it arrives, which can be later than when we let it go; counting the
   * answer time (with one send at a time per conversation) keeps every window honest. A send
   * Teams refused (429) counts too: Teams does not say whether it does, and counting it keeps
   * the attempts, not only the deliveries, within the tenant's rate (no storm of retries).
   */
  answered(conversationId: string, admittedAt: number, answeredAt: number): void {
    const to = this.tick(answeredAt);
    const log = this.conversations.get(conversationId)?.log;
    if (!this.untilAnswered) {
      log?.restamp(admittedAt, to);
      this.globalLog.restamp(admittedAt, to);
      return;
    }
    // Times only move forward (tick), so the answer time goes at the end of each log.
    if (log && log.pending > 0) {
      log.pending -= 1;
      log.add(to);
    }
    if (this.globalLog.pending > 0) {
      this.globalLog.pending -= 1;
      this.globalLog.add(to);
    }
  }

  /**
   * Teams answered 429 with Retry-After for this conversation: admit nothing to it before
   * `untilMs`. Other conversations are unaffected. A shorter pause never shortens a longer one.
   */
  pause(conversationId: string, untilMs: number): void {
    let state = this.conversations.get(conversationId);
    if (!state) {
      state = { log: new SendLog(this.keep), pausedUntil: 0 };
      this.conversations.set(conversationId, state);
    }
    state.pausedUntil = Math.max(state.pausedUntil, untilMs);
  }

  /**
   * Forgets a conversation's log and pause (its sends still count for the global limit). A
   * conversation with a send under way is kept (its answer is still to be counted).
   */
  forget(conversationId: string): void {
    if ((this.conversations.get(conversationId)?.log.pending ?? 0) > 0) return;
    this.conversations.delete(conversationId);
  }

  /**
   * Drops the conversations that no longer constrain anything: no send within the longest
   * window and no pause beyond `now`. Call it now and then (e.g. once per dispatcher poll) to
   * keep memory bounded by the conversations active in the last hour.
   */
  prune(now: number): void {
    const at = this.tick(now);
    this.globalLog.trim(at - this.global.windowMs);
    for (const [id, state] of this.conversations) {
      state.log.trim(at - this.horizonMs);
      if (state.log.length === 0 && state.pausedUntil <= at) this.conversations.delete(id);
    }
  }

  /** How many conversations are tracked (for tests). */
  size(): number {
    return this.conversations.size;
  }

  private tick(now: number): number {
    if (!Number.isFinite(now)) throw new Error(`now must be a finite number of ms, got ${now}`);
    if (now > this.clock) this.clock = now;
    return this.clock;
  }
}
