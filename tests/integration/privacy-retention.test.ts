import type { Deviation } from '../../bot/deviations/deviation';
import { DeviationIndexStore } from '../../bot/deviations/deviation-index-store';
import { deviationCard } from '../../bot/deviations/deviation-messages';
import { DeviationStore } from '../../bot/deviations/deviation-store';
import { ACCESS_ROWS, TableAccessLog } from '../../bot/privacy/access-log-store';
import { ANONYMISED_ID } from '../../bot/privacy/case-anonymiser';
import { DraftExpiringStateStore, deleteExpiredDrafts } from '../../bot/privacy/drafts-store';
import { TablePrivacyStore } from '../../bot/privacy/privacy-store';
import { RetentionIndex, withRetention } from '../../bot/privacy/retention-index-store';
import { runRetention, type RetentionSettings } from '../../bot/privacy/retention-job';
import { DEFAULT_RETENTION_RULES, type RetentionRule } from '../../bot/privacy/retention-rules';
import { TableFormClaims } from '../../bot/store/claims';
import { OutboxStore } from '../../bot/store/outbox-store';
import { PostedCardStore } from '../../bot/store/posted-card-store';
import { StateStore } from '../../bot/store/state-store';
import { getEntityOrUndefined, listPartition, type Tables } from '../../bot/store/tables';
import { freshTables, startTestAzurite, type TestAzurite } from '../support/azurite';
import { reportedEvent, sampleDeviation } from '../support/sample-deviation';

/** The retention job and draft expiry against a real Azurite. */
let azurite: TestAzurite;
beforeAll(async () => {
  azurite = await startTestAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const EMIL = '7c1a2b3d-0001-4a10-9c01-000000000401';
const INGRID = '00000000-0000-0000-0000-0000000000020';
const settings = (
  rules: readonly RetentionRule[] = DEFAULT_RETENTION_RULES,
): RetentionSettings => ({
  rules,
  draftDays: 14,
  cron: '30 2 * * *',
});

interface World {
  tables: Tables;
  store: DeviationStore;
  index: RetentionIndex;
}

async function world(rules: readonly RetentionRule[] = DEFAULT_RETENTION_RULES): Promise<World> {
  const { tables } = await freshTables(azurite);
  return {
    tables,
    store: new DeviationStore(tables, new OutboxStore(tables)),
    index: new RetentionIndex(tables, rules),
  };
}

/** A closed case with everything that points at its reporter: index, copies, claim, access log, messages. */
async function closedCase(
  w: World,
  ref: string,
  over: Partial<Deviation> = {},
): Promise<Deviation> {
  const d = sampleDeviation({
    ref,
    status: 'lukket',
    closedAt: '2015-06-01T10:00:00.000Z',
    cause: 'Døra manglet klemsikring',
    closingMeasures: 'Klemsikring montert',
    suggestion: 'Sjekk alle dører',
    measures: [
      {
        text: 'Montere klemsikring',
        dueDate: '2015-05-01',
        byId: INGRID,
        at: '2015-04-01T10:00:00.000Z',
      },
    ],
    ...over,
  });
  await w.store.create(d, { ...reportedEvent(d), note: 'Meldt med tekst' }, [
    {
      key: `outcome:${ref}`,
      type: 'deviation.outcome',
      to: { kind: 'person', id: d.reporterId },
      params: { ref },
      dueAt: '2015-06-01T10:00:00.000Z',
    },
  ]);
  await withRetention(new DeviationIndexStore(w.tables), w.index).sync(d);
  const posted = new PostedCardStore(w.tables);
  for (const [ownerId, view] of [
    [d.reporterId, 'receipt'],
    [INGRID, 'handler'],
  ])
    await posted.remember(deviationCard(ref), {
      ownerId,
      view,
      conversationId: `chat-${ownerId}`,
      activityId: 'a1',
      reference: '{}',
    });
  const claims = new TableFormClaims(w.tables, 'deviation');
  const claim = await claims.claim(`form-${ref}`, d.reporterId, d.createdAt);
  if ('token' in claim) await claims.assign(`form-${ref}`, ref, claim.token);
  const log = new TableAccessLog(w.tables);
  await log.opened(d, d.reporterId, 'card', new Date('2015-06-02T10:00:00Z'));
  await log.opened(d, INGRID, 'history', new Date('2015-06-02T10:00:00Z'));
  return d;
}

const rowsOf = async (w: World, ref: string) => listPartition(w.tables.client('Deviations'), ref);
const dueRows = async (w: World) => listPartition(w.tables.client('Privacy'), 'retention-due');

test('a case past its retention loses its texts and its reporter everywhere; the statistics stay; one not yet due is untouched', async () => {
  const w = await world();
  const old = await closedCase(w, 'AVV-2015-0001');
  const young = await closedCase(w, 'AVV-2025-0001', { closedAt: '2025-06-01T10:00:00.000Z' });
  const before = (await w.store.get(old.ref))!;

  const run = await runRetention(
    new TablePrivacyStore(w.tables),
    w.index,
    settings(),
    new Date('2026-01-01T03:00:00Z'),
  );
  expect(run).toMatchObject({ anonymised: [old.ref], failed: 0 });

  const after = (await w.store.get(old.ref))!;
  expect(after.record).toEqual({
    ...old,
    description: '',
    immediateAction: undefined,
    suggestion: undefined,
    cause: undefined,
    closingMeasures: undefined,
    reporterId: '',
    reporterName: '',
    measures: [{ text: '', dueDate: '2015-05-01', byId: INGRID, at: '2015-04-01T10:00:00.000Z' }],
  } as unknown as Deviation);
  // The revision is unchanged: no card action follows a closed case, and the trail has no gap.
  expect(after.record.rev).toBe(before.record.rev);
  const events = await w.store.events(old.ref);
  expect(events).toEqual([{ ...reportedEvent(old), actorId: ANONYMISED_ID }]);
  const rows = await rowsOf(w, old.ref);
  const kept = rows.map((r) => String(r.rowKey)).filter((k) => !k.startsWith('measure-'));
  expect(kept).toEqual(['deviation', 'event-000001', 'privacy-retention']);
  expect(rows.find((r) => r.rowKey === 'privacy-retention')).toMatchObject({
    kind: 'anonymised',
    actorId: 'system',
    rule: 'standard',
    note: 'anonymised by retention rule standard',
  });
  expect(JSON.stringify(rows)).not.toContain(EMIL);
  expect(await new DeviationIndexStore(w.tables).byReporter(EMIL)).toEqual([
    expect.objectContaining({ ref: young.ref }),
  ]);
  expect(await new PostedCardStore(w.tables).list(deviationCard(old.ref))).toEqual([]);
  const claims = new TableFormClaims(w.tables, 'deviation');
  expect(await claims.get(`form-${old.ref}`)).toMatchObject({ ref: old.ref, by: '' });
  expect(await claims.get(`form-${young.ref}`)).toMatchObject({ ref: young.ref, by: EMIL });

  // The young case: untouched, still waiting.
  expect((await w.store.get(young.ref))!.record).toEqual(young);
  expect((await dueRows(w)).map((r) => r.rowKey)).toEqual([
    `2035-06-01T10:00:00.000Z|${young.ref}`,
  ]);
});

test('run again, it changes nothing; a replayed sync of the anonymised case is recognised', async () => {
  const w = await world();
  const d = await closedCase(w, 'AVV-2015-0002');
  const at = new Date('2026-01-01T03:00:00Z');
  await runRetention(new TablePrivacyStore(w.tables), w.index, settings(), at);
  const etag = (await w.store.get(d.ref))!.etag;
  const again = await runRetention(new TablePrivacyStore(w.tables), w.index, settings(), at);
  expect(again).toMatchObject({ anonymised: [], skipped: 0, failed: 0 });
  // A late deviation.sync of the case writes its retention row again: the next run skips it.
  await w.index.track({ ...d });
  const replay = await runRetention(new TablePrivacyStore(w.tables), w.index, settings(), at);
  expect(replay).toMatchObject({ anonymised: [], skipped: 1 });
  expect((await w.store.get(d.ref))!.etag).toBe(etag);
  expect(await dueRows(w)).toEqual([]);
});

test('a crash between the steps: the next run completes the case', async () => {
  const w = await world();
  const d = await closedCase(w, 'AVV-2015-0003');
  const client = w.tables.client('Deviations');
  const original = client.submitTransaction.bind(client);
  // The side rows are scrubbed, then the process "dies" before the record's transaction.
  const crash = jest.spyOn(client, 'submitTransaction').mockRejectedValueOnce(new Error('killed'));
  const at = new Date('2026-01-01T03:00:00Z');
  const first = await runRetention(new TablePrivacyStore(w.tables), w.index, settings(), at);
  expect(first).toMatchObject({ anonymised: [], failed: 1 });
  expect((await w.store.get(d.ref))!.record.reporterId).toBe(EMIL);
  expect((await w.store.events(d.ref))[0].actorId).toBe(ANONYMISED_ID);
  expect(await dueRows(w)).toHaveLength(1);
  crash.mockImplementation(original);

  const second = await runRetention(new TablePrivacyStore(w.tables), w.index, settings(), at);
  expect(second).toMatchObject({ anonymised: [d.ref], failed: 0 });
  expect((await w.store.get(d.ref))!.record).toMatchObject({ reporterId: '', description: '' });
  expect(await dueRows(w)).toEqual([]);
  crash.mockRestore();
});

test('per category: a shorter rule for one category is named in the audit row; rule changes move waiting cases', async () => {
  const short: RetentionRule[] = [
    { id: 'hms-kort', categoryId: 'hms', years: 1 },
    { id: 'standard', years: 10 },
  ];
  const w = await world(short);
  const hms = await closedCase(w, 'AVV-2024-0001', { closedAt: '2024-06-01T10:00:00.000Z' });
  const other = await closedCase(w, 'AVV-2024-0002', {
    closedAt: '2024-06-01T10:00:00.000Z',
    categoryId: 'okonomi',
  });
  const run = await runRetention(
    new TablePrivacyStore(w.tables),
    w.index,
    settings(short),
    new Date('2026-01-01T03:00:00Z'),
  );
  expect(run.anonymised).toEqual([hms.ref]);
  expect(
    await getEntityOrUndefined(w.tables.client('Deviations'), hms.ref, 'privacy-retention'),
  ).toMatchObject({
    rule: 'hms-kort',
  });

  // The municipality shortens the standard rule: the waiting case gets its new time at the next run.
  const shorter: RetentionRule[] = [{ id: 'standard', years: 1 }];
  const index = new RetentionIndex(w.tables, shorter);
  const later = await runRetention(
    new TablePrivacyStore(w.tables),
    index,
    settings(shorter),
    new Date('2026-01-01T04:00:00Z'),
  );
  expect(later).toMatchObject({ moved: 1, anonymised: [other.ref] });
});

test('backfill: a case closed before retention existed gets its time from a scan, once', async () => {
  const w = await world();
  const d = sampleDeviation({
    ref: 'AVV-2014-0001',
    status: 'avvist',
    closedAt: '2014-01-02T10:00:00.000Z',
  });
  await w.store.create(d, reportedEvent(d));
  await w.store.create(
    sampleDeviation({ ref: 'AVV-2014-0002' }),
    reportedEvent(sampleDeviation({ ref: 'AVV-2014-0002' })),
  );
  expect(await dueRows(w)).toEqual([]);
  expect(await w.index.backfill()).toBe(1);
  expect((await dueRows(w)).map((r) => [r.rowKey, r.ruleId])).toEqual([
    ['2019-01-02T10:00:00.000Z|AVV-2014-0001', 'avvist'],
  ]);
});

test('the access log is written beside the record: ids only, one row per viewer, view and hour, the etag unchanged', async () => {
  const w = await world();
  const d = sampleDeviation({ ref: 'AVV-2026-0100', anonymous: true });
  await w.store.create(d, reportedEvent(d));
  const etag = (await w.store.get(d.ref))!.etag;
  const log = new TableAccessLog(w.tables);
  const at = new Date('2026-11-27T10:05:00Z');
  await log.opened(d, INGRID, 'card', at);
  await new TableAccessLog(w.tables).opened(d, INGRID, 'card', new Date('2026-11-27T10:55:00Z'));
  await log.opened(d, INGRID, 'history', at);
  await log.opened(d, EMIL, 'card', at);
  await log.opened(d, INGRID, 'card', new Date('2026-11-27T11:00:00Z'));
  expect((await w.store.get(d.ref))!.etag).toBe(etag);
  const rows = await listPartition(w.tables.client('Deviations'), d.ref, ACCESS_ROWS);
  expect(rows).toHaveLength(4);
  expect(JSON.stringify(rows)).not.toContain(EMIL);
  expect(await log.list(d.ref)).toEqual([
    {
      ref: d.ref,
      at: '2026-11-27T10:05:00.000Z',
      view: 'card',
      personId: INGRID,
      byReporter: false,
    },
    { ref: d.ref, at: '2026-11-27T10:05:00.000Z', view: 'card', byReporter: true },
    {
      ref: d.ref,
      at: '2026-11-27T10:05:00.000Z',
      view: 'history',
      personId: INGRID,
      byReporter: false,
    },
    {
      ref: d.ref,
      at: '2026-11-27T11:00:00.000Z',
      view: 'card',
      personId: INGRID,
      byReporter: false,
    },
  ]);
});

describe('report drafts', () => {
  const key = 'msteams/bot-id/users/29:emil';
  const draft = JSON.stringify({ reportDraft: { description: 'Halvferdig melding' } });

  test('an expired draft is not handed to the bot; a young one is', async () => {
    const { tables } = await freshTables(azurite);
    const clock = { at: new Date('2026-11-01T10:00:00Z'), now: () => clock.at };
    const store = new DraftExpiringStateStore(tables, 14, clock);
    await store.write(key, draft);
    clock.at = new Date('2026-11-14T10:00:00Z');
    expect(JSON.parse((await store.read([key])).get(key)!.json).reportDraft).toBeDefined();
    clock.at = new Date('2026-11-15T10:00:00Z');
    expect(JSON.parse((await store.read([key])).get(key)!.json)).toEqual({});
  });

  test('the daily job deletes expired drafts from storage and leaves young ones', async () => {
    const { tables } = await freshTables(azurite);
    const now = new Date();
    const store = new DraftExpiringStateStore(tables, 14, {
      now: () => new Date(now.getTime() - 20 * 86_400_000),
    });
    await store.write(key, draft);
    const young = new DraftExpiringStateStore(tables, 14, { now: () => now });
    await young.write('msteams/bot-id/users/29:ida', draft);
    // The rows were written just now: the job sees them once 14 days have passed.
    const later = new Date(now.getTime() + 15 * 86_400_000);
    expect(await deleteExpiredDrafts(tables, now, 14)).toBe(0);
    const plain = new StateStore(tables);
    expect((await plain.read([key])).size).toBe(1);
    // The stamp says 20 days old, but the row is young: only drafts not saved for 14 days go.
    expect(await deleteExpiredDrafts(tables, later, 14)).toBe(2);
    expect((await plain.read([key, 'msteams/bot-id/users/29:ida'])).size).toBe(0);
  });
});
