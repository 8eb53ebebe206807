import { DeviationIndexStore } from '../../bot/deviations/deviation-index-store';
import { deviationCard } from '../../bot/deviations/deviation-messages';
import { DeviationStore } from '../../bot/deviations/deviation-store';
import { TableAccessLog } from '../../bot/privacy/access-log-store';
import { ANONYMISED_ID } from '../../bot/privacy/case-anonymiser';
import { DraftExpiringStateStore } from '../../bot/privacy/drafts-store';
import { collectPersonData } from '../../bot/privacy/person-data-store';
import { TablePrivacyStore } from '../../bot/privacy/privacy-store';
import { erasePerson } from '../../bot/privacy/person-erase';
import { ConversationStore } from '../../bot/store/conversation-store';
import { OutboxStore } from '../../bot/store/outbox-store';
import { PostedCardStore } from '../../bot/store/posted-card-store';
import { listPartition, type Tables } from '../../bot/store/tables';
import { freshTables, startTestAzurite, type TestAzurite } from '../support/azurite';
import { changed, reportedEvent, sampleDeviation } from '../support/sample-deviation';

/** A person's data: export (art. 15) and erasure (art. 17) against a real Azurite. */
const EMIL = '7c1a2b3d-0001-4a10-9c01-000000000401';
const INGRID = '00000000-0000-0000-0000-0000000000020';
const ANON = 'AVV-2026-0001';
const OPEN = 'AVV-2026-0002';
const STATE_KEY = 'msteams/bot-id/users/29:emil';
let azurite: TestAzurite;
let tables: Tables;
let store: DeviationStore;

beforeAll(async () => {
  azurite = await startTestAzurite();
  ({ tables } = await freshTables(azurite));
  store = new DeviationStore(tables, new OutboxStore(tables));
  const index = new DeviationIndexStore(tables);
  const log = new TableAccessLog(tables);
  // Emil's anonymous report, taken by Ingrid; and one he signed with his name.
  const anon = sampleDeviation({ ref: ANON, anonymous: true });
  await store.create(anon, reportedEvent(anon));
  const taken = changed(anon, { status: 'under_behandling' }, 'take', INGRID);
  await store.update(anon, taken.after, (await store.get(ANON))!.etag, taken.event);
  const named = sampleDeviation({ ref: OPEN });
  await store.create(named, reportedEvent(named));
  for (const d of [taken.after, named]) await index.sync(d);
  await log.opened(taken.after, INGRID, 'card', new Date('2026-11-27T10:00:00Z'));
  await log.opened(taken.after, EMIL, 'card', new Date('2026-11-27T10:00:00Z'));
  await new ConversationStore(tables).saveForUser(EMIL, {
    conversationId: 'a:emil',
    reference: JSON.stringify({ user: { id: '29:emil', aadObjectId: EMIL } }),
    updatedAt: '2026-11-27T10:00:00Z',
  });
  await new DraftExpiringStateStore(tables, 14, { now: () => new Date() }).write(
    STATE_KEY,
    JSON.stringify({ reportDraft: { description: 'Et utkast' } }),
  );
  await new PostedCardStore(tables).remember(deviationCard(ANON), {
    ownerId: EMIL,
    view: 'receipt',
    conversationId: 'a:emil',
    activityId: 'm1',
    reference: '{}',
  });
});
afterAll(async () => {
  await azurite?.stop();
});

test("the reporter's export holds both his reports whole, his own views, his chat and his draft", async () => {
  const data = await collectPersonData(tables, EMIL);
  expect(data.reportedCases.map((c) => c.ref)).toEqual([ANON, OPEN]);
  const anon = data.reportedCases[0];
  expect(anon.record).toMatchObject({
    anonymous: true,
    reporterId: EMIL,
    description: expect.any(String),
  });
  expect(anon.events.map((e) => e.kind)).toEqual(['reported', 'take']);
  expect(anon.views).toEqual([expect.objectContaining({ byReporter: true, view: 'card' })]);
  expect(data.casesActedOn).toEqual([]);
  expect(data.conversation).toMatchObject({ conversationId: 'a:emil' });
  expect(data.drafts).toEqual([
    { key: STATE_KEY, draft: { description: 'Et utkast' }, savedAt: expect.any(String) },
  ]);
  expect(data.postedCards).toEqual([expect.objectContaining({ ownerId: EMIL, view: 'receipt' })]);
});

test("the handler's export holds the anonymous case without its reporter: anonymous reports are for their reporter only", async () => {
  const data = await collectPersonData(tables, INGRID);
  expect(data.reportedCases).toEqual([]);
  expect(data.casesActedOn).toEqual([
    expect.objectContaining({ ref: ANON, roles: ['handler', 'actor'] }),
    expect.objectContaining({ ref: OPEN, roles: ['handler'] }),
  ]);
  expect(data.accessEvents).toEqual([
    expect.objectContaining({ ref: ANON, personId: INGRID, byReporter: false }),
  ]);
  const text = JSON.stringify(data);
  expect(text).not.toContain(EMIL);
  expect(text).not.toContain('Emil Vik');
  expect(text).not.toContain('klemte fingeren');
});

test('erase without --confirm changes nothing and says what it would do', async () => {
  const before = await store.get(ANON);
  const lines = await erasePerson(
    new TablePrivacyStore(tables),
    await collectPersonData(tables, EMIL),
    {
      confirm: false,
      at: new Date(),
      operator: 'test',
    },
  );
  expect(lines).toContainEqual(expect.objectContaining({ action: 'anonymised', count: 2 }));
  expect(lines).toContainEqual(
    expect.objectContaining({ action: 'deleted', what: expect.stringMatching(/draft/) }),
  );
  expect((await store.get(ANON))!.etag).toBe(before!.etag);
  expect(await new ConversationStore(tables).forUser(EMIL)).toBeDefined();
});

test("erase: the reporter's identity leaves the cases, what only served him is deleted, what must stay is named with its reason", async () => {
  const lines = await erasePerson(
    new TablePrivacyStore(tables),
    await collectPersonData(tables, EMIL),
    {
      confirm: true,
      at: new Date('2026-12-01T10:00:00Z'),
      operator: 'personvernombud',
    },
  );
  for (const ref of [ANON, OPEN]) {
    const { record } = (await store.get(ref))!;
    expect(record).toMatchObject({ reporterId: '', reporterName: '' });
    // The case text is the municipality's record: kept.
    expect(record.description).toContain('klemte fingeren');
    expect((await store.events(ref))[0].actorId).toBe(ANONYMISED_ID);
  }
  expect((await store.events(ANON))[1].actorId).toBe(INGRID);
  const rows = await listPartition(tables.client('Deviations'), ANON);
  expect(rows.find((r) => String(r.rowKey).startsWith('privacy-erased-'))).toMatchObject({
    kind: 'erased',
    actorId: 'personvernombud',
  });
  expect(await new DeviationIndexStore(tables).byReporter(EMIL)).toEqual([]);
  expect(await new ConversationStore(tables).forUser(EMIL)).toBeUndefined();
  expect(await new PostedCardStore(tables).list(deviationCard(ANON))).toEqual([]);
  const after = await collectPersonData(tables, EMIL);
  expect(after.reportedCases).toEqual([]);
  expect(after.drafts).toEqual([]);
  expect(JSON.stringify(lines)).toContain('deleted');

  // Ingrid's handling is kept, and an erasure of her says why.
  const hers = await erasePerson(
    new TablePrivacyStore(tables),
    await collectPersonData(tables, INGRID),
    {
      confirm: false,
      at: new Date(),
      operator: 'test',
    },
  );
  expect(hers).toContainEqual({
    what: 'cases they handled or acted on',
    count: 2,
    action: 'kept',
    reason: expect.stringMatching(/record of how a case was handled/),
  });
  expect(hers).toContainEqual(
    expect.objectContaining({ action: 'kept', what: expect.stringMatching(/access log/) }),
  );
});
