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
import { linkNoticeComposers } from '../channels/link-notices';
import { ChannelLinkService } from '../channels/link-service';
import { ChannelLinkStore } from '../channels/link-store';
import { linkTargets } from './link-targets';
import type { DeviationDeps } from '../deviations/ports';
import { delegationFeature } from '../delegations/delegation-feature';
import { processFeature } from '../processes/process-feature';
import { PROJECT_KIND, projectFeature } from '../projects/project-feature';
import { ProjectStore } from '../projects/project-store';
import { VEDTAK_KIND, vedtakFeature } from '../vedtak/vedtak-feature';
import { VedtakStore } from '../vedtak/vedtak-store';
import { PROCESS_KIND } from '../processes/process-messages';
import { ProcessStore } from '../processes/process-store';
import { taskFeature } from '../tasks/task-feature';
import { TableTaskIndex, TaskStore } from '../tasks/task-store';
import { TASK_KIND } from '../tasks/task-views';
import { delegationStores } from '../delegations/delegation-store';
import type { DelegationDeps } from '../delegations/ports';
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
import { TableAccessLog } from '../privacy/access-log-store';
import { DraftExpiringStateStore } from '../privacy/drafts-store';
import { TablePrivacyStore } from '../privacy/privacy-store';
import { RetentionIndex, withRetention } from '../privacy/retention-index-store';
import { retentionJob } from '../privacy/retention-job';
import { Scheduler } from '../scheduling/scheduler';
import { TableFormClaims } from '../store/claims';
import { TableUsageLimits } from '../store/limit-store';
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
import {
  arshjulSettingsFrom,
  delegationSettingsFrom,
  nudgeSettingsFrom,
  publicUrlOf,
  retentionSettingsFrom,
  usageLimitsFrom,
  type Settings,
} from './config';

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
  // Privacy (docs/privacy.md): closed cases are tracked for retention beside the index rows.
  const retention = retentionSettingsFrom(settings);
  const retentionIndex = new RetentionIndex(tables, retention.rules);
  const deviationRecords = new DeviationStore(tables, outbox, settings.REFERENCE_READY_MAX);
  const deviationDeps: DeviationDeps = {
    records: deviationRecords,
    index: withRetention(new DeviationIndexStore(tables), retentionIndex),
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
    limits: new TableUsageLimits(tables, usageLimitsFrom(settings)),
  };
  const deviations = new DeviationService(deviationDeps, new TableAccessLog(tables));
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
    publicUrl: publicUrlOf(settings),
  };
  const arshjulCards = arshjulActions(arshjulDeps);
  const arshjulClock = arshjulTime(arshjulDeps, arshjulCards.mayAct);
  const arshjul = new ArshjulService(arshjulDeps);
  // Delegations (bot/delegations): the register, its cards, its background work.
  const delegationDeps: DelegationDeps = {
    ...delegationStores(tables, outbox),
    org,
    outbox,
    signer,
    clock,
    settings: delegationSettingsFrom(settings),
  };
  const delegations = delegationFeature(delegationDeps);
  // Rule 6: every organisation import hands its before and after to the delegation review.
  org.onImported(delegations.afterOrgImport);
  // Processes and their tasks (bot/processes, bot/tasks).
  const processes = new ProcessStore(tables, outbox);
  const processCards = processFeature({ records: processes, org, signer, clock });
  const vedtakRecords = new VedtakStore(tables, outbox);
  const vedtak = vedtakFeature({ records: vedtakRecords, org, signer, clock });
  const projectRecords = new ProjectStore(tables, outbox);
  const projects = projectFeature({
    records: projectRecords,
    org,
    signer,
    clock,
  });
  const taskIndex = new TableTaskIndex(tables);
  const tasks = taskFeature({
    records: new TaskStore(tables, outbox),
    index: taskIndex,
    processes,
    projects: projectRecords,
    org,
    outbox,
    signer,
    clock,
    overdueCron: settings.TASKS_OVERDUE_CRON,
    workingHours: nudgeSettingsFrom(settings).workingHours,
  });
  // Channels linked to a process or project (bot/channels/links.ts): short notices.
  const channelLinkDeps = {
    links: new ChannelLinkStore(tables),
    targets: linkTargets({ processes, projects: projectRecords, taskIndex }),
  };
  const extra = options.extraFeatures?.({ signer, outbox, tables, clock });

  const dispatcher = new Dispatcher(
    {
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
            ...delegations.drawers,
            [TASK_KIND]: tasks.drawCopy,
            [PROCESS_KIND]: processCards.drawCopy,
            [PROJECT_KIND]: projects.drawCopy,
            [VEDTAK_KIND]: vedtak.drawCopy,
            ...extra?.drawers,
          },
        }),
        ...deviationMessages.composers,
        ...nudges.composers,
        ...arshjulClock.composers,
        ...delegations.composers,
        ...tasks.composers,
        ...processCards.composers,
        ...projects.composers,
        ...vedtak.composers,
        ...linkNoticeComposers({ ...channelLinkDeps, outbox }),
        ...(extra?.composers ?? []),
      ],
      onSettled: options.onSettled,
    },
    { maxAttempts: settings.SEND_MAX_ATTEMPTS },
  );
  const scheduler = new Scheduler({
    timers: schedule,
    jobs: schedule,
    outbox,
    handlers: [nudges.timers, arshjulClock.timers],
    recurring: [
      nudges.digest,
      arshjulClock.materialiseJob,
      delegations.expireJob,
      tasks.overdueJob,
      retentionJob(new TablePrivacyStore(tables), retentionIndex, retention),
    ],
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
    /** "koble kanal" / "koble fra" (routes/channels.ts). */
    channelLinks: new ChannelLinkService({ ...channelLinkDeps, org, clock }),
    deviations,
    /** Bot state for the Teams edge: report drafts expire after DRAFT_RETENTION_DAYS. */
    stateStore: new DraftExpiringStateStore(tables, retention.draftDays, clock),
    retentionIndex,
    cardActions: [
      deviations.actions,
      arshjulCards.pipeline,
      ...delegations.cardActions,
      tasks.pipeline,
      processCards.pipeline,
      projects.pipeline,
      vedtak.pipeline,
      ...(extra?.cardActions ?? []),
    ],
    delegations: delegations.service,
    tasks,
    processes,
    processCards,
    projects,
    vedtak: { ...vedtak, records: vedtakRecords },
    delegationDeps,
    /** Expires grants whose end passed (the daily job does the same). */
    expireDelegations: (now: Date) => delegations.expire(now),
    /** GET /fullmakter/<claim>/<file>: the expiring links of "eksporter fullmakter". */
    serveDelegationExport: delegations.serveExport,
    arshjul,
    arshjulDeps,
    /** Materialises the årshjul now (after an import; the daily job does the same). */
    materialiseArshjul: (now: Date) => arshjulClock.materialise(now),
    dispatcher,
    scheduler,
    background,
    clock,
    /** At a clean stop, after the last request: numbers kept ready go back (no gap). */
    releaseReferences: () => deviationRecords.releaseReferences(),
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
