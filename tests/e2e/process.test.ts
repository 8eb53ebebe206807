import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../../bot/dev/azurite';
import { OrgStore } from '../../bot/org/org-store';
import { AZURITE_KEY, openTables } from '../../bot/store/tables';
import {
  azuriteConnectionString,
  startTestAzurite,
  uniquePrefix,
  type TestAzurite,
} from '../support/azurite';
import { demoOrgFile, PEOPLE } from '../support/bot-under-test';
import { cardText } from '../support/cards';
import { FakeConnector } from '../support/fake-connector';
import { act, cardFor, report } from '../support/deviation-flows';
import { TeamsClient } from '../support/teams-client';

/**
 * The production entry point as a real process: `node dist/bot/app/main.js`, configured only by
 * the environment. It refuses a bad configuration, and a restart of the process loses nothing.
 */
jest.setTimeout(120000);

const ROOT = path.resolve(__dirname, '../..');
const MAIN = path.join(ROOT, 'dist/bot/app/main.js');
const SECRET = 'process-test-card-signing-secret-0123456789';
const { ingrid, emil } = PEOPLE;

let azurite: TestAzurite;
let connector: FakeConnector;
let child: ChildProcess | undefined;

const stderrOf = new Map<ChildProcess, string>();
/** Every process this file started: afterAll ends any still running. */
const spawned: ChildProcess[] = [];

function run(env: NodeJS.ProcessEnv): ChildProcess {
  // Only what we pass: no developer settings leak in from the shell running the tests.
  const proc = spawn(process.execPath, [MAIN], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  spawned.push(proc);
  // Drained from the start: a child blocked on a full pipe would never answer or exit. The
  // log (stdout) is kept too, to tell what a child that does not stop was doing.
  stderrOf.set(proc, '');
  stdoutOf.set(proc, '');
  proc.stderr!.on('data', (c) => stderrOf.set(proc, (stderrOf.get(proc) ?? '') + String(c)));
  proc.stdout!.on('data', (c) =>
    stdoutOf.set(proc, ((stdoutOf.get(proc) ?? '') + String(c)).slice(-20_000)),
  );
  return proc;
}

const stdoutOf = new Map<ChildProcess, string>();

/** The exit of a child, or after `withinMs` an error with what it logged (a hang says where). */
async function exitOf(
  proc: ChildProcess,
  withinMs = 30_000,
): Promise<{ code: number | null; stderr: string }> {
  let timer: NodeJS.Timeout | undefined;
  const code =
    proc.exitCode ??
    (await Promise.race([
      new Promise<number | null>((resolve) => proc.once('exit', resolve)),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `the child did not exit within ${withinMs} ms\nstderr:\n${stderrOf.get(proc)}\nlog:\n${stdoutOf.get(proc)}`,
              ),
            ),
          withinMs,
        );
      }),
    ]).finally(() => clearTimeout(timer)));
  return { code, stderr: stderrOf.get(proc) ?? '' };
}

async function ready(url: string): Promise<void> {
  for (let i = 0; i < 150; i++) {
    const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) }).catch(
      () => undefined,
    );
    if (res?.status === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not become ready`);
}

beforeAll(async () => {
  // The compiled bot, exactly as production runs it (npm run build).
  execFileSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
  expect(fs.existsSync(MAIN)).toBe(true);
  azurite = await startTestAzurite();
  connector = await FakeConnector.start();
});

afterAll(async () => {
  await Promise.all(
    spawned
      .filter((proc) => proc.exitCode === null && proc.signalCode === null)
      .map((proc) => {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGKILL');
        return exited;
      }),
  );
  await connector?.close();
  await azurite?.stop();
});

test('a production setting missing or malformed: exit code 2 and every bad variable named', async () => {
  const { code, stderr } = await exitOf(
    run({ BOT_ID: '6f1c4a52-9d3e-4b7a-8c21-3e5f7a9b0c1d', PORT: 'not-a-port' }),
  );
  expect(code).toBe(2);
  for (const name of [
    'PORT',
    'BOT_PASSWORD',
    'BOT_TENANT_ID',
    'TABLES_ENDPOINT',
    'CARD_SIGNING_SECRET',
  ]) {
    expect(stderr).toContain(name);
  }
});

test('without BOT_ID (no authentication) and without LOCAL_ONLY=true it refuses to start', async () => {
  const port = await freePort();
  const { code, stderr } = await exitOf(
    run({
      PORT: String(port),
      TABLES_CONNECTION_STRING: azuriteConnectionString(azurite, AZURITE_KEY),
      CARD_SIGNING_SECRET: SECRET,
    }),
  );
  expect(code).toBe(2);
  expect(stderr).toMatch(/BOT_ID: required, or LOCAL_ONLY=true/);
});

test('the process stops on SIGTERM and a new process finds every report and honours old cards', async () => {
  const prefix = uniquePrefix();
  const tables = openTables(azurite.location, prefix);
  await tables.ensure();
  await new OrgStore(tables, 0).importFile(demoOrgFile(), { removeMissing: false });

  const port = await freePort();
  const env = {
    PORT: String(port),
    HOST: '127.0.0.1',
    LOCAL_ONLY: 'true',
    TABLE_PREFIX: prefix,
    TABLES_CONNECTION_STRING: azuriteConnectionString(azurite, AZURITE_KEY),
    CARD_SIGNING_SECRET: SECRET,
  };
  const url = `http://127.0.0.1:${port}`;
  const client = new TeamsClient(url, connector.url);
  const t = { client, connector };

  child = run(env);
  await ready(url);
  await client.install(ingrid);
  await client.install(emil);
  const reported = await report(t, emil);
  const leaderCard = await cardFor(t, ingrid, reported.ref, 'deviation.take');

  const stopped = exitOf(child);
  child.kill('SIGTERM');
  expect((await stopped).code).toBe(0);

  child = run(env);
  await ready(url);
  const before = connector.sent().length;
  expect((await client.message(emil, 'mine avvik')).status).toBe(200);
  const list = await connector.waitFor(() => connector.sent()[before]);
  expect(JSON.stringify(list)).toContain(reported.ref);

  // The card posted by the first process still works: same secret, state in the tables.
  const { card } = await act(t, ingrid, leaderCard, 'deviation.take');
  expect(cardText(card)).toContain('Under behandling');
});

test('with Application Insights configured the bot starts and serves (telemetry loads on this Node)', async () => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  child = run({
    PORT: String(port),
    HOST: '127.0.0.1',
    LOCAL_ONLY: 'true',
    TABLE_PREFIX: uniquePrefix(),
    TABLES_CONNECTION_STRING: azuriteConnectionString(azurite, AZURITE_KEY),
    CARD_SIGNING_SECRET: SECRET,
    // Ingestion goes to a closed loopback port: nothing leaves the machine.
    APPLICATIONINSIGHTS_CONNECTION_STRING:
      'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:9/',
  });
  await ready(url);
  expect((await fetch(`${url}/healthz`)).status).toBe(200);
  const stopped = exitOf(child);
  child.kill('SIGTERM');
  expect((await stopped).code).toBe(0);
});
