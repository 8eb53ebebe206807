import { DeviationIndexStore } from '../deviations/deviation-index-store';
import { DeviationService } from '../deviations/deviation-service';
import { DeviationStore } from '../deviations/deviation-store';
import { setLanguageOverride } from '../i18n';
import { CardSigner } from '../kernel/card-signing';
import { systemClock, type Clock } from '../kernel/clock';
import { Notifier } from '../messaging/notifier';
import { OrgStore } from '../org/org-store';
import { TableFormClaims } from '../store/claims';
import { ConversationStore } from '../store/conversation-store';
import { PostedCardStore } from '../store/posted-card-store';
import { StateStore } from '../store/state-store';
import { openTables, type Tables, type TablesLocation } from '../store/tables';
import { createTeamsEdge } from '../teams/bot-app';
import type { CardActions } from '../teams/features';
import { createServer, listen, type RunningServer } from '../teams/server';
import { isAuthEnabled, type Settings } from './config';
import { log } from './log';

/** Composition root: wires the store, the features and the Teams edge into one server. */
export interface HostOptions {
  settings: Settings;
  location: TablesLocation;
  cardSigningSecret: string;
  clock?: Clock;
  /** More card-action pipelines, for a feature under test; production has none beyond its own. */
  extraCardActions?: (kit: {
    signer: CardSigner;
    notifier: Notifier;
    tables: Tables;
  }) => CardActions[];
  port?: number;
  host?: string;
}

export interface RunningBot extends RunningServer {
  tables: Tables;
  org: OrgStore;
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
  const org = new OrgStore(tables, settings.ORG_CACHE_SECONDS * 1000);
  const conversations = new ConversationStore(tables);
  const edge = createTeamsEdge(settings);
  const notifier = new Notifier({
    delivery: edge.delivery,
    conversations,
    postedCards: new PostedCardStore(tables),
  });
  const signer = new CardSigner(options.cardSigningSecret);
  const deviations = new DeviationService({
    records: new DeviationStore(tables),
    index: new DeviationIndexStore(tables),
    claims: new TableFormClaims(tables, 'deviation'),
    org,
    notifier,
    signer,
    clock: options.clock ?? systemClock,
  });
  const { adapter, app } = edge.buildApp(new StateStore(tables), {
    deviations,
    conversations,
    cardActions: [
      deviations.actions,
      ...(options.extraCardActions?.({ signer, notifier, tables }) ?? []),
    ],
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
