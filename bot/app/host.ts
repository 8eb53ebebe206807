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
import { BackgroundWork } from './background';
import { deviationComposers } from '../deviations/deviation-composers';
import type { DeviationDeps } from '../deviations/ports';
import { Dispatcher } from '../messaging/dispatcher';
import type { Composer } from '../messaging/outbox';
import { postedCardComposers, type CopyDrawer } from '../messaging/posted-card-messages';
import { SendLimiter } from '../messaging/send-limits';
import { TableLease } from '../store/lease';
import { OutboxStore } from '../store/outbox-store';
import { createServer, listen, type RunningServer } from '../teams/server';
import { isAuthEnabled, type Settings } from './config';
import { log } from './log';

/** Composition root: wires the store, the features and the Teams edge into one server. */
export interface HostOptions {
  settings: Settings;
  location: TablesLocation;
  cardSigningSecret: string;
  clock?: Clock;
  /** A feature under test plugged in like a real one (tests/support/kernel-probe.ts). */
  extraFeatures?: (kit: FeatureKit) => ExtraFeature;
  port?: number;
  host?: string;
}

/** What a feature gets from the host: the shared machinery, as ports. */
export interface FeatureKit {
  signer: CardSigner;
  outbox: OutboxStore;
  tables: Tables;
  clock: Clock;
}

export interface ExtraFeature {
  cardActions: CardActions[];
  composers?: Composer[];
  drawers?: Record<string, CopyDrawer>;
}

export interface RunningBot extends RunningServer {
  tables: Tables;
  org: OrgStore;
  dispatcher: Dispatcher;
  /** Resolves once nothing in the outbox is due (tests; operators use `npm run outbox`). */
  outboxIdle(timeoutMs?: number): Promise<void>;
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
  const conversations = new ConversationStore(tables, settings.ORG_CACHE_SECONDS * 1000);
  const edge = createTeamsEdge(settings);
  const clock = options.clock ?? systemClock;
  const signer = new CardSigner(options.cardSigningSecret);
  const outbox = new OutboxStore(tables);
  const postedCards = new PostedCardStore(tables);
  const notifier = new Notifier({ delivery: edge.delivery, conversations, postedCards });
  const deviationDeps: DeviationDeps = {
    records: new DeviationStore(tables, outbox),
    index: new DeviationIndexStore(tables),
    claims: new TableFormClaims(tables, 'deviation'),
    org,
    reach: notifier,
    postedCards,
    outbox,
    signer,
    clock,
  };
  const deviations = new DeviationService(deviationDeps);
  const deviationMessages = deviationComposers(deviationDeps);
  const extra = options.extraFeatures?.({ signer, outbox, tables, clock });
  const { adapter, app } = edge.buildApp(new StateStore(tables), {
    deviations,
    conversations,
    cardActions: [deviations.actions, ...(extra?.cardActions ?? [])],
  });

  const dispatcher = new Dispatcher({
    store: outbox,
    notifier,
    gate: new SendLimiter({ global: { count: settings.SEND_RATE_PER_SECOND, windowMs: 1000 } }),
    composers: [
      ...postedCardComposers({
        postedCards,
        outbox,
        drawers: { deviation: deviationMessages.drawCopy, ...extra?.drawers },
      }),
      ...deviationMessages.composers,
      ...(extra?.composers ?? []),
    ],
  });
  const background = new BackgroundWork({
    lease: new TableLease(tables, 'dispatcher', settings.LEASE_SECONDS * 1000),
    dispatcher,
    clock,
  });
  outbox.onWritten(() => background.kick());
  background.start();

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
  return {
    ...running,
    tables,
    org,
    dispatcher,
    async close(timeoutMs) {
      await running.close(timeoutMs);
      await background.stop();
    },
    async outboxIdle(timeoutMs = 10_000) {
      const started = Date.now();
      while ((await outbox.due(clock.now(), 1)).length > 0 || dispatcher.waitingCount > 0) {
        if (Date.now() - started > timeoutMs) throw new Error('the outbox did not drain in time');
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}
