import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Limit } from '../../bot/messaging/send-limits';

/**
 * A FAKE of Microsoft's Bot Connector service (the cloud side of Teams), for tests only: a
 * loopback HTTP server the bot sends its replies, proactive cards and card updates to, because
 * activities name it as their serviceUrl. It records every request and answers like the
 * connector does. It checks no tokens and keeps no conversations.
 *
 * Opt-in modes, all off by default (then it answers every known route with 200):
 * `enforceTeamsLimits` (429 with Retry-After for a send over Teams' rate limits),
 * `throttleShare` (429 for a random share of sends), `goneFor` (403 for a conversation) and
 * `slowAll` (every answer late). `clearModes()` or `reset()` turns them off again. `down()`
 * and `up()` take the whole connector away and bring it back (fault tests).
 */
export interface ConnectorRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: any;
  /** What the fake answered. */
  status: number;
  /** Set for activity routes. */
  conversationId?: string;
  activityId?: string;
  /** The id the fake gave a posted activity or a new conversation. */
  newId?: string;
}

export interface PostedActivity {
  conversationId: string;
  replyToId?: string;
  /** The id the fake connector gave it: what Teams would send back as replyToId of a card action. */
  id: string;
  activity: any;
}

export interface UpdatedActivity {
  conversationId: string;
  activityId: string;
  activity: any;
}

interface Failure {
  remaining: number;
  status: number;
  retryAfterSeconds?: number;
  match?: (method: string, path: string) => boolean;
}

const ADAPTIVE = 'application/vnd.microsoft.card.adaptive';

/**
 * Teams' documented limits, written out here on their own (not taken from the bot's
 * SendLimiter), so that a mistake in the bot's limiter is not repeated by the fake that checks it.
 */
const TEAMS_PER_CONVERSATION: Limit[] = [
  { count: 7, windowMs: 1000 },
  { count: 8, windowMs: 2000 },
  { count: 60, windowMs: 30000 },
  { count: 1800, windowMs: 3600000 },
];
const TEAMS_GLOBAL: Limit = { count: 30, windowMs: 1000 };

export interface TeamsLimitOptions {
  /** Per conversation; default 7/1 s, 8/2 s, 60/30 s, 1800/1 h. */
  perConversation?: Limit[];
  /** All conversations together (per app per tenant); default 30/1 s. */
  global?: Limit;
  /**
   * Leniency for network jitter: a request is refused only if it is over a limit in a window
   * shortened by this many ms. Default 0 (exact windows).
   */
  slackMs?: number;
}

/** The most of `sorted` (ascending) in any window [t, t + windowMs). */
function mostInWindow(sorted: number[], windowMs: number): number {
  let most = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    while (sorted[hi] - sorted[lo] >= windowMs) lo++;
    most = Math.max(most, hi - lo + 1);
  }
  return most;
}

/**
 * When a send at `now` would put more than `limit.count` of `sorted` (ascending, all <= now) in a
 * window of `windowMs`: the earliest time it would fit. Undefined when it fits now.
 */
function overLimitUntil(sorted: number[], limit: Limit, windowMs: number, now: number) {
  let inWindow = 0;
  for (let i = sorted.length - 1; i >= 0 && sorted[i] > now - windowMs; i--) inWindow++;
  if (inWindow < limit.count) return undefined;
  return sorted[sorted.length - limit.count] + windowMs;
}

export class FakeConnector {
  readonly requests: ConnectorRequest[] = [];
  private failures: Failure[] = [];
  private delays: {
    remaining: number;
    ms: number;
    match?: (method: string, path: string) => boolean;
  }[] = [];
  /** Requests received and not yet answered (held by delayNext). */
  held = 0;
  private counter = 0;
  private listeners = new Set<() => void>();
  /** Opt-in modes (off by default). */
  private limits?: { perConversation: Limit[]; global: Limit; slackMs: number };
  private throttle?: { share: number; retryAfterSeconds?: number };
  private gone: ((conversationId: string) => boolean)[] = [];
  private slowMs = 0;
  private slowTimers = new Set<NodeJS.Timeout>();
  /** down('unavailable'): every request is answered 503 until up(). */
  private unavailable = false;
  /** down('refused'): the port is closed until up(). */
  private refusing = false;
  /** Requests refused with 429 for being over a limit (enforceTeamsLimits). */
  private violations = 0;
  /** Times (ms, monotonic) of the sends answered 200, per conversation and all together. */
  private sendTimes = new Map<string, number[]>();
  private allSendTimes: number[] = [];

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeConnector> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    // Teams hands out serviceUrls with a trailing slash (https://smba.trafficmanager.net/emea/).
    const connector = new FakeConnector(server, `http://127.0.0.1:${port}/`);
    server.on('request', (req, res) => connector.handle(req, res));
    return connector;
  }

  private nextId(kind: string): string {
    this.counter += 1;
    return `${kind}-${this.counter}-${crypto.randomBytes(3).toString('hex')}`;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: any = raw;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        /* keep the raw text */
      }
      const method = req.method ?? 'GET';
      const path = (req.url ?? '/').split('?')[0].replace(/\/{2,}/g, '/');
      const record: ConnectorRequest = { method, path, headers: req.headers, body, status: 200 };
      const write = (status: number, json: unknown, headers: Record<string, string>) => {
        record.status = status;
        this.requests.push(record);
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(json));
        for (const listener of [...this.listeners]) listener();
      };
      const answer = (status: number, json: unknown, headers: Record<string, string> = {}) => {
        if (this.slowMs <= 0) {
          write(status, json, headers);
          return;
        }
        // slowAll: decided now (and counted for the limits now), answered late.
        this.held += 1;
        const timer = setTimeout(() => {
          this.slowTimers.delete(timer);
          this.held -= 1;
          write(status, json, headers);
        }, this.slowMs);
        this.slowTimers.add(timer);
      };

      if (this.unavailable) {
        write(
          503,
          { error: { code: 'ServiceUnavailable', message: 'fake connector is down' } },
          {},
        );
        return;
      }
      const delay = this.delays.find((d) => d.remaining > 0 && (!d.match || d.match(method, path)));
      if (delay) {
        delay.remaining -= 1;
        this.held += 1;
        setTimeout(() => {
          this.held -= 1;
          this.respond(method, path, record, answer);
        }, delay.ms);
        return;
      }
      this.respond(method, path, record, answer);
    });
  }

  private respond(
    method: string,
    path: string,
    record: ConnectorRequest,
    answer: (status: number, json: unknown, headers?: Record<string, string>) => void,
  ): void {
    const failure = this.failures.find(
      (f) => f.remaining > 0 && (!f.match || f.match(method, path)),
    );
    if (failure) {
      failure.remaining -= 1;
      const headers: Record<string, string> =
        failure.retryAfterSeconds !== undefined
          ? { 'retry-after': String(failure.retryAfterSeconds) }
          : {};
      const code =
        failure.status === 429
          ? 'Throttled'
          : failure.status === 403
            ? 'BotDisabledByAdmin'
            : 'ServiceError';
      answer(
        failure.status,
        { error: { code, message: `fake connector failure ${failure.status}` } },
        headers,
      );
      return;
    }

    const segments = path
      .split('/')
      .filter(Boolean)
      .map((s) => decodeURIComponent(s));
    // segments: v3, conversations, {id}, activities, {activityId}
    if (segments[0] === 'v3' && segments[1] === 'conversations') {
      if (segments.length === 2 && method === 'POST') {
        // Creating a conversation counts as a send in the new conversation (global limit only).
        if (this.refusedOverLimit(undefined, answer)) return;
        record.newId = this.nextId('conv');
        this.countSend(record.newId);
        answer(200, { id: record.newId, activityId: this.nextId('act') });
        return;
      }
      if (segments.length >= 4 && segments[3] === 'activities') {
        record.conversationId = segments[2];
        record.activityId = segments[4];
        const isSend = method === 'POST' && segments.length <= 5;
        const isUpdate = method === 'PUT' && segments.length === 5;
        if ((isSend || isUpdate) && this.refusedByModes(record.conversationId, answer)) return;
        if (isSend) {
          record.newId = this.nextId('act');
          this.countSend(record.conversationId);
          answer(200, { id: record.newId });
          return;
        }
        if (isUpdate) {
          this.countSend(record.conversationId);
          answer(200, { id: segments[4] });
          return;
        }
      }
    }
    answer(404, {
      error: { code: 'NotFound', message: `fake connector has no route ${method} ${path}` },
    });
  }

  /** goneFor (403), then enforceTeamsLimits (429), then throttleShare (429); false if none refuses. */
  private refusedByModes(
    conversationId: string,
    answer: (status: number, json: unknown, headers?: Record<string, string>) => void,
  ): boolean {
    if (this.gone.some((matches) => matches(conversationId))) {
      answer(403, {
        error: {
          code: 'ConversationBlockedByUser',
          message: 'fake connector: user blocked the conversation with the bot',
        },
      });
      return true;
    }
    if (this.refusedOverLimit(conversationId, answer)) return true;
    if (this.throttle && Math.random() < this.throttle.share) {
      const { retryAfterSeconds } = this.throttle;
      answer(
        429,
        { error: { code: 'Throttled', message: 'fake connector: throttled (throttleShare)' } },
        retryAfterSeconds !== undefined ? { 'retry-after': String(retryAfterSeconds) } : {},
      );
      return true;
    }
    return false;
  }

  /** enforceTeamsLimits: answers 429 with Retry-After if a send now would go over a limit. */
  private refusedOverLimit(
    conversationId: string | undefined,
    answer: (status: number, json: unknown, headers?: Record<string, string>) => void,
  ): boolean {
    if (!this.limits) return false;
    const now = performance.now();
    const { perConversation, global, slackMs } = this.limits;
    const window = (limit: Limit) => Math.max(1, limit.windowMs - slackMs);
    const own = conversationId !== undefined ? (this.sendTimes.get(conversationId) ?? []) : [];
    let until: number | undefined;
    for (const limit of perConversation) {
      const t = overLimitUntil(own, limit, window(limit), now);
      if (t !== undefined) until = Math.max(until ?? t, t);
    }
    const t = overLimitUntil(this.allSendTimes, global, window(global), now);
    if (t !== undefined) until = Math.max(until ?? t, t);
    if (until === undefined) return false;
    this.violations += 1;
    const seconds = Math.max(1, Math.ceil((until - now) / 1000));
    answer(
      429,
      {
        error: {
          code: 'Throttled',
          message: `fake connector: over the Teams rate limit for ${conversationId ?? 'the app'}`,
        },
      },
      { 'retry-after': String(seconds) },
    );
    return true;
  }

  private countSend(conversationId: string): void {
    const now = performance.now();
    let times = this.sendTimes.get(conversationId);
    if (!times) {
      times = [];
      this.sendTimes.set(conversationId, times);
    }
    times.push(now);
    this.allSendTimes.push(now);
  }

  /**
   * From now on, answer 429 with `Retry-After` (whole seconds, >= 1) to a send, update or new
   * conversation that would put more than a limit's `count` accepted sends in any window of its
   * length (per conversation, and for all together). Refused requests are recorded with status
   * 429 and count neither as delivered nor in the windows. Counting starts afresh.
   */
  enforceTeamsLimits(options: TeamsLimitOptions = {}): void {
    this.limits = {
      perConversation: (options.perConversation ?? TEAMS_PER_CONVERSATION).map((l) => ({ ...l })),
      global: { ...(options.global ?? TEAMS_GLOBAL) },
      slackMs: options.slackMs ?? 0,
    };
    this.violations = 0;
    this.sendTimes.clear();
    this.allSendTimes = [];
  }

  /** How many requests enforceTeamsLimits refused for being over a limit. */
  limitViolations(): number {
    return this.violations;
  }

  /**
   * The most accepted (200) sends and updates to any one conversation within any window of
   * `windowMs` (since start, reset or enforceTeamsLimits), whether or not limits are enforced.
   */
  maxInWindow(windowMs: number): number {
    let most = 0;
    for (const times of this.sendTimes.values())
      most = Math.max(most, mostInWindow(times, windowMs));
    return most;
  }

  /** The same over all conversations together (the global limit). */
  maxGlobalInWindow(windowMs: number): number {
    return mostInWindow(this.allSendTimes, windowMs);
  }

  /**
   * Answer 429 to a random `share` (0..1) of activity sends and updates, with
   * `Retry-After: retryAfterSeconds` when given. `throttleShare(0)` turns it off.
   */
  throttleShare(share: number, retryAfterSeconds?: number): void {
    if (!(share >= 0 && share <= 1))
      throw new Error(`throttleShare: share must be 0..1, got ${share}`);
    this.throttle = share > 0 ? { share, retryAfterSeconds } : undefined;
  }

  /** Answer 403 to sends and updates in this conversation (or those the predicate accepts). */
  goneFor(conversation: string | ((conversationId: string) => boolean)): void {
    this.gone.push(typeof conversation === 'string' ? (id) => id === conversation : conversation);
  }

  /** Delay every answer by `ms` (decided on arrival, answered late); 0 turns it off. */
  slowAll(ms: number): void {
    this.slowMs = Math.max(0, ms);
  }

  /** Turns the opt-in modes off (limits, throttleShare, goneFor, slowAll); keeps the records. */
  clearModes(): void {
    this.limits = undefined;
    this.throttle = undefined;
    this.gone = [];
    this.slowMs = 0;
  }

  /** Activities the bot posted (replies and proactive messages), oldest first. */
  sent(): PostedActivity[] {
    return this.requests
      .filter((r) => r.method === 'POST' && r.status === 200 && r.conversationId && r.newId)
      .map((r) => ({
        conversationId: r.conversationId!,
        replyToId: r.activityId,
        id: r.newId!,
        activity: r.body,
      }));
  }

  /** Activities the bot replaced (PUT), oldest first. */
  updates(): UpdatedActivity[] {
    return this.requests
      .filter((r) => r.method === 'PUT' && r.status === 200 && r.conversationId && r.activityId)
      .map((r) => ({
        conversationId: r.conversationId!,
        activityId: r.activityId!,
        activity: r.body,
      }));
  }

  /** Adaptive Cards posted in a conversation, with the activity id each got. */
  cardsIn(conversationId: string): { id: string; card: any }[] {
    return this.sent()
      .filter((a) => a.conversationId === conversationId)
      .flatMap((a) => adaptiveCardsOf(a.activity).map((card) => ({ id: a.id, card })));
  }

  /** Plain texts posted in a conversation. */
  textsIn(conversationId: string): string[] {
    return this.sent()
      .filter((a) => a.conversationId === conversationId && typeof a.activity?.text === 'string')
      .map((a) => a.activity.text as string);
  }

  /** Resolves with the first truthy value of `predicate`, re-checked after every request; rejects after timeoutMs. */
  waitFor<T>(predicate: () => T | undefined | false | null, timeoutMs = 5000): Promise<T> {
    const first = predicate();
    if (first) return Promise.resolve(first);
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        const value = predicate();
        if (value) {
          done();
          resolve(value);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(
            `fake connector: condition not met within ${timeoutMs} ms (${this.requests.length} requests recorded)`,
          ),
        );
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
    });
  }

  /**
   * The next `count` requests (optionally only those `match` accepts) fail with `status`, e.g.
   * 429 with Retry-After: 0 (throttled, retry) or 403 (the user blocked the bot).
   */
  failNext(
    count: number,
    status: number,
    options: { retryAfterSeconds?: number; match?: (method: string, path: string) => boolean } = {},
  ): void {
    this.failures.push({ remaining: count, status, ...options });
  }

  /** Holds the answer to the next `count` matching requests for `ms` (a slow Bot Connector). */
  delayNext(count: number, ms: number, match?: (method: string, path: string) => boolean): void {
    this.delays.push({ remaining: count, ms, match });
  }

  /**
   * The connector goes away until up(): 'unavailable' answers 503 to every request (recorded
   * with that status), 'refused' closes the port and drops open connections, so the bot's
   * requests fail to connect (nothing is recorded).
   */
  async down(mode: 'unavailable' | 'refused'): Promise<void> {
    if (mode === 'unavailable') {
      this.unavailable = true;
      return;
    }
    if (this.refusing) return;
    this.refusing = true;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** The connector is back, on the same address. */
  async up(): Promise<void> {
    this.unavailable = false;
    if (!this.refusing) return;
    const { port } = new URL(this.url);
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(Number(port), '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.refusing = false;
  }

  /** Forgets the requests and pending failures; also turns the opt-in modes off and their counts. */
  reset(): void {
    this.requests.length = 0;
    this.failures = [];
    this.clearModes();
    this.violations = 0;
    this.sendTimes.clear();
    this.allSendTimes = [];
  }

  async close(): Promise<void> {
    for (const timer of this.slowTimers) clearTimeout(timer);
    this.slowTimers.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

/** The Adaptive Card contents attached to an activity. */
export function adaptiveCardsOf(activity: any): any[] {
  return ((activity?.attachments ?? []) as any[])
    .filter((a) => a?.contentType === ADAPTIVE)
    .map((a) => a.content);
}
