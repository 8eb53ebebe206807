import type { Card } from '../../../bot/kernel/card-templates';
import type {
  ConversationDirectory,
  StoredConversation,
} from '../../../bot/messaging/conversations';
import { RecipientGoneError, type Delivery } from '../../../bot/messaging/delivery';
import { Notifier } from '../../../bot/messaging/notifier';
import type { CardKey, PostedCard, PostedCards } from '../../../bot/messaging/posted-cards';

/** The Notifier with its ports as plain in-memory objects (no tables, no connector). */
const conversation = (id: string, locale?: string): StoredConversation => ({
  reference: `ref-${id}`,
  conversationId: `conv-${id}`,
  locale,
  updatedAt: '2026-11-27T08:00:00.000Z',
});

function setup(options: { failWith?: unknown; failOn?: 'send' | 'update' } = {}) {
  const users = new Map<string, StoredConversation>([
    ['ingrid', conversation('ingrid', 'nb-NO')],
    ['anne', conversation('anne', 'en-GB')],
  ]);
  const channels = new Map<string, StoredConversation>([['team|general', conversation('general')]]);
  const posted = new Map<string, PostedCard[]>();
  const sent: { reference: string; card: Card }[] = [];
  const updated: { reference: string; activityId: string; card: Card }[] = [];
  const conversations: ConversationDirectory = {
    forUser: async (id) => users.get(id),
    forgetUser: async (id) => void users.delete(id),
    forChannel: async (team, ch) => channels.get(`${team}|${ch}`),
    forgetChannel: async (team, ch) => void channels.delete(`${team}|${ch}`),
  };
  const keyOf = (k: CardKey) => `${k.kind}/${k.id}`;
  const postedCards: PostedCards = {
    remember: async (key, card) => {
      const list = (posted.get(keyOf(key)) ?? []).filter(
        (c) => c.conversationId !== card.conversationId,
      );
      posted.set(keyOf(key), [...list, card]);
    },
    list: async (key) => posted.get(keyOf(key)) ?? [],
    forget: async (key, conversationId) =>
      void posted.set(
        keyOf(key),
        (posted.get(keyOf(key)) ?? []).filter((c) => c.conversationId !== conversationId),
      ),
  };
  const delivery: Delivery = {
    async send(reference, card) {
      if (options.failOn === 'send' && options.failWith) throw options.failWith;
      sent.push({ reference, card });
      return { activityId: `a${sent.length}` };
    },
    async update(reference, activityId, card) {
      if (options.failOn === 'update' && options.failWith) throw options.failWith;
      updated.push({ reference, activityId, card });
    },
  };
  const notifier = new Notifier({ delivery, conversations, postedCards });
  return { notifier, users, channels, posted, sent, updated, postedCards };
}

const key = { kind: 'deviation', id: 'AVV-2026-0042' };
const cardIn = (language: string): Card => ({ type: 'AdaptiveCard', lang: language });

describe('Notifier', () => {
  test('a person gets the card in the language of their Teams locale; a set locale wins', async () => {
    const s = setup();
    expect(await s.notifier.toPerson('anne', cardIn)).toBe(true);
    expect(await s.notifier.toPerson('ingrid', cardIn)).toBe(true);
    expect(await s.notifier.toPerson('anne', cardIn, { locale: 'nb-NO' })).toBe(true);
    expect(s.sent.map((x) => [x.reference, x.card.lang])).toEqual([
      ['ref-anne', 'en'],
      ['ref-ingrid', 'nb'],
      ['ref-anne', 'nb'],
    ]);
  });

  test('someone without the bot is not reached, and nothing is sent', async () => {
    const s = setup();
    expect(await s.notifier.toPerson('nobody', cardIn)).toBe(false);
    expect(await s.notifier.canReach('nobody')).toBe(false);
    expect(await s.notifier.canReach('ingrid')).toBe(true);
    expect(s.sent).toEqual([]);
  });

  test('a posted card is remembered under its record, and updates reach every copy but the source', async () => {
    const s = setup();
    await s.notifier.toPerson('ingrid', cardIn, { remember: { key, view: 'handler' } });
    await s.notifier.toPerson('anne', cardIn, { remember: { key, view: 'receipt' } });
    expect((await s.postedCards.list(key)).map((c) => [c.ownerId, c.view, c.activityId])).toEqual([
      ['ingrid', 'handler', 'a1'],
      ['anne', 'receipt', 'a2'],
    ]);
    const copies = await s.notifier.updateCopies(
      key,
      (copy, language) => ({ view: copy.view, language }),
      {
        conversationId: 'conv-ingrid',
        activityId: 'a1',
      },
    );
    expect(copies).toHaveLength(2);
    expect(s.updated).toEqual([
      { reference: 'ref-anne', activityId: 'a2', card: { view: 'receipt', language: 'en' } },
    ]);
  });

  test('a draw that returns nothing leaves that copy alone', async () => {
    const s = setup();
    await s.notifier.toPerson('ingrid', cardIn, { remember: { key, view: 'handler' } });
    await s.notifier.updateCopies(key, () => undefined);
    expect(s.updated).toEqual([]);
  });

  test.each([403, 404] as const)(
    'a person who is gone (%i) is forgotten, and the send reports false',
    async (status) => {
      const s = setup({ failWith: new RecipientGoneError(status), failOn: 'send' });
      expect(
        await s.notifier.toPerson('ingrid', cardIn, { remember: { key, view: 'handler' } }),
      ).toBe(false);
      expect(s.users.has('ingrid')).toBe(false);
      expect(await s.postedCards.list(key)).toEqual([]);
    },
  );

  test('a channel that is gone is forgotten; a channel is reached by team and channel id', async () => {
    const ok = setup();
    expect(await ok.notifier.toChannel('team', 'general', cardIn)).toBe(true);
    expect(ok.sent[0].reference).toBe('ref-general');
    expect(await ok.notifier.toChannel('team', 'other', cardIn)).toBe(false);

    const gone = setup({ failWith: new RecipientGoneError(403), failOn: 'send' });
    expect(await gone.notifier.toChannel('team', 'general', cardIn)).toBe(false);
    expect(gone.channels.size).toBe(0);
  });

  test('a copy whose message is gone is forgotten, the person is not', async () => {
    const s = setup({ failWith: new RecipientGoneError(404), failOn: 'update' });
    await s.notifier.toPerson('ingrid', cardIn, { remember: { key, view: 'handler' } });
    await s.notifier.updateCopies(key, cardIn as never);
    expect(await s.postedCards.list(key)).toEqual([]);
    expect(s.users.has('ingrid')).toBe(true);
  });

  test('other delivery failures are reported as false, never thrown, and forget nothing', async () => {
    const s = setup({
      failWith: Object.assign(new Error('boom'), { statusCode: 502 }),
      failOn: 'send',
    });
    await expect(s.notifier.toPerson('ingrid', cardIn)).resolves.toBe(false);
    expect(s.users.has('ingrid')).toBe(true);
  });
});
