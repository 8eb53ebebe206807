import type { Language } from '../i18n';

/** The person a turn comes from, as the Teams edge hands it to the features. */
export interface Actor {
  /** Entra object id (aadObjectId); falls back to the channel user id outside Teams. */
  id: string;
  name: string;
  language: Language;
  locale: string;
}

/** The actor id of what the bot does on its own (escalations, re-routing, materialising). */
export const SYSTEM_ACTOR = 'system';
