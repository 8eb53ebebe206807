import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { readSettings, SettingsError } from '../app/config';
import { startBot, tablesLocationFrom } from '../app/host';
import { log } from '../app/log';
import { localEnvironment, localSigningSecret } from '../app/local';
import { parseArshjulFile } from '../arshjul/arshjul-file';
import { parseAuthorityFile } from '../delegations/authority-file';
import { importAuthorityFile } from '../delegations/delegation-import';
import { parseOrgFile } from '../org/org-file';
import { parseProcessFile } from '../processes/process-file';
import { startAzurite, type RunningAzurite } from './azurite';

/**
 * `npm start`: the whole thing on one machine. Without Azure settings it starts Azurite (data
 * in .data/azurite, kept across restarts), loads the demo organisation of Heim kommune into an
 * empty store, serves the bot on :3978 and, without a bot app id, opens the Microsoft 365
 * Agents Playground on :56150 pointed at it. Ctrl-C stops all of it.
 */
const ROOT = path.resolve(__dirname, '..', '..', '..');
const DATA = path.join(ROOT, '.data');
const AZURITE_PORT = Number(process.env.AZURITE_PORT ?? 10002);
const PLAYGROUND_PORT = 56150;

/** Starts the Playground; resolves with the port it really serves on (it moves off a busy one). */
function startPlayground(botUrl: string): { child: ChildProcess; port: Promise<number> } {
  const cli = path.join(
    path.dirname(require.resolve('@microsoft/m365agentsplayground/package.json')),
    'cli.js',
  );
  const child = spawn(
    process.execPath,
    [
      cli,
      '-e',
      `${botUrl}/api/messages`,
      '-c',
      'msteams',
      '-p',
      String(PLAYGROUND_PORT),
      '--disable-telemetry',
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, BROWSER: 'none' } },
  );
  const port = new Promise<number>((resolve, reject) => {
    let seen = '';
    child.stdout?.on('data', (chunk) => {
      seen = (seen + String(chunk)).slice(-4000);
      const match = /Listening on (\d+)/.exec(seen);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`exit ${code}`)));
  });
  return { child, port };
}

/** The seven processes of section 5, into a store that has none yet (Ingrid is in Aldersvennlig samfunn). */
async function loadDemoProcesses(bot: Awaited<ReturnType<typeof startBot>>): Promise<void> {
  if ((await bot.processes.list()).length > 0) return;
  const file = parseProcessFile(
    JSON.parse(fs.readFileSync(path.join(ROOT, 'bot/processes/demo/heim-prosesser.json'), 'utf8')),
  );
  if (!file.ok) throw new Error(`demo processes invalid: ${file.errors.join('; ')}`);
  const { org } = await bot.org.snapshot();
  const result = await bot.processes.import(file.file, org, new Date());
  console.log(
    `Loaded the demo processes: ${result.added.length} (write "mine oppgaver" or "ny oppgave").`,
  );
}

/** The demo delegation register (areas and grants), into a store that has none yet. */
async function loadDemoDelegations(
  deps: Parameters<typeof importAuthorityFile>[0],
  org: { snapshot(): Promise<{ org: Parameters<typeof importAuthorityFile>[2] }> },
): Promise<void> {
  if ((await deps.register.read()).areas.length > 0) return;
  const file = parseAuthorityFile(
    JSON.parse(
      fs.readFileSync(path.join(ROOT, 'bot/delegations/demo/heim-fullmakter.json'), 'utf8'),
    ),
  );
  if (!file.ok) throw new Error(`demo delegations invalid: ${file.errors.join('; ')}`);
  const outcome = await importAuthorityFile(deps, file.file, (await org.snapshot()).org, {
    now: new Date(),
    by: 'demo',
  });
  if (!outcome.ok) throw new Error(`demo delegations refused: ${outcome.problems.join('; ')}`);
  console.log(
    `Loaded the demo delegation register: ${file.file.areas.length} areas, ${outcome.result.grants.added.length} grants.`,
  );
}

async function main(): Promise<void> {
  let settings;
  try {
    // This machine only: without a bot app id nobody is authenticated (bound to 127.0.0.1).
    const env = localEnvironment();
    settings = readSettings({ ...env, LOCAL_ONLY: env.LOCAL_ONLY || 'true' });
  } catch (err) {
    console.error((err as SettingsError).message);
    process.exit(2);
  }
  fs.mkdirSync(path.join(DATA, 'azurite'), { recursive: true });
  const useAzurite = !settings.TABLES_CONNECTION_STRING && !settings.TABLES_ENDPOINT;
  let azurite: RunningAzurite | undefined;
  if (useAzurite) {
    azurite = await startAzurite({ location: path.join(DATA, 'azurite'), port: AZURITE_PORT });
    console.log(`Azurite (Table service) on 127.0.0.1:${azurite.port}, data in .data/azurite`);
  }
  let bot;
  try {
    bot = await startBot({
      settings,
      location: tablesLocationFrom(settings, azurite?.url),
      cardSigningSecret: settings.CARD_SIGNING_SECRET ?? localSigningSecret(),
    });
  } catch (err) {
    await azurite?.stop();
    throw err;
  }
  if (await bot.org.isEmpty()) {
    const demo = parseOrgFile(
      JSON.parse(fs.readFileSync(path.join(ROOT, 'bot/org/demo/heim-kommune.json'), 'utf8')),
    );
    if (!demo.ok) throw new Error(`demo organisation invalid: ${demo.errors.join('; ')}`);
    await bot.org.importFile(demo.file, { removeMissing: false });
    console.log('Loaded the demo organisation of Heim kommune (see README: who is who).');
  }
  if (!(await bot.arshjul.catalogue.read())) {
    const file = parseArshjulFile(
      JSON.parse(fs.readFileSync(path.join(ROOT, 'bot/arshjul/demo/heim-arshjul.json'), 'utf8')),
    );
    if (!file.ok) throw new Error(`default årshjul invalid: ${file.errors.join('; ')}`);
    await bot.arshjul.catalogue.import(file.file, { removeMissing: false });
    const made = await bot.arshjul.materialise(new Date());
    console.log(
      `Loaded the default årshjul of Heim kommune: ${file.file.activities.length} activities, ${made.created} deadlines in the next 24 months.`,
    );
  }
  await loadDemoDelegations(bot.delegations.deps, bot.org);
  await loadDemoProcesses(bot);
  console.log(`Bot listening on ${bot.url}/api/messages`);

  let playground: ChildProcess | undefined;
  let stopping = false;
  if (!settings.BOT_ID) {
    const started = startPlayground(bot.url);
    playground = started.child;
    playground.once('exit', (code) => {
      if (!stopping)
        console.error(
          `The Agents Playground stopped (exit ${code}); see devTools/m365agentsplayground.log. The bot keeps running.`,
        );
    });
    try {
      console.log(`Microsoft 365 Agents Playground: open http://localhost:${await started.port}`);
    } catch {
      // Reported by the exit handler above.
    }
  }

  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('Stopping…');
    playground?.kill('SIGINT');
    await bot.close(5000);
    await azurite?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err) => {
  log.fatal({ err: (err as Error).message }, 'start failed');
  console.error((err as Error).message);
  process.exit(1);
});
