import crypto from 'node:crypto';
import { draftExpired } from './retention-rules';

/**
 * Unsent report drafts expire (DRAFT_RETENTION_DAYS). A draft lives in the user's bot state
 * (`reportDraft`, table BotState); beside it the state keeps when it was saved and a
 * fingerprint of its content, so that saving the same draft again keeps its first time and a
 * changed draft starts a new one. An expired draft is not offered (dropped on read) and the
 * daily privacy job deletes it from storage.
 */
const DRAFT = 'reportDraft';
const SAVED_AT = 'reportDraftSavedAt';
const FINGERPRINT = 'reportDraftFingerprint';

type StateJson = Record<string, unknown>;

function parse(json: string): StateJson | undefined {
  try {
    const value = JSON.parse(json) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as StateJson)
      : undefined;
  } catch {
    return undefined;
  }
}

const fingerprint = (draft: unknown) =>
  crypto.createHash('sha256').update(JSON.stringify(draft)).digest('hex').slice(0, 16);

/** The state as it is to be written: a new or changed draft gets the time `now`. */
export function stampDraft(json: string, now: Date): string {
  const state = parse(json);
  if (!state) return json;
  if (state[DRAFT] === undefined) {
    if (state[SAVED_AT] === undefined && state[FINGERPRINT] === undefined) return json;
    delete state[SAVED_AT];
    delete state[FINGERPRINT];
    return JSON.stringify(state);
  }
  const print = fingerprint(state[DRAFT]);
  if (state[FINGERPRINT] === print && typeof state[SAVED_AT] === 'string') return json;
  return JSON.stringify({ ...state, [SAVED_AT]: now.toISOString(), [FINGERPRINT]: print });
}

/** The state without its draft when the draft is older than `days`; else unchanged. */
export function withoutExpiredDraft(json: string, now: Date, days: number): string {
  const state = parse(json);
  if (!state || state[DRAFT] === undefined) return json;
  const savedAt = typeof state[SAVED_AT] === 'string' ? state[SAVED_AT] : undefined;
  if (!draftExpired(savedAt, now, days)) return json;
  const { [DRAFT]: _draft, [SAVED_AT]: _at, [FINGERPRINT]: _print, ...rest } = state;
  return JSON.stringify(rest);
}

/** The saved draft and when it was saved, if the state holds one (privacy export). */
export function draftIn(json: string): { draft: unknown; savedAt?: string } | undefined {
  const state = parse(json);
  if (!state || state[DRAFT] === undefined) return undefined;
  return {
    draft: state[DRAFT],
    savedAt: typeof state[SAVED_AT] === 'string' ? state[SAVED_AT] : undefined,
  };
}
