import {
  ConcurrentChangeError,
  DeviationRepository,
} from '../../bot/deviations/deviation-repository';
import type { Tables } from '../../bot/store/tables';
import { freshTables, startTestAzurite, type TestAzurite } from '../support/azurite';
import { changed, reportedEvent, sampleDeviation } from '../support/sample-deviation';

/** DeviationRepository against a real Azurite: records, audit trail, references and list index. */
let azurite: TestAzurite;
let tables: Tables;
let repo: DeviationRepository;

beforeAll(async () => {
  azurite = await startTestAzurite();
  ({ tables } = await freshTables(azurite));
  repo = new DeviationRepository(tables);
});
afterAll(async () => {
  await azurite?.stop();
});

let sequence = 100;
const newRef = () => `AVV-2026-${String(++sequence).padStart(4, '0')}`;

test('create, get and update round-trip every field', async () => {
  const d = sampleDeviation({
    ref: newRef(),
    suggestion: 'Klemsikring på dørene.',
    occurredTime: undefined,
  });
  await repo.create(d, reportedEvent(d));

  const found = await repo.get(d.ref);
  // Exactly what was stored: no service fields (odata.metadata, timestamp) leak into the record.
  expect(found?.deviation).toEqual(d);
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
  expect(updated?.deviation).toEqual(after);
  expect(updated?.etag).not.toEqual(found!.etag);
  expect(await repo.get('AVV-2026-9999')).toBeUndefined();
});

test('an update with a stale etag throws ConcurrentChangeError and writes no audit event', async () => {
  const d = sampleDeviation({ ref: newRef() });
  await repo.create(d, reportedEvent(d));
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

  expect((await repo.get(d.ref))?.deviation).toMatchObject({ rev: 2, status: 'under_behandling' });
  expect((await repo.events(d.ref)).map((e) => e.kind)).toEqual(['reported', 'take']);
});

test('nextReference under 50 parallel calls gives 50 distinct consecutive references', async () => {
  const own = await freshTables(azurite);
  const fresh = new DeviationRepository(own.tables);
  const now = new Date('2026-06-15T10:00:00.000Z');
  const refs = await Promise.all(Array.from({ length: 50 }, () => fresh.nextReference(now)));
  const expected = Array.from(
    { length: 50 },
    (_, i) => `AVV-2026-${String(i + 1).padStart(4, '0')}`,
  );
  expect(new Set(refs).size).toBe(50);
  expect([...refs].sort()).toEqual(expected);
  // A new year starts again at 0001 (Europe/Oslo: 23:30 UTC on 31 Dec is already 1 Jan there).
  expect(await fresh.nextReference(new Date('2026-12-31T23:30:00.000Z'))).toBe('AVV-2027-0001');
});

test('two instances allocating in parallel still get distinct consecutive references', async () => {
  const own = await freshTables(azurite);
  const a = new DeviationRepository(own.tables);
  const b = new DeviationRepository(own.tables);
  const now = new Date('2026-06-15T10:00:00.000Z');
  const refs = await Promise.all(
    Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).nextReference(now)),
  );
  expect([...refs].sort()).toEqual(
    Array.from({ length: 60 }, (_, i) => `AVV-2026-${String(i + 1).padStart(4, '0')}`),
  );
});

test('events are append-only and come back in order', async () => {
  const d = sampleDeviation({ ref: newRef() });
  await repo.create(d, reportedEvent(d));
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
  expect((await repo.get(d.ref))?.deviation.status).toBe('lukket');
  expect((await repo.events(d.ref)).map((e) => e.kind)).toEqual([
    'reported',
    'take',
    'measure',
    'close',
  ]);
});

test('index: openInUnits drops a closed deviation, byReporter keeps it with the new status', async () => {
  const own = await freshTables(azurite);
  const r = new DeviationRepository(own.tables);
  const a = sampleDeviation({ ref: 'AVV-2026-0001', createdAt: '2026-11-01T08:00:00.000Z' });
  const b = sampleDeviation({ ref: 'AVV-2026-0002', createdAt: '2026-11-02T08:00:00.000Z' });
  const other = sampleDeviation({
    ref: 'AVV-2026-0003',
    unitId: 'barnevern',
    reporterId: 'someone-else',
  });
  for (const d of [a, b, other]) await r.create(d, reportedEvent(d));

  expect((await r.openInUnits(['sentrum-barnehage'])).map((row) => row.ref).sort()).toEqual([
    a.ref,
    b.ref,
  ]);
  expect(
    (await r.openInUnits(['sentrum-barnehage', 'barnevern'])).map((row) => row.ref).sort(),
  ).toEqual([a.ref, b.ref, other.ref]);

  const { etag } = (await r.get(a.ref))!;
  const closed = changed(a, { status: 'lukket', cause: 'c', closingMeasures: 'm' }, 'close');
  await r.update(a, closed.after, etag, closed.event);

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

test('card copies are kept per conversation and replaced, not duplicated', async () => {
  const d = sampleDeviation({ ref: newRef() });
  await repo.create(d, reportedEvent(d));
  const copy = {
    ownerId: d.handlerId,
    kind: 'handler' as const,
    conversationId: 'a:1/b#c?',
    activityId: '1',
    reference: '{}',
  };
  await repo.saveCardCopy(d.ref, copy);
  await repo.saveCardCopy(d.ref, { ...copy, activityId: '2' });
  await repo.saveCardCopy(d.ref, {
    ...copy,
    kind: 'receipt',
    ownerId: d.reporterId,
    conversationId: 'a:reporter',
    activityId: '3',
  });
  const copies = await repo.cardCopies(d.ref);
  expect(copies).toHaveLength(2);
  expect(copies.find((c) => c.conversationId === 'a:1/b#c?')?.activityId).toBe('2');
  // Copies are not events.
  expect((await repo.events(d.ref)).map((e) => e.kind)).toEqual(['reported']);
});
