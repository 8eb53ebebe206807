import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startAzurite, type RunningAzurite } from '../../bot/dev/azurite';
import { openTables, type Tables, type TablesLocation } from '../../bot/store/tables';

/**
 * A real Azurite (Table service) for one test file: a child process on a free port with its data
 * in a fresh temp folder. Start it in beforeAll, stop it in afterAll; stop() also removes the folder.
 */
export interface TestAzurite {
  url: string;
  port: number;
  folder: string;
  location: TablesLocation;
  /** The emulator's current process id. */
  pid(): number | undefined;
  /** Stops the emulator but keeps its data: the store is down until start() (outage tests). */
  pause(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestAzurite(): Promise<TestAzurite> {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'ik-azurite-'));
  let running: RunningAzurite;
  try {
    running = await startAzurite({ location: folder });
  } catch (err) {
    fs.rmSync(folder, { recursive: true, force: true });
    throw err;
  }
  const port = running.port;
  return {
    url: running.url,
    port,
    folder,
    location: { kind: 'azurite', url: running.url },
    pid: () => running.pid,
    async pause() {
      await running.stop();
    },
    async resume() {
      running = await startAzurite({ location: folder, port });
    },
    async stop() {
      await running.stop();
      fs.rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** A table prefix of its own (letters and digits, starting with a letter), e.g. `t3f9a0c1b2`. */
export function uniquePrefix(): string {
  return `t${crypto.randomBytes(5).toString('hex')}`;
}

/** Tables under a fresh prefix on this Azurite, created and ready. */
export async function freshTables(
  azurite: TestAzurite,
  prefix = uniquePrefix(),
): Promise<{ tables: Tables; prefix: string }> {
  const tables = openTables(azurite.location, prefix);
  await tables.ensure();
  return { tables, prefix };
}

/** The connection string a production-like setting (TABLES_CONNECTION_STRING) would hold for this Azurite. */
export function azuriteConnectionString(azurite: TestAzurite, key: string): string {
  return `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${key};TableEndpoint=http://127.0.0.1:${azurite.port}/devstoreaccount1;`;
}
