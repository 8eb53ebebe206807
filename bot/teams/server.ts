import restify from 'restify';
import type { Application, TeamsAdapter, TurnState } from '@microsoft/teams-ai';
import type { TurnContext } from 'botbuilder';
import crypto from 'node:crypto';
import { log, logScope } from '../app/log';
import { checkEnvelope } from './envelope';
import { refuseOutsideTenant, tenantRefusal } from './tenant-boundary';
import { assumePersonalWhenUnset } from './turn';

/**
 * HTTP: POST /api/messages (Bot Framework protocol), GET /healthz (liveness, with the store's
 * state), GET /readyz (503 until the store answers). Bad input is a 4xx before the SDK sees it.
 */
export interface ServerOptions {
  adapter: TeamsAdapter;
  app: Application<TurnState>;
  authEnabled: boolean;
  /** The tenants served (lower case); undefined: no tenant boundary (local development). */
  allowedTenants?: readonly string[];
  /** An unauthenticated local bot: takes the Agents Playground's personal chats as personal. */
  playgroundActivities?: boolean;
  maxBodyBytes: number;
  storeReady: () => Promise<boolean>;
  /** GET /calendar/<secret>.ics: the årshjul's calendar feeds (bot/arshjul/calendar-route.ts). */
  calendar?: FileRoute;
  /** GET /fullmakter/<claim>/<file>: "eksporter fullmakter" (delegations/delegation-export.ts). */
  delegationExport?: FileRoute;
}

/** A GET of one file named by its path parameters, answered without any HTTP framework. */
export type FileRoute = (
  file: string,
) => Promise<{ status: number; headers: Record<string, string>; body: string }>;

export interface RunningServer {
  url: string;
  /** The address the server is bound to, e.g. 127.0.0.1 or 0.0.0.0. */
  host: string;
  port: number;
  /** Stops taking requests, lets in-flight turns finish (up to timeoutMs), then closes. */
  close(timeoutMs?: number): Promise<void>;
}

/** Collects what the SDK wants to answer, so the route can vet it before it is sent. */
class BufferedResponse {
  code = 200;
  body: unknown = undefined;
  status(code: number) {
    this.code = code;
    return this;
  }
  send(body: unknown) {
    this.body = body;
    return this;
  }
  header() {
    return this;
  }
  end() {
    return this;
  }
}

/** Counts requests being handled, so shutdown can wait until the last one is answered. */
class InFlight {
  private count = 0;
  private waiting: (() => void)[] = [];

  async around<T>(work: () => Promise<T>): Promise<T> {
    this.count++;
    try {
      return await work();
    } finally {
      this.count--;
      if (this.count === 0) this.waiting.splice(0).forEach((resolve) => resolve());
    }
  }

  idle(): Promise<void> {
    return this.count === 0
      ? Promise.resolve()
      : new Promise((resolve) => this.waiting.push(resolve));
  }
}

export interface HttpServer {
  server: restify.Server;
  inFlight: InFlight;
}

/**
 * Before body parsing: restify's body reader inflates a gzip body with no error listener (a
 * body that is not gzip crashes the process) and counts the compressed bytes against the
 * body limit (a gzip bomb gets through). Teams never compresses what it sends to a bot, and
 * restify refuses every other encoding (identity too): any Content-Encoding is refused here.
 */
function refuseEncodedBodies(req: restify.Request, res: restify.Response, next: restify.Next) {
  if (req.headers['content-encoding'] === undefined) return next();
  res.send(415, { error: 'content encoding not supported: send the body uncompressed' });
  return next(false);
}

export function createServer(options: ServerOptions): HttpServer {
  const server = restify.createServer({ name: 'internkontroll', handleUncaughtExceptions: false });
  server.pre(refuseEncodedBodies);
  server.use(
    restify.plugins.bodyParser({
      maxBodySize: options.maxBodyBytes,
      mapParams: false,
      mapFiles: false,
    }),
  );
  const inFlight = new InFlight();

  // The tenant boundary comes first: teams-ai reads user state as soon as app.run starts.
  const serveTurn = async (context: TurnContext): Promise<void> => {
    if (options.allowedTenants) {
      const refusal = tenantRefusal(context.activity, options.allowedTenants);
      if (refusal) return refuseOutsideTenant(context, refusal);
    }
    if (options.playgroundActivities) assumePersonalWhenUnset(context.activity);
    await options.app.run(context);
  };

  server.post('/api/messages', async (req, res) => {
    const authorization = req.header('authorization') ?? '';
    if (options.authEnabled && !/^Bearer\s+\S+/i.test(authorization)) {
      res.send(401, { error: 'missing bearer token' });
      return;
    }
    const envelope = checkEnvelope(req.body);
    if (!envelope.ok) {
      res.send(400, { error: envelope.reason });
      return;
    }
    const activityId = (req.body as { id?: unknown }).id;
    const correlationId =
      typeof activityId === 'string' && activityId ? activityId : crypto.randomUUID();
    await inFlight.around(() =>
      logScope.run({ correlationId }, async () => {
        const started = Date.now();
        // The SDK answers with err.message in the body on any failure; we decide what goes out.
        const answer = new BufferedResponse();
        let reachedBot = false;
        try {
          await options.adapter.process(req, answer as never, (context) => {
            reachedBot = true;
            return serveTurn(context);
          });
        } catch (err) {
          answer.status(500);
          log.error({ err: (err as Error).message }, 'request failed');
        }
        if (answer.code === 401 || (options.authEnabled && !reachedBot && answer.code >= 500)) {
          // A token we could not validate: refused as unauthorised, whatever the reason inside.
          log.warn({ sdkStatus: answer.code }, 'request refused: token not valid');
          res.send(401, { error: 'unauthorized' });
        } else if (answer.code >= 500) {
          res.send(answer.code, { error: 'internal error' });
        } else {
          res.send(answer.code, answer.body);
        }
        const activityType = (req.body as { type?: string }).type;
        log.debug({ activityType, ms: Date.now() - started, status: res.statusCode }, 'activity');
      }),
    );
  });

  // Probes answer within a second even when the store hangs (its client retries for longer).
  const storeReady = () =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 1000);
      options.storeReady().then(
        (ok) => (clearTimeout(timer), resolve(ok)),
        () => (clearTimeout(timer), resolve(false)),
      );
    });
  server.get('/healthz', async (_req, res) => {
    res.send(200, { status: 'ok', store: (await storeReady()) ? 'ok' : 'unavailable' });
  });
  /** The path's parameters, joined by '/', are the route's file (a segment holds ≤ 100 chars). */
  const serveFiles = (path: string, route: FileRoute | undefined) =>
    route &&
    server.get(path, async (req, res) => {
      // The secret is in the path: the request log never shows it (log.ts logs no URLs).
      const file = Object.values(req.params ?? {})
        .map(String)
        .join('/');
      const answer = await route(file).catch(() => ({
        status: 503,
        headers: { 'Content-Type': 'text/plain; charset=utf-8' },
        body: 'unavailable',
      }));
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
    });
  serveFiles('/calendar/:file', options.calendar);
  serveFiles('/fullmakter/:claim/:file', options.delegationExport);
  server.get('/readyz', async (_req, res) => {
    const ready = await storeReady();
    res.send(ready ? 200 : 503, { status: ready ? 'ready' : 'store unavailable' });
  });
  return { server, inFlight };
}

export async function listen(
  { server, inFlight }: HttpServer,
  port: number,
  host: string,
): Promise<RunningServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const { port: actualPort, address } = server.address();
  return {
    url: `http://${address === '::1' ? '[::1]' : '127.0.0.1'}:${actualPort}`,
    host: address,
    port: actualPort,
    async close(timeoutMs = 10000) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([inFlight.idle(), new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
      clearTimeout(timer);
      server.server.closeAllConnections?.();
      await closed;
    },
  };
}
