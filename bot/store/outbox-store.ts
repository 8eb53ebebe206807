import crypto from 'node:crypto';
import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { z } from 'zod';
import type { Hint } from '../messaging/dispatcher';
import type { HintRequest, WrittenHint } from '../messaging/outbox';
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
 *   The messages one change decides for one record, due at the same time, share one hint row:
 *   RowKey `<dueAt ISO>|<table>|<partition>|*<random>` with their rows in property `rows` (JSON;
 *   a literal `*` never comes out of safeKey, and the random part keeps two writes apart). It is
 *   one plain write instead of an entity-group transaction (the costly kind for the client and
 *   the service alike). The dispatcher sees one hint per message (with the key its own hint
 *   row would have); the group row is deleted when each of them was (while this process runs;
 *   after a restart the group is read again, and messages already settled are just spent).
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

const hintRow = (dueAt: string, address: MessageAddress) => `${dueAt}|${messageId(address)}`;

/** Starts the last part of a group hint's RowKey: every message of one record due at one time. */
const GROUP_MARK = '*';

const groupRow = (dueAt: string, table: string, partition: string) =>
  `${dueAt}|${safeKey(table)}|${safeKey(partition)}|${GROUP_MARK}${crypto.randomBytes(6).toString('hex')}`;

/** A group hint's time and record, from its RowKey; undefined for any other row. */
function groupOf(rowKey: string): { dueAt: string; table: string; partition: string } | undefined {
  const parts = rowKey.split('|');
  if (parts.length !== 4 || !parts[3].startsWith(GROUP_MARK)) return undefined;
  try {
    return {
      dueAt: parts[0],
      table: decodeURIComponent(parts[1]),
      partition: decodeURIComponent(parts[2]),
    };
  } catch {
    return undefined;
  }
}

function hintOf(rowKey: string): Hint | undefined {
  const at = rowKey.indexOf('|');
  const address = at > 0 ? addressOf(rowKey.slice(at + 1)) : undefined;
  return address ? { rowKey, dueAt: rowKey.slice(0, at), address } : undefined;
}

/** The message rows a group hint names (its `rows` property); undefined when unreadable. */
function rowsOf(value: unknown): string[] | undefined {
  try {
    const rows: unknown = JSON.parse(String(value));
    return Array.isArray(rows) && rows.every((r) => typeof r === 'string') ? rows : undefined;
  } catch {
    return undefined;
  }
}

/**
 * RowKeys of the `due` partition from here on are no hints (a hint starts with its due time):
 * the form claims live there (store/claims.ts), so that a claim and its hints are one write.
 */
export const AFTER_HINTS = '~';

/**
 * The hint rows for messages about to be stored: messages of one record due at one time share
 * a group row (one write instead of a transaction); one message alone keeps its plain hint.
 */
export function hintEntities(hints: HintRequest[]): Entity[] {
  const groups = new Map<string, { dueAt: string; address: MessageAddress; rows: string[] }>();
  for (const h of hints) {
    const key = JSON.stringify([h.dueAt, h.address.table, h.address.partition]);
    const group = groups.get(key) ?? { dueAt: h.dueAt, address: h.address, rows: [] };
    if (!group.rows.includes(h.address.row)) group.rows.push(h.address.row);
    groups.set(key, group);
  }
  const rows = new Map<string, Entity>();
  for (const { dueAt, address, rows: members } of groups.values()) {
    if (members.length === 1) {
      const rowKey = hintRow(dueAt, { ...address, row: members[0] });
      rows.set(rowKey, { partitionKey: 'due', rowKey });
    } else {
      const rowKey = groupRow(dueAt, address.table, address.partition);
      rows.set(rowKey, { partitionKey: 'due', rowKey, rows: JSON.stringify(members) });
    }
  }
  return [...rows.values()];
}

export class OutboxStore implements Outbox {
  /** Called after messages were stored, so a dispatcher in this process can start at once. */
  private listeners: (() => void)[] = [];
  /**
   * Group hints read by this process: the hint keys of their members not yet deleted, and of
   * those deleted (not handed out again). The group row goes when no member is left. A
   * member's key is the key its plain hint would have, so that two groups naming the same
   * message (two changes racing, one of which failed) give the dispatcher one hint, not two.
   */
  private readonly groups = new Map<string, { open: Set<string>; done: Set<string> }>();
  /** The groups each member key was read in. */
  private readonly memberOf = new Map<string, Set<string>>();

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

  /**
   * Writes the hints of messages about to be stored (before them: see the table comment): one
   * row is one plain write, more go in transactions of 100.
   */
  async writeHints(hints: HintRequest[]): Promise<WrittenHint[]> {
    const entities = hintEntities(hints);
    if (entities.length === 1) {
      const { etag } = await this.client.upsertEntity(entities[0], 'Replace');
      return [{ rowKey: entities[0].rowKey, etag }];
    }
    const written: WrittenHint[] = [];
    const actions: TransactionAction[] = entities.map((e) => ['upsert', e, 'Replace']);
    for (let i = 0; i < actions.length; i += 100) {
      const { subResponses } = await this.client.submitTransaction(actions.slice(i, i + 100));
      entities
        .slice(i, i + 100)
        .forEach((e, k) => written.push({ rowKey: e.rowKey, etag: subResponses[k]?.etag }));
    }
    return written;
  }

  /**
   * Takes back hints written for a change that was not made (a form claimed by an earlier
   * submit): a group row is this writer's own (its key has a random part); a plain row goes
   * only if nobody wrote it since (its etag), since an equal change may have written it too.
   * What cannot be taken back is dropped by the dispatcher after its grace period.
   */
  async withdrawHints(written: WrittenHint[]): Promise<void> {
    await Promise.all(
      written.map(async ({ rowKey, etag }) => {
        if (groupOf(rowKey)) return unlessNotFound(this.client.deleteEntity('due', rowKey));
        if (!etag) return;
        try {
          await unlessNotFound(this.client.deleteEntity('due', rowKey, { etag }));
        } catch (err) {
          if (!isPreconditionFailed(err)) throw err;
        }
      }),
    );
  }

  /** The hints of a group row's members, minus those this process deleted already. */
  private membersOf(rowKey: string, rowsJson: unknown): Hint[] | undefined {
    const group = groupOf(rowKey);
    const rows = rowsOf(rowsJson);
    if (!group || !rows) return undefined;
    const known = this.groups.get(rowKey) ?? { open: new Set<string>(), done: new Set<string>() };
    this.groups.set(rowKey, known);
    const members: Hint[] = [];
    for (const row of rows) {
      const address = { table: group.table, partition: group.partition, row };
      const member = hintRow(group.dueAt, address);
      if (known.done.has(member)) continue;
      known.open.add(member);
      const groups = this.memberOf.get(member) ?? new Set<string>();
      this.memberOf.set(member, groups.add(rowKey));
      members.push({ rowKey: member, dueAt: group.dueAt, address, readFrom: rowKey });
    }
    return members;
  }

  /** A member's hint is deleted: the group rows left without members, to delete now. */
  private memberDeleted(member: string): string[] {
    const emptied: string[] = [];
    for (const group of this.memberOf.get(member) ?? []) {
      const known = this.groups.get(group);
      if (!known) continue;
      known.open.delete(member);
      known.done.add(member);
      if (known.open.size > 0) continue;
      this.groups.delete(group);
      emptied.push(group);
    }
    this.memberOf.delete(member);
    return emptied;
  }

  private isMember(rowKey: string): boolean {
    return (this.memberOf.get(rowKey)?.size ?? 0) > 0;
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
    // A message named by two group rows (two changes racing) is one hint.
    const seen = new Set<string>();
    const pages = this.client
      .listEntities<{ rows?: string }>({ queryOptions: { filter, select: ['RowKey', 'rows'] } })
      .byPage({ maxPageSize: Math.min(limit, 1000) });
    for await (const page of pages) {
      for (const e of page) {
        const rowKey = String(e.rowKey);
        if (groupOf(rowKey)) {
          const members = this.membersOf(rowKey, e.rows);
          if (members && members.length > 0) {
            for (const m of members) if (!seen.has(m.rowKey)) hints.push(m);
            for (const m of members) seen.add(m.rowKey);
          }
          // Unreadable, or every member was deleted here already.
          else await this.deleteGroup(rowKey);
          continue;
        }
        const hint = hintOf(rowKey);
        if (hint && !seen.has(rowKey)) hints.push(hint);
        if (hint) seen.add(rowKey);
        else await this.deleteHint(rowKey);
      }
      if (hints.length >= limit) break;
    }
    return hints;
  }

  /** Every queued hint (operators' status): a group row counts its members. */
  async countQueued(): Promise<number> {
    let count = 0;
    for await (const e of this.client.listEntities<{ rows?: string }>({
      queryOptions: {
        filter: odata`PartitionKey eq 'due' and RowKey lt ${AFTER_HINTS}`,
        select: ['RowKey', 'rows'],
      },
    })) {
      count += (e.rows === undefined ? undefined : rowsOf(e.rows))?.length ?? 1;
    }
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
    if (this.isMember(rowKey)) {
      for (const group of this.memberDeleted(rowKey)) await this.deleteGroup(group);
      return;
    }
    await unlessNotFound(this.client.deleteEntity('due', rowKey));
  }

  private async deleteGroup(rowKey: string): Promise<void> {
    const known = this.groups.get(rowKey);
    for (const member of known?.open ?? []) {
      const groups = this.memberOf.get(member);
      groups?.delete(rowKey);
      if (groups?.size === 0) this.memberOf.delete(member);
    }
    this.groups.delete(rowKey);
    await unlessNotFound(this.client.deleteEntity('due', rowKey));
  }

  /** Deletes settled hints in transactions of 100 (one partition); one by one if a batch fails. */
  async deleteHints(hintKeys: string[]): Promise<void> {
    const rowKeys: string[] = [];
    for (const key of hintKeys) {
      if (!this.isMember(key)) rowKeys.push(key);
      else
        for (const group of this.memberDeleted(key))
          if (!rowKeys.includes(group)) rowKeys.push(group);
    }
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
