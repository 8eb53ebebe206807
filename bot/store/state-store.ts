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

export class StateConflictError extends Error {}

export class StateStore {
  constructor(private readonly tables: Tables) {}

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
      }),
    );
    return found;
  }

  /** Writes a document; with an etag it must not have changed since ('*' = any). */
  async write(key: string, json: string, etag?: string): Promise<void> {
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
    const client = this.tables.client('BotState');
    try {
      if (etag && etag !== '*') await client.updateEntity(entity, 'Replace', { etag });
      else await client.upsertEntity(entity, 'Replace');
    } catch (err) {
      if (isWriteConflict(err) || isNotFound(err))
        throw new StateConflictError(`state ${key} changed since it was read`);
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
