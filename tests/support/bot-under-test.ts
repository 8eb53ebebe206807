import fs from 'node:fs';
import path from 'node:path';
import { readSettings } from '../../bot/app/config';
import { startBot, type HostOptions, type RunningBot } from '../../bot/app/host';
import { DeviationIndexStore } from '../../bot/deviations/deviation-index-store';
import { deviationCard } from '../../bot/deviations/deviation-notifications';
import { DeviationStore } from '../../bot/deviations/deviation-store';
import type { Clock } from '../../bot/kernel/clock';
import { PostedCardStore } from '../../bot/store/posted-card-store';
import type { Tables } from '../../bot/store/tables';
import { parseOrgFile } from '../../bot/org/org-file';
import { ConversationStore } from '../../bot/store/conversation-store';
import { startTestAzurite, uniquePrefix, type TestAzurite } from './azurite';
import { FakeConnector } from './fake-connector';
import { TeamsClient, type TeamsUser } from './teams-client';

/**
 * The whole bot as Teams sees it, for end-to-end tests: a real Azurite, the fake Bot Connector,
 * and the bot from startBot (the production composition root) on 127.0.0.1, loaded with the
 * demo organisation of Heim kommune. One per test file (beforeAll / afterAll).
 */
/** Found by walking up, so it works from tests/support and from dist/tests/support (tsc copies no JSON). */
function findUp(relative: string): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, relative);
    if (fs.existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error(`${relative} not found above ${__dirname}`);
}

export const DEMO_ORG_FILE = findUp(path.join('bot', 'org', 'demo', 'heim-kommune.json'));
export const SIGNING_SECRET = 'x'.repeat(40);
/** Tests await every request before closing, so there is nothing in flight to wait for. */
const CLOSE_GRACE_MS = 200;

/** Demo people (bot/org/demo/heim-kommune.json) as Teams users. */
export const PEOPLE = {
  /** Ingrid Haugen, enhetsleder of sentrum-barnehage. */
  ingrid: {
    id: '29:ingrid',
    aadObjectId: '00000000-0000-0000-0000-0000000000020',
    name: 'Ingrid Haugen',
  },
  /** Sofie Lunde, leder in sentrum-barnehage (assignable). */
  sofie: {
    id: '29:sofie',
    aadObjectId: '00000000-0000-0000-0000-0000000000024',
    name: 'Sofie Lunde',
  },
  /** Per Kristiansen, rådmann (top unit radmann). */
  per: {
    id: '29:per',
    aadObjectId: '00000000-0000-0000-0000-0000000000021',
    name: 'Per Kristiansen',
  },
  /** Lars Moen, enhetsleder of barnevern: a leader, but of another unit. */
  lars: { id: '29:lars', aadObjectId: '00000000-0000-0000-0000-0000000000025', name: 'Lars Moen' },
  /** Emil Vik, ansatt in sentrum-barnehage. */
  emil: { id: '29:emil', aadObjectId: '7c1a2b3d-0001-4a10-9c01-000000000401', name: 'Emil Vik' },
} satisfies Record<string, TeamsUser>;

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
  /** Card-action pipelines of a feature under test (see tests/support/kernel-probe). */
  extraCardActions?: HostOptions['extraCardActions'];
}

export type StoredDeviations = ReturnType<typeof storedDeviations>;

function storedDeviations(tables: Tables) {
  const records = new DeviationStore(tables);
  const index = new DeviationIndexStore(tables);
  const postedCards = new PostedCardStore(tables);
  return {
    get: (ref: string) => records.get(ref),
    events: (ref: string) => records.events(ref),
    byReporter: (personId: string) => index.byReporter(personId),
    postedCards: (ref: string) => postedCards.list(deviationCard(ref)),
  };
}

export function demoOrgFile() {
  const parsed = parseOrgFile(JSON.parse(fs.readFileSync(DEMO_ORG_FILE, 'utf8')));
  if (!parsed.ok) throw new Error(`demo organisation invalid: ${parsed.errors.join('; ')}`);
  return parsed.file;
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
    ...options.env,
  });
  const launch = () =>
    startBot({
      settings,
      location: azurite.location,
      cardSigningSecret: SIGNING_SECRET,
      port: 0,
      host: '127.0.0.1',
      clock: options.clock,
      extraCardActions: options.extraCardActions,
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
