import { arshjulActions } from '../arshjul/arshjul-actions';
import { ARSHJUL_KIND } from '../arshjul/arshjul-rules';
import { ArshjulService } from '../arshjul/arshjul-service';
import {
  occurrenceRecords,
  TableArshjulCatalogue,
  TableOccurrenceIndex,
} from '../arshjul/arshjul-store';
import { arshjulTime } from '../arshjul/arshjul-time';
import { TableFeedSecrets } from '../arshjul/feed-secret-store';
import type { ArshjulDeps } from '../arshjul/ports';
import { deviationComposers } from '../deviations/deviation-composers';
import { DeviationIndexStore } from '../deviations/deviation-index-store';
import { deviationNudges } from '../deviations/deviation-nudges';
import { DeviationService } from '../deviations/deviation-service';
import { DeviationStore } from '../deviations/deviation-store';
import { SubscriptionStore } from '../channels/subscription-store';
import type { DeviationDeps } from '../deviations/ports';
import { setLanguageOverride } from '../i18n';
import { CardSigner } from '../kernel/card-signing';
import { systemClock, type Clock } from '../kernel/clock';
import type { Delivery } from '../messaging/delivery';
import { Dispatcher, type Settled } from '../messaging/dispatcher';
import { Notifier } from '../messaging/notifier';
import type { Composer } from '../messaging/outbox';
import { postedCardComposers, type CopyDrawer } from '../messaging/posted-card-messages';
import { SendLimiter, TEAMS_PER_CONVERSATION_LIMITS } from '../messaging/send-limits';
import { OrgStore } from '../org/org-store';
import { Scheduler } from '../scheduling/scheduler';
import { TableFormClaims } from '../store/claims';
import { ConversationStore } from '../store/conversation-store';
import { TableLease } from '../store/lease';
import { OutboxStore } from '../store/outbox-store';
import { PostedCardStore } from '../store/posted-card-store';
import { ScheduleStore } from '../store/schedule-store';
import {
  openTables,
  type OpenTablesOptions,
  type Tables,
  type TablesLocation,
} from '../store/tables';
import type { CardActions } from '../teams/features';
import { BackgroundWork } from './background';
import { arshjulSettingsFrom, nudgeSettingsFrom, type Settings } from './config';

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

export interface ComposeOptions {
  settings: Settings;
  location: TablesLocation;
  cardSigningSecret: string;
  /** How cards leave (the Teams edge's Delivery). */
  delivery: Delivery;
  clock?: Clock;
  /** A feature under test plugged in like a real one (tests/support/kernel-probe.ts). */
  extraFeatures?: (kit: FeatureKit) => ExtraFeature;
  /** Sees every table-service request (benchmarks: tests/bench/storage-ops.ts); off by default. */
  onStorageOperation?: OpenTablesOptions['onOperation'];
  /** Each message the dispatcher settles (scheduler:tick prints them). */
  onSettled?: (settled: Settled) => void;
}

/**
 * The composition root: opens the tables, builds every adapter, hands the features their
 * ports, and puts the outbox dispatcher and the scheduler under one lease. The HTTP server
 * (host.ts) and the operator commands (scheduler:tick, outbox) use the same wiring.
 */
export async function composeBot(options: ComposeOptions) {
  const { settings } = options;
  setLanguageOverride(settings.BOT_LANGUAGE === 'auto' ? undefined : settings.BOT_LANGUAGE);
  const tables = openTables(options.location, settings.TABLE_PREFIX, {
    onOperation: options.onStorageOperation,
  });
  await tables.ensure();
  const clock = options.clock ?? systemClock;
  const org = new OrgStore(tables, settings.ORG_CACHE_SECONDS * 1000);
  const conversations = new ConversationStore(tables, settings.ORG_CACHE_SECONDS * 1000);
  const signer = new CardSigner(options.cardSigningSecret);
  const outbox = new OutboxStore(tables);
  const postedCards = new PostedCardStore(tables);
  const schedule = new ScheduleStore(tables);
  // Team-channel subscriptions: the digest and escalation notices read them (bot/channels).
  const subscriptions = new SubscriptionStore(tables);
  const notifier = new Notifier({ delivery: options.delivery, conversations, postedCards });
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
    timers: schedule,
    nudges: nudgeSettingsFrom(settings),
    channels: subscriptions,
  };
  const deviations = new DeviationService(deviationDeps);
  const deviationMessages = deviationComposers(deviationDeps);
  const nudges = deviationNudges(deviationDeps, {
    chatUrl: settings.BOT_ID
      ? `https://teams.microsoft.com/l/chat/0/0?users=28:${settings.BOT_ID}`
      : undefined,
  });
  const arshjulDeps: ArshjulDeps = {
    records: occurrenceRecords(tables, outbox),
    index: new TableOccurrenceIndex(tables),
    catalogue: new TableArshjulCatalogue(tables, settings.ORG_CACHE_SECONDS * 1000),
    org,
    outbox,
    timers: schedule,
    signer,
    clock,
    channels: subscriptions,
    feeds: new TableFeedSecrets(tables),
    settings: arshjulSettingsFrom(settings),
    publicUrl: settings.PUBLIC_URL ?? `http://localhost:${settings.PORT}`,
  };
  const arshjulCards = arshjulActions(arshjulDeps);
  const arshjulClock = arshjulTime(arshjulDeps, arshjulCards.mayAct);
  const arshjul = new ArshjulService(arshjulDeps);
  const extra = options.extraFeatures?.({ signer, outbox, tables, clock });

  const dispatcher = new Dispatcher({
    store: outbox,
    notifier,
    // Teams counts a send when it arrives. A send under way counts in every window until it is
    // answered, then at its answer time: both are no earlier than its arrival (send-limits.ts),
    // so the windows need no margin for network time; 10 ms cover the clocks (Teams' is not
    // ours). A send Teams refused with 429 counts as well.
    gate: new SendLimiter({
      perConversation: TEAMS_PER_CONVERSATION_LIMITS.map((l) => ({
        ...l,
        windowMs: l.windowMs + 10,
      })),
      global: { count: settings.SEND_RATE_PER_SECOND, windowMs: 1010 },
      countUntilAnswered: true,
    }),
    composers: [
      ...postedCardComposers({
        postedCards,
        outbox,
        drawers: {
          deviation: deviationMessages.drawCopy,
          [ARSHJUL_KIND]: arshjulClock.drawCopy,
          ...extra?.drawers,
        },
      }),
      ...deviationMessages.composers,
      ...nudges.composers,
      ...arshjulClock.composers,
      ...(extra?.composers ?? []),
    ],
    onSettled: options.onSettled,
  });
  const scheduler = new Scheduler({
    timers: schedule,
    jobs: schedule,
    outbox,
    handlers: [nudges.timers, arshjulClock.timers],
    recurring: [nudges.digest, arshjulClock.materialiseJob],
  });
  const background = new BackgroundWork({
    lease: new TableLease(tables, 'dispatcher', settings.LEASE_SECONDS * 1000),
    dispatcher,
    clock,
    ticks: [scheduler],
  });
  outbox.onWritten(() => background.kick());

  return {
    tables,
    org,
    conversations,
    outbox,
    schedule,
    subscriptions,
    deviations,
    cardActions: [deviations.actions, arshjulCards.pipeline, ...(extra?.cardActions ?? [])],
    arshjul,
    arshjulDeps,
    /** Materialises the årshjul now (after an import; the daily job does the same). */
    materialiseArshjul: (now: Date) => arshjulClock.materialise(now),
    dispatcher,
    scheduler,
    background,
    clock,
    /**
     * Resolves once nothing in the outbox is due (tests; operators use `npm run outbox`). A hint
     * whose message was never stored (the change that wrote it lost a race) stays until its
     * grace period ends; the dispatcher knows it as an orphan, and it is not waited for.
     */
    async outboxIdle(timeoutMs = 10_000) {
      const started = Date.now();
      const dueWork = async () =>
        (await outbox.due(clock.now(), 100)).some((h) => !dispatcher.orphans.has(h.rowKey));
      while ((await dueWork()) || dispatcher.waitingCount > 0) {
        if (Date.now() - started > timeoutMs) throw new Error('the outbox did not drain in time');
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

export type ComposedBot = Awaited<ReturnType<typeof composeBot>>;
