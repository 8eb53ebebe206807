import { getEntityOrUndefined, safeKey, type Tables } from './tables';

/**
 * Table `Conversations`: where the bot can reach people and teams proactively.
 * PartitionKey `user` (RowKey = Entra object id) or `team` (RowKey = team id); the value is the
 * serialised conversation reference, opaque outside the Teams edge. Written on install and on
 * every personal message, so a changed serviceUrl heals itself.
 */
export interface StoredConversation {
  reference: string;
  conversationId: string;
  /** The person's Teams locale at their last message, for cards sent to them later. */
  locale?: string;
  updatedAt: string;
}

export class ConversationStore {
  constructor(private readonly tables: Tables) {}

  async saveForUser(userId: string, conversation: StoredConversation): Promise<void> {
    await this.tables
      .client('Conversations')
      .upsertEntity({ partitionKey: 'user', rowKey: safeKey(userId), ...conversation }, 'Replace');
  }

  async saveForTeam(teamId: string, conversation: StoredConversation): Promise<void> {
    await this.tables
      .client('Conversations')
      .upsertEntity({ partitionKey: 'team', rowKey: safeKey(teamId), ...conversation }, 'Replace');
  }

  async forUser(userId: string): Promise<StoredConversation | undefined> {
    const e = await getEntityOrUndefined<StoredConversation>(
      this.tables.client('Conversations'),
      'user',
      safeKey(userId),
    );
    return e
      ? {
          reference: e.reference,
          conversationId: e.conversationId,
          locale: e.locale || undefined,
          updatedAt: e.updatedAt,
        }
      : undefined;
  }

  /** The user blocked or uninstalled the bot (403): stop trying that conversation. */
  async forgetUser(userId: string): Promise<void> {
    await this.tables
      .client('Conversations')
      .deleteEntity('user', safeKey(userId))
      .catch(() => undefined);
  }
}
