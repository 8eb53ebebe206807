import { odata } from '@azure/data-tables';
import { serveCalendar } from '../../bot/arshjul/calendar-route';
import { feedRowKey, TableFeedSecrets } from '../../bot/arshjul/feed-secret-store';
import { feedSecretHash, isFeedSecret, newFeedSecret } from '../../bot/arshjul/feed-secrets';
import {
  listPartition,
  openTables,
  type StorageOperation,
  type Tables,
} from '../../bot/store/tables';
import { freshTables, startTestAzurite, type TestAzurite } from '../support/azurite';

/** Calendar feed secrets on a real Azurite, and the `/calendar/<secret>.ics` answers. */
let azurite: TestAzurite;
let tables: Tables;
let prefix: string;
let secrets: TableFeedSecrets;

beforeAll(async () => {
  azurite = await startTestAzurite();
  ({ tables, prefix } = await freshTables(azurite));
  secrets = new TableFeedSecrets(tables);
});
afterAll(async () => {
  await azurite?.stop();
});

/** The `feed-secret` rows (hash → feed) that open a feed. */
async function secretRowsOf(feedId: string): Promise<string[]> {
  const rows: string[] = [];
  const filter = odata`PartitionKey eq ${'feed-secret'} and feedId eq ${feedId}`;
  for await (const e of tables.client('Arshjul').listEntities({ queryOptions: { filter } }))
    rows.push(String(e.rowKey));
  return rows;
}

describe('TableFeedSecrets', () => {
  test('linkFor creates a secret once and gives the same one every time', async () => {
    const first = await secrets.linkFor('org');
    expect(isFeedSecret(first)).toBe(true);
    expect(first).toHaveLength(43);
    expect(await secrets.linkFor('org')).toBe(first);
    expect(await new TableFeedSecrets(tables).linkFor('org')).toBe(first);
    expect(await secrets.feedFor(first)).toBe('org');
    // Looked up by hash; the lookup row holds no secret.
    expect(await secretRowsOf('org')).toEqual([feedSecretHash(first)]);
    const [lookup] = await listPartition(tables.client('Arshjul'), 'feed-secret');
    expect(JSON.stringify(lookup)).not.toContain(first);
  });

  test('feeds have secrets of their own', async () => {
    const a = await secrets.linkFor('unit:sentrum-bhg');
    const b = await secrets.linkFor('unit:okonomi');
    expect(new Set([a, b, await secrets.linkFor('org')]).size).toBe(3);
    expect(await secrets.feedFor(a)).toBe('unit:sentrum-bhg');
    expect(await secrets.feedFor(b)).toBe('unit:okonomi');
  });

  test('concurrent first calls agree on one secret, and the losers leave no working secret', async () => {
    const feedId = 'unit:samtidig';
    const links = await Promise.all(
      Array.from({ length: 6 }, () => new TableFeedSecrets(tables).linkFor(feedId)),
    );
    expect(new Set(links).size).toBe(1);
    expect(await secrets.feedFor(links[0])).toBe(feedId);
    expect(await secretRowsOf(feedId)).toEqual([feedSecretHash(links[0])]);
  });

  test('rotate: the old link stops working at once, the new one works and is the link now', async () => {
    const feedId = 'unit:roter';
    const old = await secrets.linkFor(feedId);
    const rotated = await secrets.rotate(feedId);
    expect(isFeedSecret(rotated)).toBe(true);
    expect(rotated).not.toBe(old);
    expect(await secrets.feedFor(old)).toBeUndefined();
    expect(await secrets.feedFor(rotated)).toBe(feedId);
    expect(await secrets.linkFor(feedId)).toBe(rotated);
    expect(await secretRowsOf(feedId)).toEqual([feedSecretHash(rotated)]);
    const [row] = (await listPartition(tables.client('Arshjul'), 'feed')).filter(
      (r) => r.rowKey === feedId,
    );
    expect(row.retired).toBeUndefined();
    // Rotating a feed nobody asked for yet simply creates it.
    const fresh = await secrets.rotate('unit:ny');
    expect(await secrets.linkFor('unit:ny')).toBe(fresh);
  });

  test('concurrent rotations leave exactly one working secret, never the old one', async () => {
    const feedId = 'unit:samtidig-roter';
    const old = await secrets.linkFor(feedId);
    const results = await Promise.all(
      Array.from({ length: 4 }, () => new TableFeedSecrets(tables).rotate(feedId)),
    );
    const current = await secrets.linkFor(feedId);
    expect(results).toContain(current);
    expect(await secrets.feedFor(old)).toBeUndefined();
    expect(await secrets.feedFor(current)).toBe(feedId);
    expect(await secretRowsOf(feedId)).toEqual([feedSecretHash(current)]);
  });

  test('a rotation cut short before deleting the old row is finished by the next linkFor', async () => {
    const feedId = 'unit:avbrutt';
    const current = await secrets.linkFor(feedId);
    // As a rotation leaves it when it stops between its two writes: the old lookup row still
    // there, its hash in `retired`.
    const stale = newFeedSecret();
    const client = tables.client('Arshjul');
    await client.createEntity({
      partitionKey: 'feed-secret',
      rowKey: feedSecretHash(stale),
      feedId,
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    await client.updateEntity(
      { partitionKey: 'feed', rowKey: feedId, retired: feedSecretHash(stale) },
      'Merge',
    );
    expect(await secrets.feedFor(stale)).toBe(feedId);
    expect(await secrets.linkFor(feedId)).toBe(current);
    expect(await secrets.feedFor(stale)).toBeUndefined();
    expect(await secrets.feedFor(current)).toBe(feedId);
  });

  test('feedFor: unknown or malformed secrets open nothing; a malformed one costs no store call', async () => {
    const operations: StorageOperation[] = [];
    const counted = new TableFeedSecrets(
      openTables(azurite.location, prefix, { onOperation: (op) => void operations.push(op) }),
    );
    for (const malformed of [
      '',
      'org',
      'a'.repeat(42),
      'a'.repeat(44),
      `${'a'.repeat(42)}=`,
      '../x',
    ])
      expect(await counted.feedFor(malformed)).toBeUndefined();
    // 43 characters whose last one carries bits 32 bytes cannot have.
    expect(await counted.feedFor('a'.repeat(43))).toBeUndefined();
    expect(operations).toEqual([]);

    expect(await counted.feedFor(newFeedSecret())).toBeUndefined();
    expect(operations.map((op) => op.kind)).toEqual(['read']);
  });

  test('unit ids with characters table keys forbid still work; other feed ids are refused', async () => {
    const feedId = 'unit:a/b#c?d\\e';
    const secret = await secrets.linkFor(feedId);
    expect(await secrets.feedFor(secret)).toBe(feedId);
    expect(await secrets.linkFor(feedId)).toBe(secret);
    expect(feedRowKey('unit:sentrum-bhg')).toBe('unit:sentrum-bhg');
    await expect(secrets.linkFor('everyone')).rejects.toThrow(/not a calendar feed id/);
    await expect(secrets.rotate('unit:')).rejects.toThrow(/not a calendar feed id/);
  });
});

describe('serveCalendar', () => {
  const ICS = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n';
  const rendered: string[] = [];
  const deps = {
    get secrets() {
      return secrets;
    },
    async render(feedId: string) {
      rendered.push(feedId);
      return feedId === 'unit:nedlagt' ? undefined : ICS;
    },
  };

  test('a known secret gets the feed', async () => {
    const secret = await secrets.linkFor('unit:sentrum-bhg');
    const answer = await serveCalendar(`${secret}.ics`, deps);
    expect(answer.status).toBe(200);
    expect(answer.headers).toMatchObject({
      'Content-Type': 'text/calendar; charset=utf-8',
      'Cache-Control': 'private, max-age=900',
      'Content-Disposition': 'inline; filename="arshjul.ics"',
    });
    expect(answer.body).toBe(ICS);
    expect(rendered).toEqual(['unit:sentrum-bhg']);
  });

  test('malformed, unknown and rotated secrets, and a removed feed, all get the same 404', async () => {
    rendered.length = 0;
    const rotatedAway = await secrets.linkFor('unit:roter-rute');
    await secrets.rotate('unit:roter-rute');
    const removed = await secrets.linkFor('unit:nedlagt');
    const answers = await Promise.all(
      [
        'x.ics',
        `${newFeedSecret()}`,
        `${newFeedSecret()}.ical`,
        `${newFeedSecret()}.ics/`,
        `../${newFeedSecret()}.ics`,
        `${newFeedSecret()}.ics`,
        `${rotatedAway}.ics`,
        `${removed}.ics`,
      ].map((path) => serveCalendar(path, deps)),
    );
    for (const answer of answers) {
      expect(answer).toEqual(answers[0]);
      expect(answer.status).toBe(404);
      expect(answer.body).not.toContain('BEGIN:VCALENDAR');
    }
    expect(answers[0].headers['Cache-Control']).toBe('no-store');
    // Only the removed feed got as far as drawing.
    expect(rendered).toEqual(['unit:nedlagt']);
  });
});
