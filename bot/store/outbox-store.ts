import crypto from 'node:crypto';
import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { z } from 'zod';
import type {
  Message,
  MessageAddress,
  MessageState,
  Outbox,
  StoredMessage,
} from '../messaging/outbox';
import { isConflict, isPreconditionFailed, unlessNotFound } from './errors';
import { postedCardSchema } from './posted-card-store';
import { getEntityOrUndefined, safeKey, type TableName, type Tables } from './tables';

/**
 * Table `Outbox` (docs/table-layout.md):
 * - PartitionKey `due`, RowKey `<dueAt ISO>|<table>|<partition>|<row>`: one hint per queued
 *   message, so the dispatcher finds what is due with one range query (RowKey < now) that reads
 *   only due hints, never the messages of every record. A hint is written BEFORE its message
 *   and deleted after the message is settled; a hint whose message does not exist (the
 *   transaction that was to store it failed) or is settled is just deleted.
 * - PartitionKey `msg_<0-f>`, RowKey = the message key: messages that belong to no record.
 *   Messages of a record live in the record's partition (RowKey `out-<key>`), written in the
 *   record's own transaction.
 * - PartitionKey `dead`, RowKey = message id: dead letters, for `npm run outbox -- dead|replay`.
 * - PartitionKey `lease`: see lease.ts.
 */
export const OUTBOX_ROW_PREFIX = 'out-';

const recipientSchema = z.union([
  z.object({ kind: z.literal('person'), id: z.string() }),
  z.object({ kind: z.literal('channel'), teamId: z.string(), channelId: z.string() }),
  z.object({
    kind: z.literal('copy'),
    card: z.object({ kind: z.string(), id: z.string() }),
    copy: postedCardSchema,
  }),
  z.object({ kind: z.literal('job') }),
]);

const json = <T extends z.ZodTypeAny>(schema: T) =>
  z.string().transform((text, ctx) => {
    try {
      return schema.parse(JSON.parse(text)) as z.infer<T>;
    } catch {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'invalid JSON' });
      return z.NEVER;
    }
  });

const storedMessageSchema: z.ZodType<StoredMessage, z.ZodTypeDef, unknown> = z.object({
  key: z.string(),
  type: z.string(),
  to: json(recipientSchema),
  params: json(z.record(z.union([z.string(), z.number(), z.boolean()]))),
  dueAt: z.string(),
  mode: z.enum(['once', 'latest']).optional(),
  remember: json(
    z.object({ card: z.object({ kind: z.string(), id: z.string() }), view: z.string() }),
  ).optional(),
  state: z.enum(['queued', 'sent', 'skipped', 'gone', 'dead']),
  attempts: z.number().int(),
  version: z.number().int(),
  sentAt: z.string().optional(),
  lastError: z.string().optional(),
});

type Entity = Record<string, unknown> & { partitionKey: string; rowKey: string };

/** The entity of a newly decided message at an address. */
export function messageEntity(message: Message, address: MessageAddress, version = 1): Entity {
  const entity: Entity = {
    partitionKey: address.partition,
    rowKey: address.row,
    key: message.key,
    type: message.type,
    to: JSON.stringify(message.to),
    params: JSON.stringify(message.params),
    dueAt: message.dueAt,
    state: 'queued' satisfies MessageState,
    attempts: 0,
    version,
  };
  if (message.mode) entity.mode = message.mode;
  if (message.remember) entity.remember = JSON.stringify(message.remember);
  return entity;
}

/** The row of a record's message in the record's partition. */
export const recordMessageRow = (key: string) => `${OUTBOX_ROW_PREFIX}${safeKey(key)}`;

/** An address as one printable id (for operators): `<table>|<partition>|<row>`, each encoded. */
export function messageId(address: MessageAddress): string {
  return [address.table, address.partition, address.row].map(safeKey).join('|');
}

export function addressOf(id: string): MessageAddress | undefined {
  const parts = id.split('|');
  if (parts.length !== 3) return undefined;
  try {
    const [table, partition, row] = parts.map(decodeURIComponent);
    return { table, partition, row };
  } catch {
    return undefined;
  }
}

export interface Hint {
  rowKey: string;
  dueAt: string;
  address: MessageAddress;
}

const hintRow = (dueAt: string, address: MessageAddress) => `${dueAt}|${messageId(address)}`;

function hintOf(rowKey: string): Hint | undefined {
  const at = rowKey.indexOf('|');
  const address = at > 0 ? addressOf(rowKey.slice(at + 1)) : undefined;
  return address ? { rowKey, dueAt: rowKey.slice(0, at), address } : undefined;
}

export class OutboxStore implements Outbox {
  /** Called after messages were stored, so a dispatcher in this process can start at once. */
  private listeners: (() => void)[] = [];

  constructor(private readonly tables: Tables) {}

  onWritten(listener: () => void): void {
    this.listeners.push(listener);
  }

  written(): void {
    for (const listener of this.listeners) listener();
  }

  private get client(): TableClient {
    return this.tables.client('Outbox');
  }

  private table(name: string): TableClient {
    return this.tables.client(name as TableName);
  }

  /** Writes the hints of messages about to be stored (before them: see the table comment). */
  async writeHints(hints: { dueAt: string; address: MessageAddress }[]): Promise<void> {
    if (hints.length === 0) return;
    const actions: TransactionAction[] = hints.map((h) => [
      'upsert',
      { partitionKey: 'due', rowKey: hintRow(h.dueAt, h.address) },
      'Replace',
    ]);
    for (let i = 0; i < actions.length; i += 100)
      await this.client.submitTransaction(actions.slice(i, i + 100));
  }

  async enqueue(messages: Message[]): Promise<string[]> {
    const addressed = messages.map((m) => ({ message: m, address: this.standaloneAddress(m.key) }));
    await this.writeHints(addressed.map((a) => ({ dueAt: a.message.dueAt, address: a.address })));
    const stored = await Promise.all(
      addressed.map(({ message, address }) => this.store(this.client, message, address)),
    );
    if (messages.length > 0) this.written();
    return messages.filter((_, i) => stored[i]).map((m) => m.key);
  }

  /** Stores one message: a 'once' message that exists stays; a 'latest' one is queued again. */
  private async store(client: TableClient, message: Message, address: MessageAddress) {
    try {
      await client.createEntity(messageEntity(message, address));
      return true;
    } catch (err) {
      if (!isConflict(err)) throw err;
      if (message.mode !== 'latest') return false;
      const current = await this.read(address);
      const version = (current?.message.version ?? 0) + 1;
      await client.upsertEntity(messageEntity(message, address, version), 'Replace');
      return true;
    }
  }

  standaloneAddress(key: string): MessageAddress {
    const shard = crypto.createHash('sha1').update(key).digest('hex')[0];
    return { table: 'Outbox', partition: `msg_${shard}`, row: safeKey(key) };
  }

  /**
   * Hints due at `now` (and not before `from`), oldest first: reads only those hints. With
   * `after` (the RowKey of the last hint of a page), the next page.
   */
  async due(now: Date, limit: number, from?: Date, after?: string): Promise<Hint[]> {
    const upTo = `${now.toISOString()}}`;
    const lower = from?.toISOString();
    const filter =
      after !== undefined && (lower === undefined || after >= lower)
        ? odata`PartitionKey eq 'due' and RowKey gt ${after} and RowKey lt ${upTo}`
        : lower !== undefined
          ? odata`PartitionKey eq 'due' and RowKey ge ${lower} and RowKey lt ${upTo}`
          : odata`PartitionKey eq 'due' and RowKey lt ${upTo}`;
    const hints: Hint[] = [];
    const pages = this.client
      .listEntities({ queryOptions: { filter, select: ['RowKey'] } })
      .byPage({ maxPageSize: Math.min(limit, 1000) });
    for await (const page of pages) {
      for (const e of page) {
        const hint = hintOf(String(e.rowKey));
        if (hint) hints.push(hint);
        else await this.deleteHint(String(e.rowKey));
      }
      if (hints.length >= limit) break;
    }
    return hints;
  }

  /** Every queued hint (operators' status). */
  async countQueued(): Promise<number> {
    let count = 0;
    for await (const _ of this.client.listEntities({
      queryOptions: { filter: odata`PartitionKey eq 'due'`, select: ['RowKey'] },
    }))
      count++;
    return count;
  }

  async read(
    address: MessageAddress,
  ): Promise<{ message: StoredMessage; etag: string } | undefined> {
    const e = await getEntityOrUndefined<Record<string, unknown>>(
      this.table(address.table),
      address.partition,
      address.row,
    );
    return e ? { message: storedMessageSchema.parse(e), etag: e.etag } : undefined;
  }

  /** Settles a message; false when it changed since it was read (a newer 'latest' decision). */
  async settle(
    address: MessageAddress,
    etag: string,
    patch: { state: MessageState; sentAt?: string; lastError?: string; attempts?: number },
  ): Promise<boolean> {
    try {
      await this.table(address.table).updateEntity(
        { partitionKey: address.partition, rowKey: address.row, ...withoutUndefined(patch) },
        'Merge',
        { etag },
      );
      return true;
    } catch (err) {
      if (isPreconditionFailed(err)) return false;
      throw err;
    }
  }

  /**
   * Settles several messages of one partition in one entity-group transaction, each guarded by
   * its etag: all or nothing (a changed one fails the whole transaction, and the caller settles
   * them one by one).
   */
  async settleMany(
    table: string,
    partition: string,
    items: {
      row: string;
      etag: string;
      patch: { state: MessageState; sentAt?: string; lastError?: string; attempts?: number };
    }[],
  ): Promise<void> {
    if (items.length === 0) return;
    await this.table(table).submitTransaction(
      items.map(({ row, etag, patch }) => [
        'update',
        { partitionKey: partition, rowKey: row, ...withoutUndefined(patch) },
        'Merge',
        { etag },
      ]),
    );
  }

  /** Moves a message to a later time: the new hint first, then the message, then the old hint. */
  async reschedule(
    hint: Hint,
    etag: string,
    dueAt: string,
    patch: { attempts?: number; lastError?: string } = {},
  ): Promise<boolean> {
    await this.writeHints([{ dueAt, address: hint.address }]);
    const { address } = hint;
    try {
      await this.table(address.table).updateEntity(
        { partitionKey: address.partition, rowKey: address.row, dueAt, ...withoutUndefined(patch) },
        'Merge',
        { etag },
      );
    } catch (err) {
      if (!isPreconditionFailed(err)) throw err;
      return false;
    }
    await this.deleteHint(hint.rowKey);
    return true;
  }

  async deleteHint(rowKey: string): Promise<void> {
    await unlessNotFound(this.client.deleteEntity('due', rowKey));
  }

  /** Deletes settled hints in transactions of 100 (one partition); one by one if a batch fails. */
  async deleteHints(rowKeys: string[]): Promise<void> {
    for (let i = 0; i < rowKeys.length; i += 100) {
      const chunk = rowKeys.slice(i, i + 100);
      try {
        await this.client.submitTransaction(
          chunk.map((rowKey) => ['delete', { partitionKey: 'due', rowKey }]),
        );
      } catch {
        // One of them was gone already (a second dispatcher, a replay): delete the rest singly.
        await Promise.all(chunk.map((rowKey) => this.deleteHint(rowKey)));
      }
    }
  }

  /**
   * The messages at several rows of one partition with one range query (the messages a change
   * decided live together in its record's partition). Rows not found are absent from the map.
   */
  async readMany(
    table: string,
    partition: string,
    rows: string[],
  ): Promise<Map<string, { message: StoredMessage; etag: string }>> {
    const sorted = [...rows].sort();
    const filter = odata`PartitionKey eq ${partition} and RowKey ge ${sorted[0]} and RowKey le ${sorted[sorted.length - 1]}`;
    const wanted = new Set(rows);
    const found = new Map<string, { message: StoredMessage; etag: string }>();
    for await (const e of this.table(table).listEntities<Record<string, unknown>>({
      queryOptions: { filter },
    })) {
      const row = String(e.rowKey);
      if (wanted.has(row))
        found.set(row, { message: storedMessageSchema.parse(e), etag: String(e.etag) });
    }
    return found;
  }

  async markDead(address: MessageAddress, at: string, reason: string): Promise<void> {
    await this.client.upsertEntity(
      { partitionKey: 'dead', rowKey: messageId(address), at, reason },
      'Replace',
    );
  }

  async deadLetters(): Promise<{ id: string; at: string; reason: string }[]> {
    const dead: { id: string; at: string; reason: string }[] = [];
    for await (const e of this.client.listEntities<{ at: string; reason: string }>({
      queryOptions: { filter: odata`PartitionKey eq 'dead'` },
    }))
      dead.push({ id: String(e.rowKey), at: e.at, reason: e.reason });
    return dead;
  }

  /** Queues a dead letter again, due now, with its attempts reset. */
  async replay(id: string, now: Date): Promise<boolean> {
    const address = addressOf(id);
    const found = address && (await this.read(address));
    if (!address || !found || found.message.state !== 'dead') return false;
    const dueAt = now.toISOString();
    await this.writeHints([{ dueAt, address }]);
    await this.table(address.table).updateEntity(
      { partitionKey: address.partition, rowKey: address.row, dueAt, state: 'queued', attempts: 0 },
      'Merge',
      { etag: found.etag },
    );
    await unlessNotFound(this.client.deleteEntity('dead', id));
    return true;
  }
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
