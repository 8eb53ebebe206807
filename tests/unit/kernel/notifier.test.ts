import type { Card } from '../../../bot/kernel/card-templates';
import type {
  ConversationDirectory,
  StoredConversation,
} from '../../../bot/messaging/conversations';
import { DeliveryError, RecipientGoneError, type Delivery } from '../../../bot/messaging/delivery';
import {
  Dispatcher,
  type DispatcherOptions,
  type DispatchStore,
  type Hint,
  type Settled,
} from '../../../bot/messaging/dispatcher';
import { Notifier } from '../../../bot/messaging/notifier';
import type {
  Composer,
  Message,
  MessageAddress,
  StoredMessage,
} from '../../../bot/messaging/outbox';
import type { CardKey, PostedCard, PostedCards } from '../../../bot/messaging/posted-cards';
import { SendLimiter } from '../../../bot/messaging/send-limits';

/**
 * The Notifier and the Dispatcher with their ports as plain in-memory objects: no tables, no
 * connector. What is checked here is the decision logic; Azurite and HTTP are the e2e tests'.
 */
const conversation = (id: string, locale?: string): StoredConversation => ({
  reference: `ref-${id}`,
  conversationId: `conv-${id}`,
  locale,
  updatedAt: '2026-11-27T08:00:00.000Z',
});

const NOW = new Date('2026-11-27T09:00:00.000Z');

function memoryStore(): DispatchStore & {
  put(message: Message): void;
  messages: Map<string, { message: StoredMessage; etag: number }>;
  hints: Map<string, Hint>;
  dead: string[];
} {
  const messages = new Map<string, { message: StoredMessage; etag: number }>();
  const hints = new Map<string, Hint>();
  const dead: string[] = [];
  const id = (a: MessageAddress) => `${a.table}|${a.partition}|${a.row}`;
  const hintFor = (dueAt: string, address: MessageAddress): Hint => ({
    rowKey: `${dueAt}|${id(address)}`,
    dueAt,
    address,
  });
  return {
    messages,
    hints,
    dead,
    put(message) {
      const address = { table: 'T', partition: 'p', row: message.key };
      messages.set(id(address), {
        message: { ...message, state: 'queued', attempts: 0, version: 1 },
        etag: 1,
      });
      const hint = hintFor(message.dueAt, address);
      hints.set(hint.rowKey, hint);
    },
    async due(now, limit) {
      return [...hints.values()]
        .filter((h) => h.dueAt <= now.toISOString())
        .sort((a, b) => a.rowKey.localeCompare(b.rowKey))
        .slice(0, limit);
    },
    async read(address) {
      const found = messages.get(id(address));
      return found && { message: { ...found.message }, etag: String(found.etag) };
    },
    async settle(address, etag, patch) {
      const found = messages.get(id(address))!;
      if (String(found.etag) !== etag) return false;
      found.message = { ...found.message, ...JSON.parse(JSON.stringify(patch)) };
      found.etag++;
      return true;
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
    async markDead(address) {
      dead.push(id(address));
    },
  };
}

function setup(
  answer: (reference: string, attempt: number) => void = () => undefined,
  options: DispatcherOptions = { backoffMs: 5 },
) {
  const users = new Map([
    ['ingrid', conversation('ingrid', 'nb-NO')],
    ['anne', conversation('anne', 'en-GB')],
    ['lars', conversation('lars', 'nb-NO')],
  ]);
  const posted: { key: CardKey; card: PostedCard }[] = [];
  const sent: { reference: string; card: Card; at: number }[] = [];
  const attempts = new Map<string, number>();
  const conversations: ConversationDirectory = {
    forUser: async (uid) => users.get(uid),
    forgetUser: async (uid) => void users.delete(uid),
    forChannel: async () => undefined,
    forgetChannel: async () => undefined,
  };
  const postedCards: PostedCards = {
    remember: async (key, card) => void posted.push({ key, card }),
    list: async () => [],
    forget: async () => undefined,
  };
  const delivery: Delivery = {
    async send(reference, card) {
      const n = (attempts.get(reference) ?? 0) + 1;
      attempts.set(reference, n);
      answer(reference, n);
      sent.push({ reference, card, at: Date.now() });
      return { activityId: `a${sent.length}` };
    },
    async update() {},
  };
  const gone: string[] = [];
  const ran: string[] = [];
  const composer: Composer = {
    type: 'note',
    async compose(m, language) {
      return m.params.skip ? { skip: 'closed' } : { card: { lang: language, key: m.key } };
    },
    async onGone(m) {
      gone.push(m.key);
    },
  };
  const job: Composer = { type: 'job', run: async (m) => void ran.push(m.key) };
  const store = memoryStore();
  const settled: Settled[] = [];
  const notifier = new Notifier({ delivery, conversations, postedCards });
  const dispatcher = new Dispatcher(
    {
      store,
      notifier,
      gate: new SendLimiter(),
      composers: [composer, job],
      onSettled: (s) => settled.push(s),
    },
    options,
  );
  return { store, dispatcher, notifier, sent, posted, users, gone, ran, settled };
}

const note = (key: string, to: string, extra: Partial<Message> = {}): Message => ({
  key,
  type: 'note',
  to: { kind: 'person', id: to },
  params: {},
  dueAt: NOW.toISOString(),
  ...extra,
});

describe('Notifier and Dispatcher', () => {
  test("a due message is drawn in the recipient's language, sent once, settled, and its hint removed", async () => {
    const s = setup();
    s.store.put(
      note('n1', 'anne', {
        remember: { card: { kind: 'deviation', id: 'AVV-1' }, view: 'handler' },
      }),
    );
    s.store.put(note('n2', 'ingrid'));
    expect(await s.dispatcher.drain(NOW)).toBe(2);
    expect(s.sent.map((x) => [x.reference, x.card.lang]).sort()).toEqual([
      ['ref-anne', 'en'],
      ['ref-ingrid', 'nb'],
    ]);
    expect(s.store.hints.size).toBe(0);
    expect([...s.store.messages.values()].map((m) => m.message.state)).toEqual(['sent', 'sent']);
    expect(s.posted).toEqual([
      {
        key: { kind: 'deviation', id: 'AVV-1' },
        card: expect.objectContaining({ ownerId: 'anne', view: 'handler', activityId: 'a1' }),
      },
    ]);
    // Nothing is sent twice.
    expect(await s.dispatcher.drain(NOW)).toBe(0);
    expect(s.sent).toHaveLength(2);
  });

  test('a copy updated in place (the form that became the receipt) is remembered under its new card', async () => {
    const s = setup();
    const copy = {
      ownerId: 'anne',
      view: 'form',
      conversationId: 'chat-anne',
      activityId: 'act-7',
      reference: 'ref-anne',
    };
    const card = { kind: 'deviation', id: 'AVV-2' };
    s.store.put(
      note('in-place', 'anne', {
        to: { kind: 'copy', card, copy },
        mode: 'latest',
        remember: { card, view: 'receipt' },
      }),
    );
    s.store.put(
      note('plain-copy', 'anne', {
        to: { kind: 'copy', card, copy: { ...copy, activityId: 'act-8' } },
      }),
    );
    expect(await s.dispatcher.drain(NOW)).toBe(2);
    expect(s.posted).toEqual([{ key: card, card: { ...copy, view: 'receipt' } }]);
  });

  test('a message that is not due yet waits', async () => {
    const s = setup();
    s.store.put(note('later', 'ingrid', { dueAt: new Date(NOW.getTime() + 60_000).toISOString() }));
    expect(await s.dispatcher.drain(NOW)).toBe(0);
    expect(s.sent).toEqual([]);
    expect(await s.dispatcher.drain(new Date(NOW.getTime() + 60_000))).toBe(1);
  });

  test('a message no longer wanted at send time is skipped, not sent', async () => {
    const s = setup();
    s.store.put(note('closed', 'ingrid', { params: { skip: true } }));
    await s.dispatcher.drain(NOW);
    expect(s.sent).toEqual([]);
    expect(s.settled.map((x) => x.outcome)).toEqual(['skipped']);
  });

  test.each([403, 404] as const)(
    'a recipient who is gone (%i) is forgotten, and the composer re-routes',
    async (status) => {
      const s = setup((reference) => {
        if (reference === 'ref-lars') throw new RecipientGoneError(status);
      });
      s.store.put(note('to-lars', 'lars'));
      s.store.put(note('to-ingrid', 'ingrid'));
      await s.dispatcher.drain(NOW);
      expect(s.users.has('lars')).toBe(false);
      expect(s.gone).toEqual(['to-lars']);
      expect(s.sent.map((x) => x.reference)).toEqual(['ref-ingrid']);
    },
  );

  test('someone without the bot is not reached, and the composer hears of it', async () => {
    const s = setup();
    s.store.put(note('nobody', 'not-installed'));
    await s.dispatcher.drain(NOW);
    expect(s.gone).toEqual(['nobody']);
    expect(await s.notifier.canReach('not-installed')).toBe(false);
    expect(await s.notifier.canReach('ingrid')).toBe(true);
  });

  test('5xx is retried with back-off and succeeds; after the cap it becomes a dead letter', async () => {
    const flaky = setup((reference, attempt) => {
      if (reference === 'ref-ingrid' && attempt < 3)
        throw new DeliveryError(503, 'Service Unavailable');
    });
    flaky.store.put(note('flaky', 'ingrid'));
    for (let i = 0; i < 20 && flaky.sent.length === 0; i++) {
      await flaky.dispatcher.drain(new Date(NOW.getTime() + 3_600_000 * (i + 1)));
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(flaky.sent).toHaveLength(1);
    expect([...flaky.store.messages.values()][0].message).toMatchObject({
      state: 'sent',
      attempts: 2,
    });

    const broken = setup(() => {
      throw new DeliveryError(500, 'Internal Server Error');
    });
    broken.store.put(note('broken', 'ingrid'));
    for (let i = 0; i < 40 && broken.store.dead.length === 0; i++) {
      await broken.dispatcher.drain(new Date(NOW.getTime() + 3_600_000 * (i + 1)));
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(broken.store.dead).toHaveLength(1);
    expect([...broken.store.messages.values()][0].message).toMatchObject({
      state: 'dead',
      attempts: 12,
    });
    expect(broken.store.hints.size).toBe(0);
  });

  test('with the default back-off a connector outage of 20 minutes leaves no dead letter; one that lasts does, after about half an hour', async () => {
    /** Drains at each time the message is due again (business time) until it is settled. */
    const drainThrough = async (s: ReturnType<typeof setup>) => {
      const stored = () => [...s.store.messages.values()][0].message;
      for (let i = 0; i < 50 && stored().state === 'queued'; i++)
        await s.dispatcher.drain(new Date(stored().dueAt));
      return stored();
    };
    const outageEnds = NOW.getTime() + 20 * 60_000;
    let now = NOW.getTime();
    const outage = setup(() => {
      if (now < outageEnds) throw new DeliveryError(503, 'Service Unavailable');
    }, {});
    outage.store.put(note('outage', 'ingrid'));
    const drain = outage.dispatcher.drain.bind(outage.dispatcher);
    outage.dispatcher.drain = (at, ...rest) => ((now = at.getTime()), drain(at, ...rest));
    const delivered = await drainThrough(outage);
    expect(delivered.state).toBe('sent');
    expect(Date.parse(delivered.dueAt)).toBeGreaterThanOrEqual(outageEnds);
    expect(outage.store.dead).toEqual([]);

    const lasting = setup(() => {
      throw new DeliveryError(500, 'Internal Server Error');
    }, {});
    lasting.store.put(note('lasting', 'ingrid'));
    const dead = await drainThrough(lasting);
    expect(dead).toMatchObject({ state: 'dead', attempts: 12 });
    const triedFor = Date.parse(dead.dueAt) - NOW.getTime();
    expect(triedFor).toBeGreaterThan(25 * 60_000);
    expect(triedFor).toBeLessThan(60 * 60_000);
  });

  test('a 400 is not retried: it is a dead letter at once', async () => {
    const s = setup(() => {
      throw new DeliveryError(400, 'Bad Request');
    });
    s.store.put(note('bad', 'ingrid'));
    await s.dispatcher.drain(NOW);
    expect(s.store.dead).toHaveLength(1);
  });

  test('a 429 makes only that conversation wait (Retry-After); the others go on', async () => {
    const s = setup((reference, attempt) => {
      if (reference === 'ref-anne' && attempt === 1)
        throw new DeliveryError(429, 'Too Many Requests', 300);
    });
    s.store.put(note('a1', 'anne'));
    s.store.put(note('i1', 'ingrid'));
    s.store.put(note('l1', 'lars'));
    const started = Date.now();
    await s.dispatcher.drain(NOW);
    const anne = s.sent.find((x) => x.reference === 'ref-anne')!;
    const others = s.sent.filter((x) => x.reference !== 'ref-anne');
    expect(others).toHaveLength(2);
    expect(others.every((x) => x.at - started < 250)).toBe(true);
    expect(anne.at - started).toBeGreaterThanOrEqual(290);
    expect([...s.store.messages.values()].every((m) => m.message.state === 'sent')).toBe(true);
  });

  test('a job runs once and is settled', async () => {
    const s = setup();
    s.store.put({
      key: 'sync:2',
      type: 'job',
      to: { kind: 'job' },
      params: {},
      dueAt: NOW.toISOString(),
    });
    await s.dispatcher.drain(NOW);
    await s.dispatcher.drain(NOW);
    expect(s.ran).toEqual(['sync:2']);
  });

  test('a message decided again meanwhile (a newer version) is not marked sent by the older send', async () => {
    const s = setup();
    s.store.put(note('copy', 'ingrid'));
    const [entry] = [...s.store.messages.values()];
    // Another decision lands between the read and the settle: the etag moves on.
    const settle = s.store.settle.bind(s.store);
    s.store.settle = async (address, etag, patch) => {
      entry.etag++;
      return settle(address, etag, patch);
    };
    await s.dispatcher.drain(NOW, () => true);
    expect(entry.message.state).toBe('queued');
    expect(s.store.hints.size).toBe(1);
  });
});
