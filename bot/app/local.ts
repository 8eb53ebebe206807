import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Settings } from './config';
import { tablesLocationFrom } from './host';

/** The checkout's own folder for local data (git-ignored): Azurite's files, the dev secret. */
export const LOCAL_DATA = path.resolve(__dirname, '..', '..', '..', '.data');

/** A per-checkout secret, so cards posted before a restart stay valid after it (npm start only). */
export function localSigningSecret(): string {
  const file = path.join(LOCAL_DATA, 'card-signing-secret');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(LOCAL_DATA, { recursive: true });
    fs.writeFileSync(file, crypto.randomBytes(32).toString('base64url'), { mode: 0o600 });
  }
  return fs.readFileSync(file, 'utf8').trim();
}

/** Operator commands: the configured store, else the local Azurite that `npm start` runs. */
export function operatorLocation(settings: Settings) {
  return tablesLocationFrom(
    settings,
    process.env.AZURITE_URL ?? 'http://127.0.0.1:10002/devstoreaccount1',
  );
}

/**
 * The environment of the local demo (npm start and the operator commands beside it): the
 * Agents Playground always reports the locale en-US, so without a bot app id the demo is shown
 * in bokmål unless BOT_LANGUAGE says otherwise.
 */
export function localEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return !env.BOT_ID && !env.BOT_LANGUAGE ? { ...env, BOT_LANGUAGE: 'nb' } : env;
}
