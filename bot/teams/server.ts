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

export function createServer(options: ServerOptions): restify.Server {
  const server = restify.createServer({ name: 'internkontroll', handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ maxBodySize: options.maxBodyBytes, mapParams: false, mapFiles: false }));

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
    const correlationId = typeof activityId === 'string' && activityId ? activityId : crypto.randomUUID();
    try {
      await logScope.run({ correlationId }, () =>
        options.adapter.process(req, res, (context) => options.app.run(context).then(() => undefined)),
      );
    } catch (err) {
      log.error({ err: (err as Error).message, activityId: (req.body as { id?: string }).id }, 'request failed');
      if (!res.headersSent) res.send(500, { error: 'internal error' });
    } finally {
      inFlight--;
      log.debug({ activityType: (req.body as { type?: string }).type, ms: Date.now() - started, status: res.statusCode }, 'activity');
      if (inFlight === 0 && idle) {
        idle();
        idle = undefined;
      }
    }
  });

  server.get('/healthz', async (_req, res) => {
    res.send(200, { status: 'ok', store: (await options.storeReady()) ? 'ok' : 'unavailable' });
  });
  server.get('/readyz', async (_req, res) => {
    const ready = await options.storeReady();
    res.send(ready ? 200 : 503, { status: ready ? 'ready' : 'store unavailable' });
  });
  return server;
}

export async function listen(server: restify.Server, port: number, host: string): Promise<RunningServer> {
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
      await Promise.race([whenIdle, new Promise((r) => setTimeout(r, timeoutMs))]);
      server.server.closeAllConnections?.();
      await closed;
    },
  };
}
