import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A FAKE of Microsoft's Bot Connector service (the cloud side of Teams), for tests only: a
 * loopback HTTP server the bot sends its replies, proactive cards and card updates to, because
 * activities name it as their serviceUrl. It records every request and answers like the
 * connector does. It checks no tokens and keeps no conversations.
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
      const answer = (status: number, json: unknown, headers: Record<string, string> = {}) => {
        record.status = status;
        this.requests.push(record);
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(json));
        for (const listener of [...this.listeners]) listener();
      };

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
        record.newId = this.nextId('conv');
        answer(200, { id: record.newId, activityId: this.nextId('act') });
        return;
      }
      if (segments.length >= 4 && segments[3] === 'activities') {
        record.conversationId = segments[2];
        record.activityId = segments[4];
        if (method === 'POST' && segments.length <= 5) {
          record.newId = this.nextId('act');
          answer(200, { id: record.newId });
          return;
        }
        if (method === 'PUT' && segments.length === 5) {
          answer(200, { id: segments[4] });
          return;
        }
      }
    }
    answer(404, {
      error: { code: 'NotFound', message: `fake connector has no route ${method} ${path}` },
    });
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

  reset(): void {
    this.requests.length = 0;
    this.failures = [];
  }

  async close(): Promise<void> {
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
