import { serveCalendar } from '../arshjul/calendar-route';
import { SubscriptionService } from '../channels/subscription-service';
import type { Tables, TablesLocation } from '../store/tables';
import { createTeamsEdge } from '../teams/bot-app';
import { createServer, listen, type RunningServer } from '../teams/server';
import { composeBot, type ComposeOptions, type ComposedBot } from './compose';
import { allowedTenants, isAuthEnabled, listenHost, type Settings } from './config';
import { log } from './log';

export type { ExtraFeature, FeatureKit } from './compose';

/** The bot as a server: the composed bot behind the Teams edge and restify. */
export type HostOptions = Omit<ComposeOptions, 'delivery'> & { port?: number; host?: string };

export interface RunningBot extends RunningServer {
  tables: Tables;
  org: ComposedBot['org'];
  dispatcher: ComposedBot['dispatcher'];
  scheduler: ComposedBot['scheduler'];
  /** The årshjul's file and materialisation (npm start loads the default; tests). */
  arshjul: {
    catalogue: ComposedBot['arshjulDeps']['catalogue'];
    materialise: ComposedBot['materialiseArshjul'];
  };
  /** The delegation register's stores and expiry (npm start loads the demo; tests). */
  delegations: {
    deps: ComposedBot['delegationDeps'];
    expire: ComposedBot['expireDelegations'];
  };
  /** The process catalogue (npm start loads the demo; tests). */
  processes: ComposedBot['processes'];
  /** Resolves once nothing in the outbox is due (tests; operators use `npm run outbox`). */
  outboxIdle(timeoutMs?: number): Promise<void>;
  /** One whole background round now: the scheduler's tick and the outbox drained (tests). */
  backgroundRound(): Promise<void>;
}

/** Where the tables are: from the settings, or the local Azurite that `npm start` runs. */
export function tablesLocationFrom(settings: Settings, azuriteUrl?: string): TablesLocation {
  if (settings.TABLES_CONNECTION_STRING)
    return { kind: 'connectionString', connectionString: settings.TABLES_CONNECTION_STRING };
  if (settings.TABLES_ENDPOINT) return { kind: 'endpoint', endpoint: settings.TABLES_ENDPOINT };
  if (azuriteUrl) return { kind: 'azurite', url: azuriteUrl };
  throw new Error('No table store configured: set TABLES_ENDPOINT or TABLES_CONNECTION_STRING');
}

export async function startBot(options: HostOptions): Promise<RunningBot> {
  const { settings } = options;
  // Before anything starts: an unauthenticated bot must be meant for this machine only.
  const host = listenHost(settings, options.host);
  const tenants = allowedTenants(settings);
  if (!tenants)
    log.warn(
      'tenant boundary off: neither ALLOWED_TENANT_IDS nor BOT_TENANT_ID is set, so users of any tenant are served',
    );
  const edge = createTeamsEdge(settings);
  const bot = await composeBot({ ...options, delivery: edge.delivery });
  const channels = new SubscriptionService({
    subscriptions: bot.subscriptions,
    org: bot.org,
    clock: bot.clock,
  });
  const { adapter, app } = edge.buildApp(bot.stateStore, {
    deviations: bot.deviations,
    channels,
    channelLinks: bot.channelLinks,
    conversations: bot.conversations,
    cardActions: bot.cardActions,
    arshjul: bot.arshjul,
    delegations: bot.delegations,
    tasks: bot.tasks,
    processes: bot.processCards,
    projects: bot.projects,
    vedtak: bot.vedtak,
  });
  bot.background.start();
  const server = createServer({
    adapter,
    app,
    authEnabled: isAuthEnabled(settings),
    allowedTenants: tenants,
    // Only an unauthenticated local bot serves the Agents Playground (see server.ts).
    playgroundActivities: !isAuthEnabled(settings),
    maxBodyBytes: settings.MAX_BODY_BYTES,
    storeReady: () => bot.tables.ping(),
    calendar: (file) =>
      serveCalendar(file, {
        secrets: bot.arshjulDeps.feeds,
        render: (feedId) => bot.arshjul.renderFeed(feedId),
      }),
    delegationExport: bot.serveDelegationExport,
  });
  const running = await listen(server, options.port ?? settings.PORT, host);
  log.info(
    { host: running.host, port: running.port, auth: isAuthEnabled(settings) },
    'bot listening',
  );
  return {
    ...running,
    tables: bot.tables,
    org: bot.org,
    dispatcher: bot.dispatcher,
    scheduler: bot.scheduler,
    arshjul: { catalogue: bot.arshjulDeps.catalogue, materialise: bot.materialiseArshjul },
    delegations: { deps: bot.delegationDeps, expire: bot.expireDelegations },
    processes: bot.processes,
    async close(timeoutMs) {
      await running.close(timeoutMs);
      await bot.background.stop();
      await bot
        .releaseReferences()
        .catch((err: Error) =>
          log.warn({ err: err.message }, 'reference numbers kept ready were not given back'),
        );
    },
    outboxIdle: bot.outboxIdle,
    backgroundRound: () => bot.background.round(),
  };
}
