import restify from 'restify';
import type { Application, TeamsAdapter, TurnState } from '@microsoft/teams-ai';
import crypto from 'node:crypto';
import { log, logScope } from '../log';
import { checkEnvelope } from './envelope';

/**
 * HTTP: POST /api/messages (Bot Framework protocol), GET /healthz (liveness, with the store's
 * state), GET /readyz (503 until the store answers). Bad input is a 4xx before the SDK sees it.
 */
export interface ServerOptions {
  adapter: TeamsAdapter;
  app: Application<TurnState>;
  authEnabled: boolean;
  maxBodyBytes: number;
  storeReady: () => Promise<boolean>;
}

export interface RunningServer {
  url: string;
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

export function createServer(options: ServerOptions): restify.Server {
  const server = restify.createServer({ name: 'internkontroll', handleUncaughtExceptions: false });
  server.use(
    restify.plugins.bodyParser({
      maxBodySize: options.maxBodyBytes,
      mapParams: false,
      mapFiles: false,
    }),
  );

  let inFlight = 0;
  let idle: (() => void) | undefined;
  (server as unknown as { inFlight: () => number }).inFlight = () => inFlight;
  (server as unknown as { whenIdle: () => Promise<void> }).whenIdle = () =>
    inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => (idle = resolve));

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
    inFlight++;
    const started = Date.now();
    const activityId = (req.body as { id?: unknown }).id;
    const correlationId =
      typeof activityId === 'string' && activityId ? activityId : crypto.randomUUID();
    // The SDK answers with err.message in the body on any failure; we decide what goes out.
    const answer = new BufferedResponse();
    let reachedBot = false;
    try {
      await logScope.run({ correlationId }, () =>
        options.adapter.process(req, answer as never, (context) => {
          reachedBot = true;
          return options.app.run(context).then(() => undefined);
        }),
      );
    } catch (err) {
      answer.status(500);
      log.error({ err: (err as Error).message, correlationId }, 'request failed');
    } finally {
      inFlight--;
      log.debug(
        {
          activityType: (req.body as { type?: string }).type,
          ms: Date.now() - started,
          status: res.statusCode,
        },
        'activity',
      );
      if (inFlight === 0 && idle) {
        idle();
        idle = undefined;
      }
    }
    if (answer.code === 401 || (options.authEnabled && !reachedBot && answer.code >= 500)) {
      // A token we could not validate: refused as unauthorised, whatever the reason inside.
      log.warn({ correlationId, sdkStatus: answer.code }, 'request refused: token not valid');
      res.send(401, { error: 'unauthorized' });
    } else if (answer.code >= 500) {
      res.send(answer.code, { error: 'internal error' });
    } else {
      res.send(answer.code, answer.body);
    }
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
  server.get('/readyz', async (_req, res) => {
    const ready = await storeReady();
    res.send(ready ? 200 : 503, { status: ready ? 'ready' : 'store unavailable' });
  });
  return server;
}

export async function listen(
  server: restify.Server,
  port: number,
  host: string,
): Promise<RunningServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const actualPort = address.port;
  return {
    url: `http://127.0.0.1:${actualPort}`,
    port: actualPort,
    async close(timeoutMs = 10000) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const whenIdle = (server as unknown as { whenIdle: () => Promise<void> }).whenIdle();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([whenIdle, new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
      clearTimeout(timer);
      server.server.closeAllConnections?.();
      await closed;
    },
  };
}
