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
  /**
   * Personal-chat references read recently (and known absences): routing a report and sending
   * its card need them on every submit. This instance's own saves and forgets update it at
   * once; another instance's show within `cacheMs`, and a stale reference heals itself (the
   * connector answers 403 or 404, and the message is re-routed).
   */
  private readonly recent = new Map<string, { at: number; conversation?: StoredConversation }>();

  constructor(
    private readonly tables: Tables,
    private readonly cacheMs = 0,
  ) {}

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

  async saveForUser(userId: string, conversation: StoredConversation): Promise<void> {
    const cached = this.recent.get(userId);
    const known = cached && Date.now() - cached.at < this.cacheMs ? cached.conversation : undefined;
    // Every personal message refreshes the reference; unchanged and seen lately, it costs no write.
    if (known && known.reference === conversation.reference && known.locale === conversation.locale)
      return;
    await this.save('user', safeKey(userId), conversation);
    if (this.cacheMs > 0) this.recent.set(userId, { at: Date.now(), conversation });
  }

  saveForChannel(teamId: string, channelId: string, conversation: StoredConversation) {
    return this.save('channel', channelKey(teamId, channelId), conversation);
  }

  async forUser(userId: string): Promise<StoredConversation | undefined> {
    const cached = this.recent.get(userId);
    if (cached && Date.now() - cached.at < this.cacheMs) return cached.conversation;
    const conversation = await this.read('user', safeKey(userId));
    if (this.cacheMs > 0) this.recent.set(userId, { at: Date.now(), conversation });
    return conversation;
  }

  forChannel(teamId: string, channelId: string): Promise<StoredConversation | undefined> {
    return this.read('channel', channelKey(teamId, channelId));
  }

  /** The user blocked or uninstalled the bot (403): stop trying that conversation. */
  async forgetUser(userId: string): Promise<void> {
    this.recent.delete(userId);
    await unlessNotFound(this.client.deleteEntity('user', safeKey(userId)));
  }

  async forgetChannel(teamId: string, channelId: string): Promise<void> {
    await unlessNotFound(this.client.deleteEntity('channel', channelKey(teamId, channelId)));
  }
}
