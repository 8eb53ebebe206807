import { isAuthEnabled, type Settings } from './config';
import { DeviationRepository } from '../deviations/deviation-repository';
import { DeviationService, type Clock } from '../deviations/deviation-service';
import { log } from './log';
import { OrgRepository } from '../org/org-store';
import { CardSigner } from '../kernel/card-signing';
import { setLanguageOverride } from '../i18n';
import { ConversationStore } from '../store/conversation-store';
import { StateStore } from '../store/state-store';
import { openTables, type Tables, type TablesLocation } from '../store/tables';
import { createTeamsEdge } from '../teams/bot-app';
import { createServer, listen, type RunningServer } from '../teams/server';

/** Composition root: wires the store, the features and the Teams edge into one server. */
export interface HostOptions {
  settings: Settings;
  location: TablesLocation;
  cardSigningSecret: string;
  clock?: Clock;
  port?: number;
  host?: string;
}

export interface RunningBot extends RunningServer {
  tables: Tables;
  org: OrgRepository;
}

export function tablesLocationFrom(settings: Settings, azuriteUrl?: string): TablesLocation {
  if (settings.TABLES_CONNECTION_STRING)
    return { kind: 'connectionString', connectionString: settings.TABLES_CONNECTION_STRING };
  if (settings.TABLES_ENDPOINT) return { kind: 'endpoint', endpoint: settings.TABLES_ENDPOINT };
  if (azuriteUrl) return { kind: 'azurite', url: azuriteUrl };
  throw new Error('No table store configured: set TABLES_ENDPOINT or TABLES_CONNECTION_STRING');
}

export async function startBot(options: HostOptions): Promise<RunningBot> {
  const { settings } = options;
  setLanguageOverride(settings.BOT_LANGUAGE === 'auto' ? undefined : settings.BOT_LANGUAGE);
  const tables = openTables(options.location, settings.TABLE_PREFIX);
  await tables.ensure();
  const org = new OrgRepository(tables, settings.ORG_CACHE_SECONDS * 1000);
  const conversations = new ConversationStore(tables);
  const edge = createTeamsEdge(settings);
  const deviations = new DeviationService({
    deviations: new DeviationRepository(tables),
    org,
    conversations,
    delivery: edge.delivery,
    signer: new CardSigner(options.cardSigningSecret),
    clock: options.clock ?? { now: () => new Date() },
  });
  const { adapter, app } = edge.buildApp(new StateStore(tables), {
    deviations,
    conversations,
    delivery: edge.delivery,
  });
  const server = createServer({
    adapter,
    app,
    authEnabled: isAuthEnabled(settings),
    maxBodyBytes: settings.MAX_BODY_BYTES,
    storeReady: () => tables.ping(),
  });
  const running = await listen(
    server,
    options.port ?? settings.PORT,
    options.host ?? settings.HOST,
  );
  log.info({ port: running.port, auth: isAuthEnabled(settings) }, 'bot listening');
  return { ...running, tables, org };
}
