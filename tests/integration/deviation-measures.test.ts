import type { Deviation, Measure } from '../../bot/deviations/deviation';
import { DeviationStore } from '../../bot/deviations/deviation-store';
import { OutboxStore } from '../../bot/store/outbox-store';
import { listPartition, type Tables } from '../../bot/store/tables';
import { freshTables, startTestAzurite, type TestAzurite } from '../support/azurite';
import { changed, reportedEvent, sampleDeviation } from '../support/sample-deviation';

/**
 * Defect 9 (issue #11): measures used to be one JSON property, and the 16th long measure took
 * it past the 64 KiB property limit; every later action on the case failed. They are now a row
 * each in the case's partition, written in the change's own transaction.
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
const measure = (i: number): Measure => ({
  // 4,000 characters, different for each, with letters outside ASCII.
  text: `Tiltak ${i}: ${'Rutinen for nøkkelkort i barnehagen gjennomgås. '.repeat(90)}`.slice(
    0,
    4000,
  ),
  dueDate: '2026-07-01',
  byId: '00000000-0000-0000-0000-0000000000020',
  at: new Date(NOW.getTime() + i * 60_000).toISOString(),
});

async function stored(d: Deviation = sampleDeviation()): Promise<Deviation> {
  const record = { ...d, ref: await repo.nextReference(NOW) };
  await repo.create(record, reportedEvent(record));
  return record;
}

/** Adds a measure the way a card action does: read, change, etag-guarded update. */
async function addMeasure(ref: string, m: Measure): Promise<void> {
  const { record, etag } = (await repo.get(ref))!;
  const { after, event } = changed(
    record,
    { status: 'tiltak_iverksatt', measures: [...record.measures, m] },
    'measure',
  );
  await repo.update(record, after, etag, event);
}

test('40 measures of 4,000 characters: all kept in order, and the case can still be closed', async () => {
  const d = await stored();
  for (let i = 1; i <= 40; i++) await addMeasure(d.ref, measure(i));

  const found = (await repo.get(d.ref))!;
  expect(found.record.measures).toHaveLength(40);
  expect(found.record.measures).toEqual(Array.from({ length: 40 }, (_, i) => measure(i + 1)));
  expect(found.record.rev).toBe(41);
  // One row per measure; the record row holds no measure text.
  const rows = await listPartition(tables.client('Deviations'), d.ref);
  expect(rows.filter((r) => String(r.rowKey).startsWith('measure-'))).toHaveLength(40);
  const recordRow = rows.find((r) => r.rowKey === 'deviation')!;
  expect(recordRow.measures).toBeUndefined();
  expect(recordRow.measuresRows).toBe(40);

  const { after, event } = changed(
    found.record,
    { status: 'lukket', cause: 'Rutinen manglet', closingMeasures: 'Ny rutine' },
    'close',
  );
  await repo.update(found.record, after, found.etag, event);
  const closed = (await repo.get(d.ref))!.record;
  expect(closed.status).toBe('lukket');
  expect(closed.measures).toHaveLength(40);
  expect((await repo.events(d.ref)).map((e) => e.kind).slice(-1)).toEqual(['close']);
});

test('a record stored with its measures as one JSON property still reads, and its next change keeps them all', async () => {
  const d = await stored();
  const legacy = [measure(1), measure(2), measure(3)];
  // As the store wrote it before: the measures in the record row, no rows of their own.
  const client = tables.client('Deviations');
  const row = await client.getEntity(d.ref, 'deviation');
  await client.updateEntity(
    { partitionKey: d.ref, rowKey: 'deviation', ...row, measures: JSON.stringify(legacy) },
    'Replace',
  );
  await client.updateEntity(
    { partitionKey: d.ref, rowKey: 'deviation', measuresRows: undefined },
    'Merge',
  );
  const read = (await repo.get(d.ref))!.record;
  expect(read.measures).toEqual(legacy);

  await addMeasure(d.ref, measure(4));
  expect((await repo.get(d.ref))!.record.measures).toEqual([...legacy, measure(4)]);
  const rows = await listPartition(client, d.ref);
  expect(rows.filter((r) => String(r.rowKey).startsWith('measure-'))).toHaveLength(4);
  expect(rows.find((r) => r.rowKey === 'deviation')!.measures).toBeUndefined();
});

test('a change that loses the race writes no measure row', async () => {
  const d = await stored();
  const { record, etag } = (await repo.get(d.ref))!;
  await addMeasure(d.ref, measure(1));
  const { after, event } = changed(record, { measures: [measure(2)] }, 'measure');
  await expect(repo.update(record, after, etag, event)).rejects.toThrow('changed concurrently');
  expect((await repo.get(d.ref))!.record.measures).toEqual([measure(1)]);
});
