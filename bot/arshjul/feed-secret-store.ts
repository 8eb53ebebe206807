import { isConflict, isWriteConflict, unlessNotFound } from '../store/errors';
import { getEntityOrUndefined, safeKey, type Tables } from '../store/tables';
import {
  feedSecretHash,
  isFeedId,
  isFeedSecret,
  newFeedSecret,
  type FeedSecrets,
} from './feed-secrets';

/**
 * Calendar feed secrets in table `Arshjul` (docs/table-layout.md):
 * - partition `feed`, RowKey = the feed id (`org`, `unit:<unitId>`, ':' kept): the current
 *   secret (so that a leader who asks again gets the same link), its SHA-256 hex `hash`,
 *   `createdAt`, and `retired`: hashes a rotation replaced and has not finished deleting;
 * - partition `feed-secret`, RowKey = SHA-256 hex of a secret: `feedId`. A request is one
 *   point read here, by hash; a secret that is not here opens nothing.
 *
 * Order of writes: a secret's `feed-secret` row is written before the `feed` row that hands
 * it out, so a link works the moment anybody can be given it. A loser of a race deletes its
 * own `feed-secret` row (one nobody was given). A rotation writes the new secret and the old
 * hashes into `retired` in one write, then deletes the old rows; when that is cut short, the
 * next linkFor or rotate of the feed finishes it.
 */
const TABLE = 'Arshjul';
const FEED = 'feed';
const SECRET = 'feed-secret';
const MAX_ATTEMPTS = 5;

interface FeedRow {
  feedId: string;
  secret: string;
  hash: string;
  createdAt: string;
  /** Comma-separated hashes of replaced secrets whose rows may still exist. */
  retired?: string;
}

interface SecretRow {
  feedId: string;
  createdAt: string;
}

/** The RowKey of a feed: the id with ':' kept, the unit id made safe for a table key. */
export function feedRowKey(feedId: string): string {
  if (!isFeedId(feedId)) throw new Error(`not a calendar feed id: ${JSON.stringify(feedId)}`);
  return feedId === 'org' ? 'org' : `unit:${safeKey(feedId.slice('unit:'.length))}`;
}

export class TableFeedSecrets implements FeedSecrets {
  constructor(
    private readonly tables: Tables,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private get client() {
    return this.tables.client(TABLE);
  }

  async linkFor(feedId: string): Promise<string> {
    const key = feedRowKey(feedId);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = await this.readFeed(key);
      if (current) {
        if (current.retired) await this.finishRotation(key, current);
        return current.secret;
      }
      const fresh = await this.newSecret(feedId);
      try {
        await this.client.createEntity<FeedRow>({
          partitionKey: FEED,
          rowKey: key,
          feedId,
          secret: fresh.secret,
          hash: fresh.hash,
          createdAt: fresh.createdAt,
        });
        return fresh.secret;
      } catch (err) {
        if (!isConflict(err)) throw err;
        // Somebody else's secret won (or ours did, and a retry of the insert saw it).
        const winner = await this.readFeed(key);
        if (winner?.hash === fresh.hash) return fresh.secret;
        await this.forget(fresh.hash);
        if (winner) return winner.secret;
      }
    }
    throw new Error('calendar feed secret: too many concurrent changes');
  }

  async rotate(feedId: string): Promise<string> {
    const key = feedRowKey(feedId);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const old = await this.readFeed(key);
      const replaced = old ? [old.hash, ...retiredOf(old)] : [];
      const fresh = await this.newSecret(feedId);
      const row = {
        partitionKey: FEED,
        rowKey: key,
        feedId,
        secret: fresh.secret,
        hash: fresh.hash,
        createdAt: fresh.createdAt,
        ...(replaced.length > 0 ? { retired: replaced.join(',') } : {}),
      };
      try {
        if (old) await this.client.updateEntity<FeedRow>(row, 'Replace', { etag: old.etag });
        else await this.client.createEntity<FeedRow>(row);
      } catch (err) {
        if (!isWriteConflict(err)) throw err;
        const now = await this.readFeed(key);
        if (now?.hash !== fresh.hash) {
          await this.forget(fresh.hash);
          // A concurrent rotation (or first link) replaced what we read: its secret is newer
          // than the one the caller wanted gone. Make sure the old ones are gone, and give it.
          if (now && now.hash !== old?.hash) {
            await Promise.all(replaced.map((h) => this.forget(h)));
            return now.secret;
          }
          continue;
        }
      }
      await Promise.all(replaced.map((h) => this.forget(h)));
      await this.clearRetired(key, fresh.hash);
      return fresh.secret;
    }
    throw new Error('calendar feed secret: too many concurrent changes');
  }

  async feedFor(secret: string): Promise<string | undefined> {
    if (!isFeedSecret(secret)) return undefined;
    const row = await getEntityOrUndefined<SecretRow>(this.client, SECRET, feedSecretHash(secret));
    return row && typeof row.feedId === 'string' ? row.feedId : undefined;
  }

  private async readFeed(key: string) {
    const row = await getEntityOrUndefined<FeedRow>(this.client, FEED, key);
    return row && isFeedSecret(row.secret) ? row : undefined;
  }

  /** A new secret with its lookup row already written. */
  private async newSecret(feedId: string) {
    const secret = newFeedSecret();
    const hash = feedSecretHash(secret);
    const createdAt = this.now().toISOString();
    try {
      await this.client.createEntity<SecretRow>({
        partitionKey: SECRET,
        rowKey: hash,
        feedId,
        createdAt,
      });
    } catch (err) {
      // 256 random bits do not collide: a conflict is a retry of our own insert.
      if (!isConflict(err)) throw err;
    }
    return { secret, hash, createdAt };
  }

  private async forget(hash: string): Promise<void> {
    await unlessNotFound(this.client.deleteEntity(SECRET, hash));
  }

  /** Deletes the rows of replaced secrets a cut-short rotation left, then forgets them. */
  private async finishRotation(key: string, row: FeedRow & { etag: string }): Promise<void> {
    await Promise.all(retiredOf(row).map((h) => this.forget(h)));
    await this.clearRetired(key, row.hash);
  }

  private async clearRetired(key: string, hash: string): Promise<void> {
    const row = await this.readFeed(key);
    if (!row || row.hash !== hash || !row.retired) return;
    const { feedId, secret, createdAt } = row;
    try {
      await this.client.updateEntity<FeedRow>(
        { partitionKey: FEED, rowKey: key, feedId, secret, hash, createdAt },
        'Replace',
        { etag: row.etag },
      );
    } catch (err) {
      // Somebody rotated meanwhile: the row is theirs now, and so is its `retired`.
      if (!isWriteConflict(err)) throw err;
    }
  }
}

function retiredOf(row: Pick<FeedRow, 'retired'>): string[] {
  return (row.retired ?? '').split(',').filter((h) => /^[0-9a-f]{64}$/.test(h));
}
