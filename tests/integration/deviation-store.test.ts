import type { Deviation } from '../../bot/deviations/deviation';
import { DeviationIndexStore } from '../../bot/deviations/deviation-index-store';
import { DeviationStore } from '../../bot/deviations/deviation-store';
import { ConcurrentChangeError, ReferenceTakenError } from '../../bot/kernel/records';
import { TableReferenceCounter } from '../../bot/store/counters';
import { OutboxStore } from '../../bot/store/outbox-store';
import { PostedCardStore } from '../../bot/store/posted-card-store';
import { openTables, type Tables } from '../../bot/store/tables';
import { freshTables, startTestAzurite, type TestAzurite } from '../support/azurite';
import { changed, reportedEvent, sampleDeviation } from '../support/sample-deviation';

/**
 * The deviation adapters against a real Azurite: records and audit trail (the record kit),
 * references (counters), the list index and posted cards.
 */
let azurite: TestAzurite;
let tables: Tables;
let repo: DeviationStore;

beforeAll(async () => {
  azurite = await startTestAzurite();
  ({ tables } = await freshTables(azurite));
  repo = new DeviationStore(tables, new OutboxStore(tables));
});
afterAll(async () => {
  await azurite?.stop();
});

const NOW = new Date('2026-06-15T10:00:00.000Z');

/** Stores a sample report under the next reference the store hands out; returns it as stored. */
async function store(d: Deviation, on: DeviationStore = repo): Promise<Deviation> {
  const record = { ...d, ref: await on.nextReference(NOW) };
  await on.create(record, reportedEvent(record));
  return record;
}

test('create, get and update round-trip every field', async () => {
  // Every optional field set, so a field the schema forgets is caught here (zod drops it).
  const d = await store(
    sampleDeviation({
      suggestion: 'Klemsikring på dørene.',
      occurredTime: undefined,
      handlerSince: '2026-11-27T08:00:00.000Z',
      dpaNotifiedAt: '2026-11-27T09:00:00.000Z',
      assigneeId: '00000000-0000-0000-0000-0000000000024',
      lastActionId: 'activity-1',
    }),
  );

  const found = await repo.get(d.ref);
  // Exactly what was stored: no service fields (odata.metadata, timestamp) leak into the record.
  expect(found?.record).toEqual(d);
  expect(found?.etag).toEqual(expect.any(String));

  const { after, event } = changed(
    d,
    {
      status: 'tiltak_iverksatt',
      measures: [
        {
          text: 'Klemsikring bestilt',
          dueDate: '2026-12-15',
          byId: d.handlerId,
          at: '2026-11-27T09:00:00.000Z',
        },
      ],
    },
    'measure',
  );
  await repo.update(d, after, found!.etag, event);

  const updated = await repo.get(d.ref);
  expect(updated?.record).toEqual(after);
  expect(updated?.etag).not.toEqual(found!.etag);
  expect(await repo.get('AVV-2026-9999')).toBeUndefined();
});

test('an update with a stale etag throws ConcurrentChangeError and writes no audit event', async () => {
  const d = await store(sampleDeviation());
  const { etag: staleEtag } = (await repo.get(d.ref))!;

  const first = changed(d, { status: 'under_behandling' }, 'take');
  await repo.update(d, first.after, staleEtag, first.event);

  const second = changed(
    first.after,
    { status: 'avvist', rejectReason: 'Ikke et avvik' },
    'reject',
  );
  await expect(
    repo.update(first.after, second.after, staleEtag, second.event),
  ).rejects.toBeInstanceOf(ConcurrentChangeError);

  expect((await repo.get(d.ref))?.record).toMatchObject({ rev: 2, status: 'under_behandling' });
  expect((await repo.events(d.ref)).map((e) => e.kind)).toEqual(['reported', 'take']);
});

test('the counter under 50 parallel calls gives 50 distinct consecutive references', async () => {
  const own = await freshTables(azurite);
  const fresh = new TableReferenceCounter(own.tables, 'AVV');
  const now = new Date('2026-06-15T10:00:00.000Z');
  const refs = await Promise.all(Array.from({ length: 50 }, () => fresh.next(now)));
  const expected = Array.from(
    { length: 50 },
    (_, i) => `AVV-2026-${String(i + 1).padStart(4, '0')}`,
  );
  expect(new Set(refs).size).toBe(50);
  expect([...refs].sort()).toEqual(expected);
  // A new year starts again at 0001 (Europe/Oslo: 23:30 UTC on 31 Dec is already 1 Jan there).
  expect(await fresh.next(new Date('2026-12-31T23:30:00.000Z'))).toBe('AVV-2027-0001');
  // Each kind counts on its own.
  expect(await new TableReferenceCounter(own.tables, 'OPG').next(now)).toBe('OPG-2026-0001');
});

test('two instances allocating in parallel still get distinct consecutive references', async () => {
  const own = await freshTables(azurite);
  const a = new TableReferenceCounter(own.tables, 'AVV');
  const b = new TableReferenceCounter(own.tables, 'AVV');
  const now = new Date('2026-06-15T10:00:00.000Z');
  const refs = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).next(now)));
  expect([...refs].sort()).toEqual(
    Array.from({ length: 60 }, (_, i) => `AVV-2026-${String(i + 1).padStart(4, '0')}`),
  );
});

test('events are append-only and come back in order', async () => {
  const d = await store(sampleDeviation());
  let current = d;
  for (const [kind, patch] of [
    ['take', { status: 'under_behandling' }],
    ['measure', { status: 'tiltak_iverksatt' }],
    [
      'close',
      { status: 'lukket', cause: 'Dørene manglet klemsikring', closingMeasures: 'Montert' },
    ],
  ] as const) {
    const { etag } = (await repo.get(d.ref))!;
    const step = changed(current, patch, kind);
    await repo.update(current, step.after, etag, { ...step.event, note: `${kind} note` });
    current = step.after;
  }
  const events = await repo.events(d.ref);
  expect(events.map((e) => [e.seq, e.kind, e.toStatus])).toEqual([
    [1, 'reported', 'registrert'],
    [2, 'take', 'under_behandling'],
    [3, 'measure', 'tiltak_iverksatt'],
    [4, 'close', 'lukket'],
  ]);
  expect(events[3]).toMatchObject({
    fromStatus: 'tiltak_iverksatt',
    note: 'close note',
    actorId: d.handlerId,
  });

  // Rewriting history is refused, and the record is left as it was (one transaction).
  const { etag } = (await repo.get(d.ref))!;
  const rewrite = changed(current, { status: 'avvist' }, 'reject');
  await expect(
    repo.update(current, rewrite.after, etag, { ...rewrite.event, seq: 2 }),
  ).rejects.toBeInstanceOf(ConcurrentChangeError);
  expect((await repo.get(d.ref))?.record.status).toBe('lukket');
  expect((await repo.events(d.ref)).map((e) => e.kind)).toEqual([
    'reported',
    'take',
    'measure',
    'close',
  ]);
});

test('index: openInUnits drops a closed deviation, byReporter keeps it with the new status', async () => {
  const own = await freshTables(azurite);
  const records = new DeviationStore(own.tables, new OutboxStore(own.tables));
  const r = new DeviationIndexStore(own.tables);
  const a = await store(sampleDeviation({ createdAt: '2026-11-01T08:00:00.000Z' }), records);
  const b = await store(sampleDeviation({ createdAt: '2026-11-02T08:00:00.000Z' }), records);
  const other = await store(
    sampleDeviation({ unitId: 'barnevern', reporterId: 'someone-else' }),
    records,
  );
  for (const d of [a, b, other]) await r.sync(d);

  expect((await r.openInUnits(['sentrum-barnehage'])).map((row) => row.ref).sort()).toEqual([
    a.ref,
    b.ref,
  ]);
  expect(
    (await r.openInUnits(['sentrum-barnehage', 'barnevern'])).map((row) => row.ref).sort(),
  ).toEqual([a.ref, b.ref, other.ref]);

  const closed = changed(a, { status: 'lukket', cause: 'c', closingMeasures: 'm' }, 'close');
  await r.sync(closed.after, a.unitId);

  expect((await r.openInUnits(['sentrum-barnehage'])).map((row) => row.ref)).toEqual([b.ref]);
  const mine = await r.byReporter(a.reporterId);
  expect(mine.map((row) => [row.ref, row.status]).sort()).toEqual([
    [a.ref, 'lukket'],
    [b.ref, 'registrert'],
  ]);
  expect(mine.find((row) => row.ref === a.ref)).toMatchObject({
    unitId: 'sentrum-barnehage',
    categoryId: 'hms',
    createdAt: a.createdAt,
  });
});

test('index: the week a case was reported in is written by its report and when it moves, not after every change', async () => {
  const own = await freshTables(azurite);
  const writes: string[] = [];
  const counted = openTables(azurite.location, own.prefix, {
    onOperation: (op) => void writes.push(`${op.table} ${op.kind}`),
  });
  const records = new DeviationStore(own.tables, new OutboxStore(own.tables));
  const r = new DeviationIndexStore(counted);
  const a = await store(sampleDeviation({ createdAt: '2026-11-02T08:00:00.000Z' }), records);
  const week = '2026-W45';
  await r.sync(a);
  expect(await r.weekCounts([a.unitId], week)).toEqual({ reported: 1, closed: 0 });

  writes.length = 0;
  const taken = changed(a, { status: 'under_behandling' }, 'take');
  await r.sync(taken.after, a.unitId);
  // The reporter's row and the open row: the reported week is as it was.
  expect(writes).toEqual(['DeviationIndex upsert', 'DeviationIndex upsert']);

  writes.length = 0;
  const moved = changed(taken.after, { unitId: 'barnevern' }, 'escalate');
  await r.sync(moved.after, a.unitId);
  expect(writes.filter((w) => w === 'DeviationIndex upsert')).toHaveLength(3);
  expect(await r.weekCounts(['barnevern'], week)).toEqual({ reported: 1, closed: 0 });
  expect(await r.openInUnits([a.unitId])).toEqual([]);
});

test('posted cards are kept per conversation and replaced, not duplicated', async () => {
  const d = await store(sampleDeviation());
  const posted = new PostedCardStore(tables);
  const key = { kind: 'deviation', id: d.ref };
  const copy = {
    ownerId: d.handlerId,
    view: 'handler',
    conversationId: 'a:1/b#c?',
    activityId: '1',
    reference: '{}',
  };
  await posted.remember(key, copy);
  await posted.remember(key, { ...copy, activityId: '2' });
  await posted.remember(key, {
    ...copy,
    view: 'receipt',
    ownerId: d.reporterId,
    conversationId: 'a:reporter',
    activityId: '3',
    locale: 'en-US',
  });
  const copies = await posted.list(key);
  expect(copies).toHaveLength(2);
  expect(copies.find((c) => c.conversationId === 'a:1/b#c?')?.activityId).toBe('2');
  expect(copies.find((c) => c.view === 'receipt')?.locale).toBe('en-US');
  // Another kind with the same id is another record.
  expect(await posted.list({ kind: 'task', id: d.ref })).toEqual([]);
  // Copies are not events.
  expect((await repo.events(d.ref)).map((e) => e.kind)).toEqual(['reported']);
  // The reporter who also leads the unit: receipt and handler card in one chat are two copies.
  await posted.remember(key, { ...copy, view: 'receipt', activityId: '4' });
  expect((await posted.list(key)).filter((c) => c.conversationId === 'a:1/b#c?')).toHaveLength(2);
  await posted.forget(key, { conversationId: 'a:1/b#c?', view: 'receipt' });
  await posted.forget(key, { conversationId: 'a:1/b#c?', view: 'handler' });
  expect((await posted.list(key)).map((c) => c.view)).toEqual(['receipt']);
});

test('creating under a reference that is taken fails with ReferenceTakenError and overwrites nothing', async () => {
  const first = await store(sampleDeviation({ description: 'Den første' }));
  const second = { ...sampleDeviation({ description: 'Den andre' }), ref: first.ref };
  await expect(repo.create(second, reportedEvent(second))).rejects.toBeInstanceOf(
    ReferenceTakenError,
  );
  expect((await repo.get(first.ref))?.record.description).toBe('Den første');
  expect((await repo.events(first.ref)).map((e) => e.kind)).toEqual(['reported']);
});

test('a stored entity that does not match the schema is an error, not a silently cast record', async () => {
  const d = await store(sampleDeviation());
  await tables
    .client('Deviations')
    .updateEntity({ partitionKey: d.ref, rowKey: 'deviation', status: 'flyttet' }, 'Merge');
  await expect(repo.get(d.ref)).rejects.toThrow(/status/);
});
