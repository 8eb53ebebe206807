import crypto from 'node:crypto';

/**
 * The secrets in the årshjul's calendar links (`/calendar/<secret>.ics`). A feed is the whole
 * organisation's (`'org'`) or one unit's (`'unit:<unitId>'`); each has one current secret that
 * can be rotated, after which the old link stops working at once. The port; the Azure Tables
 * adapter is feed-secret-store.ts.
 */
export interface FeedSecrets {
  /** The feed's current secret, created on first use; the same on every later call. */
  linkFor(feedId: string): Promise<string>;
  /** A new secret for the feed; the previous one no longer opens it. */
  rotate(feedId: string): Promise<string>;
  /** The feed a secret opens, or undefined (unknown, rotated away or malformed). */
  feedFor(secret: string): Promise<string | undefined>;
}

/** 32 random bytes: 256 bits, base64url without padding is 43 characters. */
export const FEED_SECRET_BYTES = 32;

export function newFeedSecret(): string {
  return crypto.randomBytes(FEED_SECRET_BYTES).toString('base64url');
}

// 43 characters carry 258 bits: the last one holds the final 2 bits and four zero bits.
const SECRET_SHAPE = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

/** Could this be a secret newFeedSecret made? Checked before any store call. */
export function isFeedSecret(text: unknown): text is string {
  return typeof text === 'string' && SECRET_SHAPE.test(text);
}

/** What is stored to look a secret up: its SHA-256, hex (the secret has 256 bits of entropy). */
export function feedSecretHash(secret: string): string {
  return crypto.createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** 'org' or 'unit:<unitId>'. */
export function isFeedId(feedId: string): boolean {
  return feedId === 'org' || (feedId.startsWith('unit:') && feedId.length > 'unit:'.length);
}

export function unitFeedId(unitId: string): string {
  return `unit:${unitId}`;
}
