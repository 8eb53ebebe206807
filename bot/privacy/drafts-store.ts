import { odata } from '@azure/data-tables';
import type { Clock } from '../kernel/clock';
import { StateStore, type StateDocument } from '../store/state-store';
import type { Tables } from '../store/tables';
import { stampDraft, withoutExpiredDraft } from './drafts';
import { draftCutoff } from './retention-rules';

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
