import type { Card } from '../../../bot/kernel/card-templates';
import type { ConversationDirectory } from '../../../bot/messaging/conversations';
import { DeliveryError, type Delivery } from '../../../bot/messaging/delivery';
import {
  Dispatcher,
  type DispatchStore,
  type Hint,
  type SettlePatch,
} from '../../../bot/messaging/dispatcher';
import { Notifier } from '../../../bot/messaging/notifier';
import type {
  Composer,
  DrawContext,
  Message,
  MessageAddress,
  StoredMessage,
} from '../../../bot/messaging/outbox';
import type { PostedCards } from '../../../bot/messaging/posted-cards';
import { SendLimiter } from '../../../bot/messaging/send-limits';
import { sharedRecordReads } from '../../../bot/deviations/deviation-composers';

/**
 * The dispatcher's pump with in-memory ports: sends keep flowing past a slow call, sends under
 * way are bounded, a record's settles share a transaction, hints are read page by page, a hint
 * whose message is not stored yet is left alone, a job's messages go in the same drain, and
 * the drain yields when asked to. Decision logic (outcomes, retries, 403/404) is in
 * tests/unit/kernel/notifier.test.ts.
 */
const NOW = new Date('2026-11-27T09:00:00.000Z');
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const id = (a: MessageAddress) => `${a.table}|${a.partition}|${a.row}`;

function memoryStore() {
  const messages = new Map<string, { message: StoredMessage; etag: number }>();
  const hints = new Map<string, Hint>();
  const calls = { due: [] as (string | undefined)[], settle: 0, settleMany: [] as number[] };
  const hintFor = (dueAt: string, address: MessageAddress): Hint => ({
    rowKey: `${dueAt}|${id(address)}`,
    dueAt,
    address,
  });
  const store: DispatchStore & {
    put(message: Message, address?: Partial<MessageAddress>, options?: { hint?: boolean }): Hint;
    putMessageOnly(message: Message, address: MessageAddress): void;
  } = {
    put(message, address = {}, options = {}) {
      const at: MessageAddress = { table: 'T', partition: 'p', row: message.key, ...address };
      messages.set(id(at), {
        message: { ...message, state: 'queued', attempts: 0, version: 1 },
        etag: 1,
      });
      const hint = hintFor(message.dueAt, at);
      if (options.hint !== false) hints.set(hint.rowKey, hint);
      return hint;
    },
    putMessageOnly(message, address) {
      messages.set(id(address), {
        message: { ...message, state: 'queued', attempts: 0, version: 1 },
        etag: 1,
      });
    },
    async due(now, limit, _from, after) {
      calls.due.push(after);
      return [...hints.values()]
        .filter((h) => h.dueAt <= now.toISOString() && (after === undefined || h.rowKey > after))
        .sort((a, b) => a.rowKey.localeCompare(b.rowKey))
        .slice(0, limit);
    },
    async read(address) {
      const found = messages.get(id(address));
      return found && { message: { ...found.message }, etag: String(found.etag) };
    },
    async settle(address, etag, patch) {
      calls.settle++;
      const found = messages.get(id(address))!;
      if (String(found.etag) !== etag) return false;
      found.message = { ...found.message, ...JSON.parse(JSON.stringify(patch)) };
      found.etag++;
      return true;
    },
    async settleMany(table, partition, items: { row: string; etag: string; patch: SettlePatch }[]) {
      const entries = items.map((i) => messages.get(id({ table, partition, row: i.row }))!);
      if (entries.some((e, k) => String(e.etag) !== items[k].etag))
        throw new Error('412 in the batch');
      calls.settleMany.push(items.length);
      entries.forEach((e, k) => {
        e.message = { ...e.message, ...JSON.parse(JSON.stringify(items[k].patch)) };
        e.etag++;
      });
    },
    async reschedule(hint, etag, dueAt, patch = {}) {
      const found = messages.get(id(hint.address))!;
      if (String(found.etag) !== etag) return false;
      const next = hintFor(dueAt, hint.address);
      hints.set(next.rowKey, next);
      found.message = { ...found.message, dueAt, ...patch };
      found.etag++;
      hints.delete(hint.rowKey);
      return true;
    },
    async deleteHint(rowKey) {
      hints.delete(rowKey);
    },
    async markDead() {},
  };
  return { store, messages, hints, calls };
}

interface Setup {
  send?: (reference: string) => Promise<void> | void;
  composers?: Composer[];
  gate?: SendLimiter;
  options?: ConstructorParameters<typeof Dispatcher>[1];
}

function setup(s: Setup = {}) {
  const mem = memoryStore();
  const sent: { reference: string; at: number }[] = [];
  let underWay = 0;
  let mostUnderWay = 0;
  const conversations: ConversationDirectory = {
    forUser: async (uid) => ({
      reference: `ref-${uid}`,
      conversationId: `c-${uid}`,
      updatedAt: '',
    }),
    forgetUser: async () => undefined,
    forChannel: async () => undefined,
    forgetChannel: async () => undefined,
  };
  const postedCards: PostedCards = {
    remember: async () => undefined,
    list: async () => [],
    forget: async () => undefined,
  };
  const delivery: Delivery = {
    async send(reference: string, _card: Card) {
      underWay++;
      mostUnderWay = Math.max(mostUnderWay, underWay);
      try {
        await s.send?.(reference);
      } finally {
        underWay--;
      }
      sent.push({ reference, at: Date.now() });
      return { activityId: `a${sent.length}` };
    },
    async update() {},
  };
  const note: Composer = { type: 'note', compose: async (m) => ({ card: { key: m.key } }) };
  const notifier = new Notifier({ delivery, conversations, postedCards });
  const dispatcher = new Dispatcher(
    {
      store: mem.store,
      notifier,
      gate:
        s.gate ??
        new SendLimiter({ countUntilAnswered: true, global: { count: 1000, windowMs: 1000 } }),
      composers: [note, ...(s.composers ?? [])],
    },
    { backoffMs: 5, ...s.options },
  );
  return { ...mem, dispatcher, sent, mostUnderWay: () => mostUnderWay };
}

const note = (key: string, to: string, extra: Partial<Message> = {}): Message => ({
  key,
  type: 'note',
  to: { kind: 'person', id: to },
  params: {},
  dueAt: NOW.toISOString(),
  ...extra,
});

test('one slow call does not hold the others: the pump refills as soon as a slot is free', async () => {
  const s = setup({
    send: async (reference) => {
      if (reference === 'ref-slow') await sleep(400);
    },
    options: { concurrency: 2 },
  });
  s.store.put(note('slow', 'slow'));
  for (let i = 0; i < 30; i++) s.store.put(note(`m${i}`, `u${i}`));
  const started = Date.now();
  expect(await s.dispatcher.drain(NOW)).toBe(31);
  // With two slots and one of them held for 400 ms, the 30 others went through the other.
  const others = s.sent.filter((x) => x.reference !== 'ref-slow');
  expect(others).toHaveLength(30);
  expect(Math.max(...others.map((x) => x.at)) - started).toBeLessThan(300);
  expect(s.hints.size).toBe(0);
});

test("messages held back by their conversation's limits do not hold back other conversations", async () => {
  const s = setup({
    gate: new SendLimiter({
      countUntilAnswered: true,
      perConversation: [{ count: 2, windowMs: 200 }],
      global: { count: 1000, windowMs: 1000 },
    }),
  });
  // Twenty for one chat sort first; three for others come after them.
  for (let i = 0; i < 20; i++) s.store.put(note(`a${String(i).padStart(2, '0')}`, 'busy'));
  for (let i = 0; i < 3; i++) s.store.put(note(`z${i}`, `other${i}`));
  const started = Date.now();
  expect(await s.dispatcher.drain(NOW)).toBe(23);
  const others = s.sent.filter((x) => x.reference !== 'ref-busy');
  expect(others.every((x) => x.at - started < 150)).toBe(true);
  // The busy chat got its twenty, two per 200 ms.
  const busy = s.sent.filter((x) => x.reference === 'ref-busy').map((x) => x.at);
  expect(busy).toHaveLength(20);
  expect(busy[19] - busy[0]).toBeGreaterThanOrEqual(1700);
});

test('a chat with more messages waiting than are drawn ahead does not keep the others from being drawn', async () => {
  const s = setup({
    gate: new SendLimiter({
      countUntilAnswered: true,
      perConversation: [{ count: 1, windowMs: 100 }],
      global: { count: 1000, windowMs: 1000 },
    }),
    options: { readyAhead: 4 },
  });
  for (let i = 0; i < 12; i++) s.store.put(note(`a${String(i).padStart(2, '0')}`, 'busy'));
  for (let i = 0; i < 3; i++) s.store.put(note(`z${i}`, `other${i}`));
  const started = Date.now();
  expect(await s.dispatcher.drain(NOW)).toBe(15);
  const others = s.sent.filter((x) => x.reference !== 'ref-busy');
  expect(others.every((x) => x.at - started < 150)).toBe(true);
});

test('sends under way, and sent but not settled, never exceed the concurrency', async () => {
  const s = setup({ send: () => sleep(5), options: { concurrency: 3, prepareConcurrency: 10 } });
  for (let i = 0; i < 40; i++) s.store.put(note(`m${i}`, `u${i}`));
  await s.dispatcher.drain(NOW);
  expect(s.sent).toHaveLength(40);
  expect(s.mostUnderWay()).toBeLessThanOrEqual(3);
});

test('hints are read page by page after the last one read, and everything due is sent', async () => {
  const s = setup({ options: { pageSize: 10 } });
  for (let i = 0; i < 35; i++) s.store.put(note(`m${String(i).padStart(2, '0')}`, `u${i}`));
  expect(await s.dispatcher.drain(NOW)).toBe(35);
  expect(new Set(s.sent.map((x) => x.reference)).size).toBe(35);
  // The second page starts after the first one's last hint.
  expect(s.calls.due.filter((after) => after !== undefined).length).toBeGreaterThanOrEqual(3);
  expect(s.hints.size).toBe(0);
});

test("the settles of one record's messages share one transaction", async () => {
  const ran: string[] = [];
  const job: Composer = { type: 'job', run: async (m) => void ran.push(m.key) };
  const s = setup({ composers: [job] });
  const record = { table: 'Deviations', partition: 'AVV-2026-0001' };
  s.store.put(note('handler-card', 'leader'), { ...record, row: 'out-handler-card' });
  s.store.put(note('receipt', 'reporter'), { ...record, row: 'out-receipt' });
  s.store.put(
    { key: 'sync', type: 'job', to: { kind: 'job' }, params: {}, dueAt: NOW.toISOString() },
    { ...record, row: 'out-sync' },
  );
  expect(await s.dispatcher.drain(NOW)).toBe(3);
  expect(ran).toEqual(['sync']);
  expect(s.calls.settleMany).toEqual([3]);
  expect(s.calls.settle).toBe(0);
  expect([...s.messages.values()].every((m) => m.message.state === 'sent')).toBe(true);
});

test('a batch with a message that changed meanwhile is settled one by one: the changed one stays queued', async () => {
  const s = setup();
  const record = { table: 'Deviations', partition: 'AVV-2026-0002' };
  s.store.put(note('a', 'ann'), { ...record, row: 'out-a' });
  const changed = s.store.put(note('b', 'bob'), { ...record, row: 'out-b' });
  // Another decision of 'b' lands after it was read: its etag moves on.
  const read = s.store.read.bind(s.store);
  s.store.read = async (address) => {
    const found = await read(address);
    if (address.row === 'out-b') s.messages.get(id(address))!.etag++;
    return found;
  };
  await s.dispatcher.drain(NOW);
  expect(s.calls.settleMany).toEqual([]);
  expect(s.messages.get(id({ ...record, row: 'out-a' }))!.message.state).toBe('sent');
  expect(s.messages.get(id({ ...record, row: 'out-b' }))!.message.state).toBe('queued');
  // Its hint stays: the newer decision is sent by it (or by its own newer hint).
  expect(s.hints.has(changed.rowKey)).toBe(true);
});

test('a message stored a moment after its hint (its change was under way) is sent in the same drain', async () => {
  const s = setup();
  const address = { table: 'Deviations', partition: 'AVV-2026-0005', row: 'out-soon' };
  s.store.put(note('soon', 'ann'), address);
  s.messages.delete(id(address));
  setTimeout(() => s.store.putMessageOnly(note('soon', 'ann'), address), 60);
  expect(await s.dispatcher.drain(NOW)).toBe(1);
  expect(s.sent.map((x) => x.reference)).toEqual(['ref-ann']);
  expect(s.hints.size).toBe(0);
});

test('a hint of a newer decision whose message still holds the older one waits for it', async () => {
  const s = setup();
  const address = { table: 'Outbox', partition: 'msg_1', row: 'copy' };
  const older = note('copy', 'ann', { dueAt: '2026-11-27T08:00:00.000Z' });
  // The newer decision's hint is written; its message still holds the older one, sent.
  s.store.put(note('copy', 'ann'), address);
  s.store.putMessageOnly(older, address);
  s.messages.get(id(address))!.message.state = 'sent';
  setTimeout(() => s.store.putMessageOnly(note('copy', 'ann'), address), 60);
  expect(await s.dispatcher.drain(NOW)).toBe(1);
  expect(s.sent).toHaveLength(1);
  expect(s.hints.size).toBe(0);
});

test('a hint whose message is not stored yet is left alone (its transaction may be under way)', async () => {
  const s = setup({ options: { orphanGraceMs: 60_000 } });
  const address = { table: 'Deviations', partition: 'AVV-2026-0003', row: 'out-late' };
  const hint = s.store.put(note('late', 'ann'), address, { hint: true });
  s.messages.delete(id(address));
  expect(await s.dispatcher.drain(NOW)).toBe(0);
  expect(s.hints.has(hint.rowKey)).toBe(true);
  // The transaction commits: the next look finds and sends it.
  s.store.putMessageOnly(note('late', 'ann'), address);
  s.dispatcher.orphans.get(hint.rowKey)!.next = 0;
  expect(await s.dispatcher.drain(NOW)).toBe(1);
  expect(s.hints.size).toBe(0);
});

test('a hint whose message never came is deleted after the grace period', async () => {
  const s = setup({ options: { orphanGraceMs: 0 } });
  const address = { table: 'Deviations', partition: 'AVV-2026-0004', row: 'out-never' };
  s.store.put(note('never', 'ann'), address);
  s.messages.delete(id(address));
  await s.dispatcher.drain(NOW);
  expect(s.hints.size).toBe(0);
});

test('messages a job queues for now are sent in the same drain', async () => {
  let s!: ReturnType<typeof setup>;
  const fanOut: Composer = {
    type: 'fan-out',
    run: async () => {
      for (let i = 0; i < 3; i++) s.store.put(note(`copy${i}`, `c${i}`));
    },
  };
  s = setup({ composers: [fanOut] });
  // Sorts after the copies it queues: they come before the cursor of the first sweep.
  s.store.put({
    key: 'z-job',
    type: 'fan-out',
    to: { kind: 'job' },
    params: {},
    dueAt: NOW.toISOString(),
  });
  expect(await s.dispatcher.drain(NOW)).toBe(4);
  expect(s.sent).toHaveLength(3);
  expect(s.hints.size).toBe(0);
});

test('the drain starts nothing new while its pace says wait, and goes on after', async () => {
  const s = setup();
  for (let i = 0; i < 5; i++) s.store.put(note(`m${i}`, `u${i}`));
  let release!: () => void;
  let waiting: Promise<void> | undefined = new Promise<void>((r) => (release = r));
  const drained = s.dispatcher.drain(NOW, undefined, { pace: () => waiting });
  await sleep(50);
  expect(s.sent).toEqual([]);
  waiting = undefined;
  release();
  expect(await drained).toBe(5);
});

test('stop: what is under way finishes, the rest stays queued for the next drain', async () => {
  let stopping = false;
  const s = setup({
    send: async () => {
      stopping = true;
      await sleep(20);
    },
    options: { concurrency: 1 },
  });
  for (let i = 0; i < 10; i++) s.store.put(note(`m${i}`, `u${i}`));
  const settled = await s.dispatcher.drain(NOW, () => stopping);
  expect(settled).toBe(1);
  expect(s.hints.size).toBe(9);
  expect(await s.dispatcher.drain(NOW)).toBe(9);
});

test('a 429 holds back its conversation only; the message waits in memory and goes after Retry-After', async () => {
  let first = true;
  const s = setup({
    send: (reference) => {
      if (reference === 'ref-ann' && first) {
        first = false;
        throw new DeliveryError(429, 'Too Many Requests', 200);
      }
    },
  });
  s.store.put(note('a', 'ann'));
  for (let i = 0; i < 5; i++) s.store.put(note(`m${i}`, `u${i}`));
  const started = Date.now();
  expect(await s.dispatcher.drain(NOW)).toBe(6);
  const ann = s.sent.find((x) => x.reference === 'ref-ann')!;
  expect(ann.at - started).toBeGreaterThanOrEqual(190);
  expect(s.sent.filter((x) => x.reference !== 'ref-ann').every((x) => x.at - started < 150)).toBe(
    true,
  );
});

describe('shared record reads (deviation composers)', () => {
  test('a read is shared by messages read before it started, never by later ones', async () => {
    let t = 0;
    let reads = 0;
    const read = sharedRecordReads(
      async (ref) => {
        reads++;
        return { record: { ref, rev: reads } as never, etag: `e${reads}` };
      },
      () => t,
    );
    const at = (readAt: number): DrawContext => ({ readAt });
    t = 10;
    const first = await read('AVV-1', at(5));
    t = 11;
    // Read at 8, before the read that started at 10: it shares it.
    expect(await read('AVV-1', at(8))).toBe(first);
    // Read at 12, after it: its change may be newer, so it reads again.
    t = 13;
    const second = await read('AVV-1', at(12));
    expect(second).not.toBe(first);
    // Without a context: always afresh.
    await read('AVV-1');
    expect(reads).toBe(3);
  });
});
