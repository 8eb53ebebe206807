import { ConversationStore } from '../../bot/store/conversation-store';
import { StateStore } from '../../bot/store/state-store';
import type { Tables } from '../../bot/store/tables';
import { TableStorage } from '../../bot/teams/table-storage';
import { freshTables, startTestAzurite, type TestAzurite } from '../support/azurite';

/** Bot state (StateStore and the botbuilder Storage on it) and conversation references, on a real Azurite. */
let azurite: TestAzurite;
let tables: Tables;

beforeAll(async () => {
  azurite = await startTestAzurite();
  ({ tables } = await freshTables(azurite));
});
afterAll(async () => {
  await azurite?.stop();
});

describe('StateStore', () => {
  test('write and read round-trip, keys with characters tables forbid included', async () => {
    const store = new StateStore(tables);
    const key = 'msteams/conversations/a:1#x?y\\z/users/29:abc';
    await store.write(key, JSON.stringify({ draft: { description: 'Hei «æøå»' } }));
    const docs = await store.read([key, 'never-written']);
    expect(docs.size).toBe(1);
    expect(JSON.parse(docs.get(key)!.json)).toEqual({ draft: { description: 'Hei «æøå»' } });
    expect(docs.get(key)!.etag).toEqual(expect.any(String));
  });

  test('a write with a stale etag does not overwrite: it merges with the newer document', async () => {
    const store = new StateStore(tables);
    await store.write('stale', '{"n":1,"draft":"a"}');
    const stale = (await store.read(['stale'])).get('stale')!.etag;
    await store.write('stale', '{"n":2,"draft":"a"}', stale);
    // Written from the old read: it changed `draft` only, so the newer `n` is kept.
    await store.write('stale', '{"n":1,"draft":"b"}', stale);
    expect(JSON.parse((await store.read(['stale'])).get('stale')!.json)).toEqual({
      n: 2,
      draft: 'b',
    });
    // A field the stale write removed is removed; one it did not touch stays.
    const older = (await store.read(['stale'])).get('stale')!.etag;
    await store.write('stale', '{"n":3,"draft":"b"}', older);
    await store.write('stale', '{"n":2}', older);
    expect(JSON.parse((await store.read(['stale'])).get('stale')!.json)).toEqual({ n: 3 });
    // '*' writes whatever is there.
    await store.write('stale', '{"n":4}', '*');
    expect((await store.read(['stale'])).get('stale')!.json).toBe('{"n":4}');
  });

  test('the first write of a key creates it; a second first write merges instead of overwriting', async () => {
    const store = new StateStore(tables);
    const key = `first-${Date.now()}`;
    // Two turns of a new user, both without an etag (nothing was there when they read).
    await Promise.all([
      store.write(key, '{"reportDraft":{"description":"x"}}'),
      store.write(key, '{"language":"nb"}'),
    ]);
    expect(JSON.parse((await store.read([key])).get(key)!.json)).toEqual({
      reportDraft: { description: 'x' },
      language: 'nb',
    });
  });

  test('20 parallel writes from the same read all land, none fails', async () => {
    const store = new StateStore(tables);
    const key = `parallel-${Date.now()}`;
    await store.write(key, '{}');
    const etag = (await store.read([key])).get(key)!.etag;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.write(key, JSON.stringify({ [`f${i}`]: i }), etag),
      ),
    );
    const doc = JSON.parse((await store.read([key])).get(key)!.json) as Record<string, number>;
    expect(Object.keys(doc).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `f${i}`).sort());
  });

  test('a document deleted meanwhile is created again by a write that changed it', async () => {
    const store = new StateStore(tables);
    await store.write('deleted', '{"n":1}');
    const etag = (await store.read(['deleted'])).get('deleted')!.etag;
    await store.delete(['deleted']);
    await store.write('deleted', '{"n":2}', etag);
    expect((await store.read(['deleted'])).get('deleted')!.json).toBe('{"n":2}');
  });

  test('a 200 KB document (more than one 64 KiB property) survives the round-trip', async () => {
    const store = new StateStore(tables);
    const big = JSON.stringify({
      text: 'Beskrivelse av hendelsen på avdeling Blåbær. '.repeat(4500).slice(0, 200_000),
    });
    expect(big.length).toBeGreaterThan(200_000);
    await store.write('big', big);
    expect((await store.read(['big'])).get('big')!.json).toBe(big);
  });

  test('a character outside the BMP across the chunk boundary survives the round-trip', async () => {
    const store = new StateStore(tables);
    // 29 999 characters, then an emoji (two UTF-16 units) that a split at 30 000 would cut in half.
    const json = JSON.stringify({ t: 'a'.repeat(29_993) + '😀 etter' });
    expect(json.indexOf('😀')).toBe(29_999);
    await store.write('emoji', json);
    expect((await store.read(['emoji'])).get('emoji')!.json).toBe(json);
  });

  test('delete removes documents and ignores missing ones', async () => {
    const store = new StateStore(tables);
    await store.write('gone', '{}');
    await store.delete(['gone', 'was-never-there']);
    expect((await store.read(['gone'])).size).toBe(0);
  });
});

describe('TableStorage (botbuilder Storage)', () => {
  test('write, read with eTag, a stale eTag merged, delete', async () => {
    const storage = new TableStorage(new StateStore(tables));
    await storage.write({ 'user/1': { reportDraft: { description: 'utkast' } } });
    const first = await storage.read(['user/1', 'user/none']);
    expect(Object.keys(first)).toEqual(['user/1']);
    expect(first['user/1']).toEqual({
      reportDraft: { description: 'utkast' },
      eTag: expect.any(String),
    });

    await storage.write({
      'user/1': { ...first['user/1'], reportDraft: { description: 'nyere' } },
    });
    // A turn that read before: its change is the latest, and it is merged, not refused.
    await storage.write({
      'user/1': { ...first['user/1'], reportDraft: undefined, language: 'en' },
    });
    const merged = (await storage.read(['user/1']))['user/1'];
    expect(merged.reportDraft).toBeUndefined();
    expect(merged.language).toBe('en');

    await storage.delete(['user/1']);
    expect(await storage.read(['user/1'])).toEqual({});
  });

  test('a 200 KB state object survives the round-trip', async () => {
    const storage = new TableStorage(new StateStore(tables));
    const value = {
      history: Array.from({ length: 2000 }, (_, i) => ({ i, text: 'x'.repeat(90) })),
    };
    expect(JSON.stringify(value).length).toBeGreaterThan(200_000);
    await storage.write({ 'conversation/big': value });
    const { eTag, ...read } = (await storage.read(['conversation/big']))['conversation/big'];
    expect(eTag).toEqual(expect.any(String));
    expect(read).toEqual(value);
  });
});

describe('ConversationStore', () => {
  const reference = JSON.stringify({
    conversation: { id: 'a:1' },
    serviceUrl: 'https://smba.trafficmanager.net/emea/',
  });

  test('saves, replaces, finds and forgets a user conversation', async () => {
    const store = new ConversationStore(tables);
    const userId = '00000000-0000-0000-0000-0000000000020';
    expect(await store.forUser(userId)).toBeUndefined();
    await store.saveForUser(userId, {
      reference,
      conversationId: 'a:1',
      locale: 'nb-NO',
      updatedAt: '2026-11-27T08:00:00.000Z',
    });
    await store.saveForUser(userId, {
      reference,
      conversationId: 'a:2',
      locale: 'en-GB',
      updatedAt: '2026-11-27T09:00:00.000Z',
    });
    expect(await store.forUser(userId)).toEqual({
      reference,
      conversationId: 'a:2',
      locale: 'en-GB',
      updatedAt: '2026-11-27T09:00:00.000Z',
    });
    await store.forgetUser(userId);
    expect(await store.forUser(userId)).toBeUndefined();
    await expect(store.forgetUser(userId)).resolves.toBeUndefined();
  });

  test('user ids with characters tables forbid, and channels, are stored apart', async () => {
    const store = new ConversationStore(tables);
    await store.saveForUser('29:1a/b#c?d', {
      reference,
      conversationId: 'a:odd',
      updatedAt: '2026-11-27T08:00:00.000Z',
    });
    await store.saveForChannel('19:team@thread.tacv2', '19:general/x@thread.tacv2', {
      reference,
      conversationId: '19:team',
      updatedAt: '2026-11-27T08:00:00.000Z',
    });
    expect(
      (await store.forChannel('19:team@thread.tacv2', '19:general/x@thread.tacv2'))?.conversationId,
    ).toBe('19:team');
    expect(await store.forChannel('19:team@thread.tacv2', '19:other@thread.tacv2')).toBeUndefined();
    expect((await store.forUser('29:1a/b#c?d'))?.conversationId).toBe('a:odd');
    expect((await store.forUser('29:1a/b#c?d'))?.locale).toBeUndefined();
    expect(await store.forUser('19:team@thread.tacv2')).toBeUndefined();
  });
});
