/**
 * Every card the bot posted about a record, so that "update every copy" is one call for any
 * feature. Keyed by the record: `{ kind: 'deviation', id: 'AVV-2026-0042' }`.
 */
export interface CardKey {
  kind: string;
  id: string;
}

export interface PostedCard {
  /** Whose chat it is in; the card is drawn for this person. */
  ownerId: string;
  /** Which card it is, in the feature's words (e.g. 'receipt', 'handler'). */
  view: string;
  conversationId: string;
  activityId: string;
  /** Serialised conversation reference, opaque outside the Teams edge. */
  reference: string;
  /** The locale to draw it in; absent: the owner's current Teams locale. */
  locale?: string;
}

/**
 * One copy per chat and view: a receipt and a handler card of the same case in one chat (the
 * reporter leads the unit) are two copies; the same view posted again in a chat replaces the
 * older one.
 */
export interface PostedCards {
  remember(key: CardKey, card: PostedCard): Promise<void>;
  list(key: CardKey): Promise<PostedCard[]>;
  forget(key: CardKey, copy: Pick<PostedCard, 'conversationId' | 'view'>): Promise<void>;
}
