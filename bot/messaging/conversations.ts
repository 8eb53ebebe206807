/** How the bot reaches a person or a channel later; the reference is opaque outside the Teams edge. */
export interface StoredConversation {
  reference: string;
  conversationId: string;
  /** The person's Teams locale at their last message, for cards sent to them later. */
  locale?: string;
  updatedAt: string;
}

/** The port the Notifier reads conversation references through (Azure Tables in store/). */
export interface ConversationDirectory {
  forUser(userId: string): Promise<StoredConversation | undefined>;
  forgetUser(userId: string): Promise<void>;
  forChannel(teamId: string, channelId: string): Promise<StoredConversation | undefined>;
  forgetChannel(teamId: string, channelId: string): Promise<void>;
}
