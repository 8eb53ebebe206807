import { z } from 'zod';
import type { CardKey, PostedCard, PostedCards } from '../messaging/posted-cards';
import { unlessNotFound } from './errors';
import { listPartition, safeKey, withoutServiceFields, type Tables } from './tables';

/**
 * Table `PostedCards`: PartitionKey `<kind>_<id>` (e.g. `deviation_AVV-2026-0042`), RowKey =
 * `<conversation id>|<view>` (encoded): every card posted about a record, one per chat and
 * view, so a change updates them all with one partition query.
 */
export const postedCardSchema = z.object({
  ownerId: z.string(),
  view: z.string(),
  conversationId: z.string(),
  activityId: z.string(),
  reference: z.string(),
  locale: z.string().optional(),
});

const partitionOf = (key: CardKey) => `${key.kind}_${safeKey(key.id)}`;
const rowOf = (copy: Pick<PostedCard, 'conversationId' | 'view'>) =>
  `${safeKey(copy.conversationId)}|${safeKey(copy.view)}`;

export class PostedCardStore implements PostedCards {
  constructor(private readonly tables: Tables) {}

  private get client() {
    return this.tables.client('PostedCards');
  }

  async remember(key: CardKey, card: PostedCard): Promise<void> {
    const entity: Record<string, unknown> & { partitionKey: string; rowKey: string } = {
      partitionKey: partitionOf(key),
      rowKey: rowOf(card),
    };
    for (const [k, v] of Object.entries(card)) if (v !== undefined) entity[k] = v;
    await this.client.upsertEntity(entity, 'Replace');
  }

  async list(key: CardKey): Promise<PostedCard[]> {
    const rows = await listPartition(this.client, partitionOf(key));
    return rows.map((e) => postedCardSchema.parse(withoutServiceFields(e)));
  }

  async forget(key: CardKey, copy: Pick<PostedCard, 'conversationId' | 'view'>): Promise<void> {
    await unlessNotFound(this.client.deleteEntity(partitionOf(key), rowOf(copy)));
  }
}
