import { isNotFound, isWriteConflict, unlessNotFound } from './errors';
import { getEntityOrUndefined, safeKey, type Tables } from './tables';

/**
 * Table `BotState`: conversation and user state (teams-ai TurnState) as JSON documents with
 * etags. PartitionKey = the state key (encoded), RowKey `state`. Documents larger than one
 * property (64 KiB) are split over several properties, up to the 1 MiB entity limit.
 */
export interface StateDocument {
  json: string;
  etag: string;
}

const CHUNK = 30000; // characters; UTF-16 strings, so 60 KB < 64 KiB per property
const MAX_CHUNKS = 15;

/** How often a write merges with a newer document before it gives up. */
const MAX_MERGES = 50;
/** Documents remembered as read (the base of a merge); the oldest are forgotten first. */
const REMEMBERED_READS = 2000;

export class StateConflictError extends Error {}

export class StateStore {
  /** Documents this instance read, by key and etag: the base a conflicting write merges from. */
  private readonly readAt = new Map<string, string>();

  constructor(private readonly tables: Tables) {}

  private remember(key: string, doc: StateDocument): void {
    this.readAt.set(`${key}\n${doc.etag}`, doc.json);
    if (this.readAt.size > REMEMBERED_READS) this.readAt.delete(this.readAt.keys().next().value!);
  }

  async read(keys: string[]): Promise<Map<string, StateDocument>> {
    const client = this.tables.client('BotState');
    const found = new Map<string, StateDocument>();
    await Promise.all(
      keys.map(async (key) => {
        const e = await getEntityOrUndefined<Record<string, unknown>>(
          client,
          safeKey(key),
          'state',
        );
        if (!e) return;
        const count = Number(e.chunks ?? 0);
        let json = '';
        for (let i = 0; i < count; i++) json += String(e[`c${i}`] ?? '');
        found.set(key, { json, etag: e.etag });
        this.remember(key, { json, etag: e.etag });
      }),
    );
    return found;
  }

  /**
   * Writes a document. The first write of a key creates it (create-if-absent); a later one
   * must carry the etag it read ('*' = overwrite whatever is there). When another turn wrote
   * in between, the document is read again and the two are merged: the top-level fields this
   * write changed since its read win, the others keep the newer value (StateConflictError
   * only if that keeps failing).
   */
  async write(key: string, json: string, etag?: string): Promise<void> {
    // Unknown (a first write, or a read this instance forgot): every field I hold counts as mine.
    const base = (etag && this.readAt.get(`${key}\n${etag}`)) || '{}';
    let next = { json, etag };
    for (let attempt = 0; attempt < MAX_MERGES; attempt++) {
      if (await this.tryWrite(key, next.json, next.etag)) return;
      // Others are writing the same document: a little jitter, so they do not keep colliding.
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.random() * (2 + attempt * 2)));
      const theirs = (await this.read([key])).get(key);
      next = { json: merged(base, json, theirs?.json), etag: theirs?.etag };
      if (theirs && next.json === theirs.json) return;
    }
    throw new StateConflictError(`state ${key} changed since it was read`);
  }

  /** One conditional write: false when somebody else wrote (or created, or deleted) first. */
  private async tryWrite(key: string, json: string, etag: string | undefined): Promise<boolean> {
    const client = this.tables.client('BotState');
    const entity = stateEntity(key, json);
    try {
      if (etag === '*') await client.upsertEntity(entity, 'Replace');
      else if (etag) await client.updateEntity(entity, 'Replace', { etag });
      else await client.createEntity(entity);
      return true;
    } catch (err) {
      if (isWriteConflict(err) || isNotFound(err)) return false;
      throw err;
    }
  }

  async delete(keys: string[]): Promise<void> {
    const client = this.tables.client('BotState');
    await Promise.all(
      keys.map((key) => unlessNotFound(client.deleteEntity(safeKey(key), 'state'))),
    );
  }
}

function stateEntity(key: string, json: string) {
  const chunks: string[] = [];
  for (let i = 0; i < json.length; i += CHUNK) chunks.push(json.slice(i, i + CHUNK));
  if (chunks.length > MAX_CHUNKS)
    throw new Error(`state for one key exceeds ${MAX_CHUNKS * CHUNK} characters`);
  const entity: Record<string, unknown> & { partitionKey: string; rowKey: string } = {
    partitionKey: safeKey(key),
    rowKey: 'state',
    chunks: chunks.length,
  };
  chunks.forEach((c, i) => (entity[`c${i}`] = c));
  return entity;
}

type Doc = Record<string, unknown>;
const asDoc = (json: string | undefined): Doc => {
  const value: unknown = json === undefined ? {} : JSON.parse(json);
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Doc) : {};
};

/**
 * A three-way merge of top-level fields: a field `mine` changed since `base` takes my value
 * (absent = removed), any other keeps `theirs` (the document stored now).
 */
export function merged(base: string, mine: string, theirs: string | undefined): string {
  const [b, m, t] = [asDoc(base), asDoc(mine), asDoc(theirs)];
  const result: Doc = { ...t };
  for (const k of new Set([...Object.keys(b), ...Object.keys(m)])) {
    if (JSON.stringify(m[k]) === JSON.stringify(b[k])) continue;
    if (m[k] === undefined) delete result[k];
    else result[k] = m[k];
  }
  return JSON.stringify(result);
}
