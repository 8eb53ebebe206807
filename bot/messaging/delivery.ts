import type { Language } from '../i18n';
import type { Card } from '../kernel/card-templates';

/** The person a turn comes from, as the Teams edge hands it to the features. */
export interface Actor {
  /** Entra object id (aadObjectId); falls back to the channel user id outside Teams. */
  id: string;
  name: string;
  language: Language;
  locale: string;
}

/**
 * How features reach people outside the current turn. Implemented by the Teams edge; the
 * conversation reference is opaque here.
 */
export interface Delivery {
  send(reference: string, card: Card): Promise<{ activityId: string }>;
  update(reference: string, activityId: string, card: Card): Promise<void>;
}

/** The recipient blocked or removed the bot (HTTP 403): stop writing to that conversation. */
export class RecipientGoneError extends Error {}
