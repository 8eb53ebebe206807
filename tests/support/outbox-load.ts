import type { Composer, Message } from '../../bot/messaging/outbox';
import { ConversationStore } from '../../bot/store/conversation-store';
import type { OutboxStore } from '../../bot/store/outbox-store';
import type { Tables } from '../../bot/store/tables';

/**
 * Load for the outbox (integration test and `npm run bench:nudges`): conversations that point
 * at the fake connector, and messages of a test-only type whose card carries the message key,
 * so what the connector received can be matched back to what was stored.
 */
export const LOAD_TYPE = 'load.note';

export const loadComposer: Composer = {
  type: LOAD_TYPE,
  async compose(m) {
    return {
      card: {
        type: 'AdaptiveCard',
        version: '1.5',
        body: [{ type: 'TextBlock', text: `load-key:${m.key}` }],
      },
    };
  },
};

export const personOf = (i: number) => `load-person-${i}`;

/** Stores a personal-chat reference per person, each its own conversation on the connector. */
export async function seedConversations(tables: Tables, connectorUrl: string, count: number) {
  const store = new ConversationStore(tables);
  for (let start = 0; start < count; start += 50)
    await Promise.all(
      Array.from({ length: Math.min(50, count - start) }, (_, k) => {
        const i = start + k;
        const reference = {
          channelId: 'msteams',
          serviceUrl: connectorUrl,
          conversation: { id: `a:load-${i}`, conversationType: 'personal' },
          bot: { id: '28:bot', name: 'Internkontroll' },
          user: { id: `29:load-${i}`, aadObjectId: personOf(i) },
        };
        return store.saveForUser(personOf(i), {
          reference: JSON.stringify(reference),
          conversationId: `a:load-${i}`,
          updatedAt: new Date().toISOString(),
        });
      }),
    );
}

/** Enqueues `count` messages, round robin over `people` conversations; returns their keys. */
export async function enqueueLoad(
  outbox: OutboxStore,
  count: number,
  people: number,
  prefix = 'm',
): Promise<string[]> {
  const keys: string[] = [];
  const dueAt = new Date(Date.now() - 1000).toISOString();
  for (let start = 0; start < count; start += 200) {
    const batch: Message[] = Array.from({ length: Math.min(200, count - start) }, (_, k) => {
      const i = start + k;
      const key = `${prefix}-${i}`;
      keys.push(key);
      return {
        key,
        type: LOAD_TYPE,
        to: { kind: 'person', id: personOf(i % people) },
        params: {},
        dueAt,
      };
    });
    await outbox.enqueue(batch);
  }
  return keys;
}

/** The keys the connector received, with how many times each. */
export function deliveredKeys(bodies: unknown[]): Map<string, number> {
  const seen = new Map<string, number>();
  for (const body of bodies) {
    const match = /load-key:([\w-]+)/.exec(JSON.stringify(body));
    if (match) seen.set(match[1], (seen.get(match[1]) ?? 0) + 1);
  }
  return seen;
}
