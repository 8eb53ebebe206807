import { readSettings } from '../../bot/app/config';
import { startBot, type HostOptions, type RunningBot } from '../../bot/app/host';
import { DeviationIndexStore } from '../../bot/deviations/deviation-index-store';
import { deviationCard } from '../../bot/deviations/deviation-messages';
import { DeviationStore } from '../../bot/deviations/deviation-store';
import type { Clock } from '../../bot/kernel/clock';
import { OutboxStore } from '../../bot/store/outbox-store';
import { PostedCardStore } from '../../bot/store/posted-card-store';
import type { Tables } from '../../bot/store/tables';
import { ConversationStore } from '../../bot/store/conversation-store';
import { startTestAzurite, uniquePrefix, type TestAzurite } from './azurite';
import { demoOrgFile } from './demo-org';
import { FakeConnector } from './fake-connector';
import { TeamsClient, type TeamsUser } from './teams-client';

export { DEMO_ORG_FILE, demoOrgFile } from './demo-org';
export { PEOPLE } from './demo-people';

/**
 * The whole bot as Teams sees it, for end-to-end tests: a real Azurite, the fake Bot Connector,
 * and the bot from startBot (the production composition root) on 127.0.0.1, loaded with the
 * demo organisation of Heim kommune. One per test file (beforeAll / afterAll).
 */
export const SIGNING_SECRET = 'x'.repeat(40);
/** Tests await every request before closing, so there is nothing in flight to wait for. */
const CLOSE_GRACE_MS = 200;

export interface BotUnderTest {
  azurite: TestAzurite;
  connector: FakeConnector;
  client: TeamsClient;
  prefix: string;
  bot: RunningBot;
  /** What the store holds about deviations, read through the production adapters. */
  deviations: StoredDeviations;
  conversations: ConversationStore;
  /**
   * Closes the bot and starts a new one on the same Azurite, prefix and signing secret: a
   * restart as far as state goes (in-process; compiled JS is not available to jest).
   */
  restart(): Promise<void>;
  /** Waits until the outbox has sent what was decided so far (the bot answers before that). */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

export interface BotUnderTestOptions {
  clock?: Clock;
  /** Extra environment for readSettings (NODE_ENV and TABLE_PREFIX are set). */
  env?: NodeJS.ProcessEnv;
  /** Reuse an Azurite (it is then not stopped by stop()). */
  azurite?: TestAzurite;
  /** People who have the bot installed (their personal chat is known) from the start. */
  installed?: TeamsUser[];
  /** A feature under test, plugged in like a real one (see tests/support/kernel-probe). */
  extraFeatures?: HostOptions['extraFeatures'];
  /** Sees every table request the bot makes (which request is whose: `logScope`). */
  onStorageOperation?: HostOptions['onStorageOperation'];
}

export type StoredDeviations = ReturnType<typeof storedDeviations>;

function storedDeviations(tables: Tables) {
  const records = new DeviationStore(tables, new OutboxStore(tables));
  const index = new DeviationIndexStore(tables);
  const postedCards = new PostedCardStore(tables);
  return {
    get: (ref: string) => records.get(ref),
    events: (ref: string) => records.events(ref),
    byReporter: (personId: string) => index.byReporter(personId),
    postedCards: (ref: string) => postedCards.list(deviationCard(ref)),
  };
}

export async function startBotUnderTest(options: BotUnderTestOptions = {}): Promise<BotUnderTest> {
  const azurite = options.azurite ?? (await startTestAzurite());
  const ownAzurite = !options.azurite;
  const connector = await FakeConnector.start();
  const prefix = uniquePrefix();
  const settings = readSettings({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    TABLE_PREFIX: prefix,
    // No BOT_ID: the bot serves only when told it is local, and then listens on 127.0.0.1.
    LOCAL_ONLY: 'true',
    // Test files report dozens of cases as one person; a test of the limits sets its own.
    REPORT_LIMIT_PER_HOUR: '0',
    REPORT_LIMIT_PER_DAY: '0',
    FORM_LIMIT_PER_HOUR: '0',
    FORM_LIMIT_PER_DAY: '0',
    ...options.env,
  });
  const launch = () =>
    startBot({
      settings,
      location: azurite.location,
      cardSigningSecret: SIGNING_SECRET,
      port: 0,
      clock: options.clock,
      extraFeatures: options.extraFeatures,
      onStorageOperation: options.onStorageOperation,
    });
  let bot: RunningBot;
  try {
    bot = await launch();
    await bot.org.importFile(demoOrgFile(), { removeMissing: false });
  } catch (err) {
    await connector.close();
    if (ownAzurite) await azurite.stop();
    throw err;
  }
  const client = new TeamsClient(bot.url, connector.url);
  const t: BotUnderTest = {
    azurite,
    connector,
    client,
    prefix,
    bot,
    deviations: storedDeviations(bot.tables),
    conversations: new ConversationStore(bot.tables),
    settle: () => t.bot.outboxIdle(),
    async restart() {
      await t.bot.close(CLOSE_GRACE_MS);
      t.bot = await launch();
      t.client.botUrl = t.bot.url;
      t.deviations = storedDeviations(t.bot.tables);
      t.conversations = new ConversationStore(t.bot.tables);
    },
    async stop() {
      await t.bot.close(CLOSE_GRACE_MS).catch(() => undefined);
      await connector.close();
      if (ownAzurite) await azurite.stop();
    },
  };
  for (const person of options.installed ?? []) await client.install(person);
  return t;
}
