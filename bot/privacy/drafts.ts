import crypto from 'node:crypto';
import { odata } from '@azure/data-tables';
import type { Clock } from '../kernel/clock';
import { StateStore, type StateDocument } from '../store/state-store';
import type { Tables } from '../store/tables';
import { draftCutoff, draftExpired } from './retention-rules';

/**
 * Unsent report drafts expire (DRAFT_RETENTION_DAYS). A draft lives in the user's bot state
 * (`reportDraft`, table BotState); beside it the state keeps when it was saved and a
 * fingerprint of its content, so that saving the same draft again keeps its first time and a
 * changed draft starts a new one. An expired draft is not offered (dropped on read) and the
 * daily privacy job deletes it from storage.
 */
const DRAFT = 'reportDraft';
const SAVED_AT = 'reportDraftSavedAt';
const FINGERPRINT = 'reportDraftFingerprint';

type StateJson = Record<string, unknown>;

function parse(json: string): StateJson | undefined {
  try {
    const value = JSON.parse(json) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as StateJson)
      : undefined;
  } catch {
    return undefined;
  }
}

const fingerprint = (draft: unknown) =>
  crypto.createHash('sha256').update(JSON.stringify(draft)).digest('hex').slice(0, 16);

/** The state as it is to be written: a new or changed draft gets the time `now`. */
export function stampDraft(json: string, now: Date): string {
  const state = parse(json);
  if (!state) return json;
  if (state[DRAFT] === undefined) {
    if (state[SAVED_AT] === undefined && state[FINGERPRINT] === undefined) return json;
    delete state[SAVED_AT];
    delete state[FINGERPRINT];
    return JSON.stringify(state);
  }
  const print = fingerprint(state[DRAFT]);
  if (state[FINGERPRINT] === print && typeof state[SAVED_AT] === 'string') return json;
  return JSON.stringify({ ...state, [SAVED_AT]: now.toISOString(), [FINGERPRINT]: print });
}

/** The state without its draft when the draft is older than `days`; else unchanged. */
export function withoutExpiredDraft(json: string, now: Date, days: number): string {
  const state = parse(json);
  if (!state || state[DRAFT] === undefined) return json;
  const savedAt = typeof state[SAVED_AT] === 'string' ? state[SAVED_AT] : undefined;
  if (!draftExpired(savedAt, now, days)) return json;
  const { [DRAFT]: _draft, [SAVED_AT]: _at, [FINGERPRINT]: _print, ...rest } = state;
  return JSON.stringify(rest);
}

/** The saved draft and when it was saved, if the state holds one (privacy export). */
export function draftIn(json: string): { draft: unknown; savedAt?: string } | undefined {
  const state = parse(json);
  if (!state || state[DRAFT] === undefined) return undefined;
  return {
    draft: state[DRAFT],
    savedAt: typeof state[SAVED_AT] === 'string' ? state[SAVED_AT] : undefined,
  };
}

/**
 * The bot state store with draft expiry: a draft older than `days` is never handed to the bot,
 * and every draft written is stamped. Drop-in for StateStore (bot/app/compose.ts builds it).
 */
export class DraftExpiringStateStore extends StateStore {
  constructor(
    tables: Tables,
    private readonly days: number,
    private readonly clock: Clock,
  ) {
    super(tables);
  }

  override async read(keys: string[]): Promise<Map<string, StateDocument>> {
    const docs = await super.read(keys);
    const now = this.clock.now();
    for (const [key, doc] of docs) {
      const json = withoutExpiredDraft(doc.json, now, this.days);
      if (json !== doc.json) docs.set(key, { ...doc, json });
    }
    return docs;
  }

  override write(key: string, json: string, etag?: string): Promise<void> {
    return super.write(key, stampDraft(json, this.clock.now()), etag);
  }
}

/** The state key of a user's bot state, decoded from its PartitionKey. */
const keyOf = (partitionKey: string) => decodeURIComponent(partitionKey);

/** User-state keys (`<channel>/<bot>/users/<user id>`), optionally only those not written since. */
export async function userStateKeys(tables: Tables, writtenBefore?: Date): Promise<string[]> {
  const filter = writtenBefore
    ? odata`RowKey eq 'state' and Timestamp lt ${writtenBefore}`
    : odata`RowKey eq 'state'`;
  const keys: string[] = [];
  for await (const e of tables.client('BotState').listEntities({
    queryOptions: { filter, select: ['PartitionKey'] },
  })) {
    const key = keyOf(String(e.partitionKey));
    if (key.includes('/users/')) keys.push(key);
  }
  return keys;
}

/**
 * Deletes every expired draft from storage (the daily job). Only user states not written for
 * `days` can hold one, so the table service filters on the row's write time (a scan of
 * BotState, one row per user of the bot). A state that changed meanwhile is left for the next
 * run. Returns how many drafts were deleted.
 */
export async function deleteExpiredDrafts(
  tables: Tables,
  now: Date,
  days: number,
): Promise<number> {
  const store = new StateStore(tables);
  let deleted = 0;
  for (const key of await userStateKeys(tables, draftCutoff(now, days))) {
    const doc = (await store.read([key])).get(key);
    if (!doc) continue;
    const json = withoutExpiredDraft(doc.json, now, days);
    if (json === doc.json) continue;
    try {
      if (json === '{}') await store.delete([key]);
      else await store.write(key, json, doc.etag);
      deleted++;
    } catch {
      // Written by the bot meanwhile: the next run looks again.
    }
  }
  return deleted;
}

/** The state keys of one person: Teams keys user state by the chat user id (29:…), not Entra. */
export async function stateKeysOf(tables: Tables, userIds: string[]): Promise<string[]> {
  const wanted = userIds.map((id) => `/users/${id}`);
  return (await userStateKeys(tables)).filter((key) => wanted.some((w) => key.endsWith(w)));
}
