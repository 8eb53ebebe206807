import { z } from 'zod';
import type { ConversationDirectory, StoredConversation } from '../messaging/conversations';
import { unlessNotFound } from './errors';
import { getEntityOrUndefined, safeKey, withoutServiceFields, type Tables } from './tables';

/**
 * Table `Conversations`: where the bot can reach people and channels proactively.
 * PartitionKey `user` (RowKey = Entra object id) or `channel` (RowKey = `<team id>|<channel id>`,
 * both encoded): one row per channel, so subscriptions can name the channel they post to. The
 * value is the serialised conversation reference, opaque outside the Teams edge. Written on
 * install and on every message, so a changed serviceUrl heals itself.
 */
export type { StoredConversation };

const conversationSchema = z.object({
  reference: z.string(),
  conversationId: z.string(),
  locale: z
    .string()
    .optional()
    .transform((l) => l || undefined),
  updatedAt: z.string(),
});

const channelKey = (teamId: string, channelId: string) =>
  `${safeKey(teamId)}|${safeKey(channelId)}`;

export class ConversationStore implements ConversationDirectory {
  constructor(private readonly tables: Tables) {}

  private get client() {
    return this.tables.client('Conversations');
  }

  private async save(pk: string, rk: string, conversation: StoredConversation): Promise<void> {
    const entity: Record<string, unknown> & { partitionKey: string; rowKey: string } = {
      partitionKey: pk,
      rowKey: rk,
    };
    for (const [k, v] of Object.entries(conversation)) if (v !== undefined) entity[k] = v;
    await this.client.upsertEntity(entity, 'Replace');
  }

  private async read(pk: string, rk: string): Promise<StoredConversation | undefined> {
    const e = await getEntityOrUndefined<Record<string, unknown>>(this.client, pk, rk);
    return e ? conversationSchema.parse(withoutServiceFields(e)) : undefined;
  }

  saveForUser(userId: string, conversation: StoredConversation): Promise<void> {
    return this.save('user', safeKey(userId), conversation);
  }

  saveForChannel(teamId: string, channelId: string, conversation: StoredConversation) {
    return this.save('channel', channelKey(teamId, channelId), conversation);
  }

  forUser(userId: string): Promise<StoredConversation | undefined> {
    return this.read('user', safeKey(userId));
  }

  forChannel(teamId: string, channelId: string): Promise<StoredConversation | undefined> {
    return this.read('channel', channelKey(teamId, channelId));
  }

  /** The user blocked or uninstalled the bot (403): stop trying that conversation. */
  async forgetUser(userId: string): Promise<void> {
    await unlessNotFound(this.client.deleteEntity('user', safeKey(userId)));
  }

  async forgetChannel(teamId: string, channelId: string): Promise<void> {
    await unlessNotFound(this.client.deleteEntity('channel', channelKey(teamId, channelId)));
  }
}
