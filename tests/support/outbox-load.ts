import type { Composer, Message } from '../../bot/messaging/outbox';
import { ConversationStore } from '../../bot/store/conversation-store';
import type { OutboxStore } from '../../bot/store/outbox-store';
import type { Tables } from '../../bot/store/tables';

/**
 * Load for the outbox (tests/integration/outbox-instances.test.ts and `npm run bench:nudges`):
 * personal-chat references that point at the fake connector, stored as the bot stores them,
 * and messages of a test-only type stored through `OutboxStore.enqueue`. Each message's card
 * carries its key, so what the connector accepted can be matched back to what was stored:
 * a key accepted twice is a duplicate, a stored key never accepted is lost.
 */
export const LOAD_TYPE = 'load.note';

const KEY_MARK = 'load-key:';

/** Draws a small card that names the message key (the worker and the bench register it). */
export const loadComposer: Composer = {
  type: LOAD_TYPE,
  async compose(m) {
    return {
      card: {
        type: 'AdaptiveCard',
        version: '1.5',
        body: [{ type: 'TextBlock', text: `${KEY_MARK}${m.key}`, wrap: true }],
      },
    };
  },
};

/** The person (Entra object id, the Conversations RowKey) and the chat of load conversation i. */
export const personOf = (i: number) => `user-${i}`;
export const conversationOf = (i: number) => `a:conv-${i}`;

/** A personal-chat reference as the bot stores it from a Teams activity (activity id left out). */
export function loadReference(connectorUrl: string, i: number): string {
  return JSON.stringify({
    channelId: 'msteams',
    serviceUrl: connectorUrl,
    conversation: { id: conversationOf(i) },
    bot: { id: '28:bot' },
    user: { id: `29:user-${i}` },
  });
}

/** Stores `count` personal-chat references (conversations 0 … count-1), 50 writes at a time. */
export async function seedConversations(
  tables: Tables,
  connectorUrl: string,
  count: number,
): Promise<void> {
  const store = new ConversationStore(tables);
  const updatedAt = new Date().toISOString();
  for (let start = 0; start < count; start += 50)
    await Promise.all(
      Array.from({ length: Math.min(50, count - start) }, (_, k) =>
        store.saveForUser(personOf(start + k), {
          reference: loadReference(connectorUrl, start + k),
          conversationId: conversationOf(start + k),
          updatedAt,
        }),
      ),
    );
}

/**
 * Enqueues `count` messages due now, round robin over `conversations` people (message i goes
 * to person i % conversations), 200 per enqueue; returns their keys (`<prefix>-<i>`).
 */
export async function enqueueLoad(
  outbox: OutboxStore,
  count: number,
  conversations: number,
  options: { prefix?: string; dueAt?: Date } = {},
): Promise<string[]> {
  const prefix = options.prefix ?? 'm';
  const dueAt = (options.dueAt ?? new Date(Date.now() - 1000)).toISOString();
  const keys: string[] = [];
  for (let start = 0; start < count; start += 200) {
    const batch: Message[] = Array.from({ length: Math.min(200, count - start) }, (_, k) => {
      const i = start + k;
      const key = `${prefix}-${i}`;
      keys.push(key);
      return {
        key,
        type: LOAD_TYPE,
        to: { kind: 'person', id: personOf(i % conversations) },
        params: {},
        dueAt,
      };
    });
    const stored = await outbox.enqueue(batch);
    if (stored.length !== batch.length)
      throw new Error(`enqueue stored ${stored.length} of ${batch.length} (keys reused?)`);
  }
  return keys;
}

/** A request as the fake connector records it (tests/support/fake-connector.ts). */
interface Recorded {
  method: string;
  status: number;
  body: unknown;
}

/** The load key in a posted activity, if it carries one. */
export function keyOf(body: unknown): string | undefined {
  const match = /load-key:([A-Za-z0-9_.:-]+)/.exec(JSON.stringify(body ?? ''));
  return match?.[1];
}

/** How many times the connector accepted (200) a post of each load key. */
export function deliveredKeys(requests: readonly Recorded[]): Map<string, number> {
  const seen = new Map<string, number>();
  for (const r of requests) {
    if (r.method !== 'POST' || r.status !== 200) continue;
    const key = keyOf(r.body);
    if (key) seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return seen;
}

export interface Tally {
  stored: number;
  /** Distinct stored keys accepted at least once. */
  delivered: number;
  /** Accepted posts beyond the first, over all keys. */
  duplicates: number;
  duplicatedKeys: string[];
  lost: number;
  lostKeys: string[];
  /** Accepted keys that were never stored (must be 0: the load is the only traffic). */
  unknown: number;
}

/** Stored keys against what the connector accepted. */
export function tally(keys: readonly string[], requests: readonly Recorded[]): Tally {
  const seen = deliveredKeys(requests);
  const stored = new Set(keys);
  const duplicatedKeys = [...seen].filter(([, n]) => n > 1).map(([k]) => k);
  const lostKeys = keys.filter((k) => !seen.has(k));
  return {
    stored: keys.length,
    delivered: [...seen.keys()].filter((k) => stored.has(k)).length,
    duplicates: [...seen.values()].reduce((sum, n) => sum + n - 1, 0),
    duplicatedKeys,
    lost: lostKeys.length,
    lostKeys,
    unknown: [...seen.keys()].filter((k) => !stored.has(k)).length,
  };
}
