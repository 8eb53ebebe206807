import { TableUsageLimits } from '../../bot/store/limit-store';
import type { Tables } from '../../bot/store/tables';
import { freshTables, startTestAzurite, type TestAzurite } from '../support/azurite';

/** The per-person abuse limits (store/limit-store.ts) on a real Azurite. */
let azurite: TestAzurite;
let tables: Tables;

beforeAll(async () => {
  azurite = await startTestAzurite();
  ({ tables } = await freshTables(azurite));
});
afterAll(async () => {
  await azurite?.stop();
});

const NOW = new Date('2026-11-27T09:15:00Z');

async function rows(partitionKey: string) {
  const found: Record<string, { window: string; count: number; etag: string }> = {};
  for await (const e of tables.client('Limits').listEntities<{ window: string; count: number }>({
    queryOptions: { filter: `PartitionKey eq '${partitionKey}'` },
  }))
    found[e.rowKey!] = { window: e.window, count: e.count, etag: e.etag };
  return found;
}

test('30 parallel uses by one person (two instances) are counted exactly: 30', async () => {
  const settings = { report: { hour: 1000, day: 1000 }, form: { hour: 0, day: 0 } };
  const [a, b] = [new TableUsageLimits(tables, settings), new TableUsageLimits(tables, settings)];
  const verdicts = await Promise.all(
    Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).take('report', 'parallel', NOW)),
  );
  expect(verdicts.every((v) => v.ok)).toBe(true);
  const stored = await rows('report_parallel');
  expect(stored.hour).toMatchObject({ window: '2026-11-27T09', count: 30 });
  expect(stored.day).toMatchObject({ window: '2026-11-27', count: 30 });
});

test('30 parallel uses against a limit of 20 an hour: exactly 20 pass, 10 are told when the hour ends', async () => {
  const limits = new TableUsageLimits(tables, {
    report: { hour: 20, day: 100 },
    form: { hour: 20, day: 100 },
  });
  const verdicts = await Promise.all(
    Array.from({ length: 30 }, () => limits.take('report', 'flood', NOW)),
  );
  expect(verdicts.filter((v) => v.ok)).toHaveLength(20);
  const refused = verdicts.filter((v) => !v.ok);
  expect(refused).toHaveLength(10);
  for (const v of refused)
    if (!v.ok) expect(v.until.toISOString()).toBe('2026-11-27T10:00:00.000Z');
  expect((await rows('report_flood')).hour.count).toBe(20);
});

test('a refused use stores nothing; the next hour counts from 1 in the same row; the day goes on', async () => {
  const limits = new TableUsageLimits(tables, {
    report: { hour: 2, day: 3 },
    form: { hour: 0, day: 0 },
  });
  expect((await limits.take('report', 'p/1#?', NOW)).ok).toBe(true);
  expect((await limits.take('report', 'p/1#?', NOW)).ok).toBe(true);
  const full = await rows('report_p%2F1%23%3F');
  expect(await limits.take('report', 'p/1#?', NOW)).toEqual({
    ok: false,
    until: new Date('2026-11-27T10:00:00Z'),
  });
  expect(await rows('report_p%2F1%23%3F')).toEqual(full); // etags too: nothing written

  const nextHour = new Date('2026-11-27T10:01:00Z');
  expect((await limits.take('report', 'p/1#?', nextHour)).ok).toBe(true);
  const stored = await rows('report_p%2F1%23%3F');
  expect(Object.keys(stored).sort()).toEqual(['day', 'hour']); // one row per window length
  expect(stored.hour).toMatchObject({ window: '2026-11-27T10', count: 1 });
  // The day is full now (3): refused until Oslo midnight (23:00 UTC in winter).
  const verdict = await limits.take('report', 'p/1#?', new Date('2026-11-27T11:30:00Z'));
  expect(verdict).toEqual({ ok: false, until: new Date('2026-11-27T23:00:00Z') });
  // Forms are counted apart from reports; a limit of 0 is none and stores nothing.
  expect((await limits.take('form', 'p/1#?', NOW)).ok).toBe(true);
  expect(await rows('form_p%2F1%23%3F')).toEqual({});
});
