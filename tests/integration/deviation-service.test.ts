import crypto from 'node:crypto';
import { DeviationIndexStore } from '../../bot/deviations/deviation-index-store';
import { referenceYear } from '../../bot/deviations/deviation-reference';
import { DeviationService } from '../../bot/deviations/deviation-service';
import { DeviationStore } from '../../bot/deviations/deviation-store';
import type { DeviationDeps, DeviationRecords } from '../../bot/deviations/ports';
import { deviationComposers } from '../../bot/deviations/deviation-composers';
import { DEFAULT_NUDGE_SETTINGS } from '../../bot/deviations/deviation-timers';
import { OutboxStore } from '../../bot/store/outbox-store';
import type { Actor } from '../../bot/kernel/actor';
import { CardSigner } from '../../bot/kernel/card-signing';
import type { Delivery } from '../../bot/messaging/delivery';
import { Notifier } from '../../bot/messaging/notifier';
import { OrgStore } from '../../bot/org/org-store';
import { TableFormClaims } from '../../bot/store/claims';
import { ConversationStore } from '../../bot/store/conversation-store';
import { PostedCardStore } from '../../bot/store/posted-card-store';
import type { Tables } from '../../bot/store/tables';
import { freshTables, startTestAzurite, type TestAzurite } from '../support/azurite';
import { demoOrgFile, PEOPLE, SIGNING_SECRET } from '../support/bot-under-test';
import { cardText, referenceIn } from '../support/cards';
import { validReport } from '../support/deviation-flows';

/** DeviationService.submitReport on a real Azurite: parallel submits and the one-form-one-report rule. */
let azurite: TestAzurite;

const emil: Actor = {
  id: PEOPLE.emil.aadObjectId,
  name: PEOPLE.emil.name,
  language: 'nb',
  locale: 'nb-NO',
};

/** Microsoft's connector cannot run here: this one only records what would be sent. */
const recordingDelivery = (): Delivery & { sent: unknown[] } => {
  const sent: unknown[] = [];
  return {
    sent,
    async send(_reference, card) {
      sent.push(card);
      return { activityId: `act-${sent.length}` };
    },
    async update() {},
  };
};

/** The records port with a switch that makes the next create fail, as during a storage outage. */
function flaky(records: DeviationRecords): DeviationRecords & { failNextCreate: boolean } {
  const port = {
    failNextCreate: false,
    get: records.get.bind(records),
    nextReference: records.nextReference.bind(records),
    writeHints: records.writeHints.bind(records),
    withdrawHints: records.withdrawHints.bind(records),
    update: records.update.bind(records),
    events: records.events.bind(records),
    giveBackReference: records.giveBackReference.bind(records),
    hintsFor: records.hintsFor.bind(records),
    referenceUsed: records.referenceUsed.bind(records),
    async create(...args: Parameters<DeviationRecords['create']>) {
      if (port.failNextCreate) {
        port.failNextCreate = false;
        throw Object.assign(new Error('ServiceUnavailable'), { statusCode: 503 });
      }
      return records.create(...args);
    },
  };
  return port;
}

async function serviceOn(tables: Tables) {
  const org = new OrgStore(tables, 60_000);
  await org.importFile(demoOrgFile(), { removeMissing: false });
  const outbox = new OutboxStore(tables);
  const records = flaky(new DeviationStore(tables, outbox));
  const deviations = new DeviationIndexStore(tables);
  const postedCards = new PostedCardStore(tables);
  const deps: DeviationDeps = {
    records,
    index: deviations,
    claims: new TableFormClaims(tables, 'deviation'),
    org,
    reach: new Notifier({
      delivery: recordingDelivery(),
      conversations: new ConversationStore(tables),
      postedCards,
    }),
    postedCards,
    outbox,
    signer: new CardSigner(SIGNING_SECRET),
    clock: { now: () => new Date() },
    timers: { set: async () => undefined }, // no scheduler in this test
    nudges: DEFAULT_NUDGE_SETTINGS,
  };
  const service = new DeviationService(deps);
  // The index rows follow a report through the outbox: run those jobs as the dispatcher would.
  const { composers } = deviationComposers(deps);
  const sync = composers.find((c) => c.type === 'deviation.sync')!;
  const syncIndex = async () => {
    for (const hint of await outbox.due(new Date(Date.now() + 1000), 1000)) {
      const found = await outbox.read(hint.address);
      if (found?.message.type === 'deviation.sync') await sync.run!(found.message, new Date());
    }
  };
  return { service, deviations, records, syncIndex };
}

beforeAll(async () => {
  azurite = await startTestAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

test('50 parallel submits of different forms give 50 distinct consecutive references', async () => {
  const { tables } = await freshTables(azurite);
  const { service, deviations, syncIndex } = await serviceOn(tables);
  const results = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      service.submitReport(emil, validReport({ description: `Hendelse ${i}` })),
    ),
  );

  expect(results.every((r) => r.ok)).toBe(true);
  const refs = results.map((r) => (r.ok ? r.deviation.ref : ''));
  const year = referenceYear(new Date());
  expect([...refs].sort()).toEqual(
    Array.from({ length: 50 }, (_, i) => `AVV-${year}-${String(i + 1).padStart(4, '0')}`),
  );
  await syncIndex();
  expect((await deviations.byReporter(emil.id)).length).toBe(50);
  for (const r of results) if (r.ok) expect(referenceIn(r.card)).toBe(r.deviation.ref);
});

test('the same form submitted twice in parallel gives one deviation', async () => {
  const { tables } = await freshTables(azurite);
  const { service, deviations, syncIndex } = await serviceOn(tables);
  const data = validReport();
  const [a, b] = await Promise.all([
    service.submitReport(emil, data),
    service.submitReport(emil, data),
  ]);

  await syncIndex();

  const stored = await deviations.byReporter(emil.id);
  expect(stored).toHaveLength(1);
  const oks = [a, b].filter((r) => r.ok);
  expect(oks.length).toBeGreaterThanOrEqual(1);
  for (const r of oks) if (r.ok) expect(r.deviation.ref).toBe(stored[0].ref);

  // Sent again later (a retried invoke): the same receipt, still one deviation.
  const again = await service.submitReport(emil, data);
  expect(again.ok && again.deviation.ref).toBe(stored[0].ref);
  await syncIndex();
  expect(await deviations.byReporter(emil.id)).toHaveLength(1);
});

test('another person cannot take over a form id: no second deviation, no receipt for them', async () => {
  const { tables } = await freshTables(azurite);
  const { service, deviations, syncIndex } = await serviceOn(tables);
  const data = validReport();
  await service.submitReport(emil, data);
  const ingrid: Actor = {
    id: PEOPLE.ingrid.aadObjectId,
    name: PEOPLE.ingrid.name,
    language: 'nb',
    locale: 'nb-NO',
  };
  const theirs = await service.submitReport(ingrid, data);
  expect(theirs.ok).toBe(false);
  expect(cardText(theirs.card)).not.toContain('Takk! Avviket er meldt');
  await syncIndex();
  expect(await deviations.byReporter(ingrid.id)).toHaveLength(0);
});

test('a submit that failed in the store can be sent again with the same form and is then stored', async () => {
  const { tables } = await freshTables(azurite);
  const { service, deviations, records, syncIndex } = await serviceOn(tables);
  const data = validReport({ formId: crypto.randomUUID() });
  records.failNextCreate = true;
  await expect(service.submitReport(emil, data)).rejects.toThrow('ServiceUnavailable');

  // The user presses "Send inn" again (or Teams retries the invoke): the report must not be lost.
  const retry = await service.submitReport(emil, data);
  expect(retry.ok).toBe(true);
  expect(cardText(retry.card)).toContain('Takk! Avviket er meldt');
  await syncIndex();
  expect(await deviations.byReporter(emil.id)).toHaveLength(1);
});

test('a reference that is already taken (a counter restored from an older backup) is skipped, never overwritten', async () => {
  const { tables } = await freshTables(azurite);
  const { service, records } = await serviceOn(tables);
  const year = referenceYear(new Date());
  const taken = `AVV-${year}-0001`;
  const first = await service.submitReport(emil, validReport({ description: 'Den første' }));
  expect(first.ok && first.deviation.ref).toBe(taken);
  // The counter forgets it gave out 0001.
  await tables.client('Counters').deleteEntity('reference', `AVV-${year}`);
  const second = await service.submitReport(emil, validReport({ description: 'Den andre' }));
  expect(second.ok && second.deviation.ref).toBe(`AVV-${year}-0002`);
  expect((await records.get(taken))?.record.description).toBe('Den første');
  expect(cardText(second.card)).toContain(`AVV-${year}-0002`);
});

describe('the form claim is looked at before anything is taken or written', () => {
  const dueHints = async (tables: Tables) => {
    let n = 0;
    for await (const _ of tables
      .client('Outbox')
      .listEntities({ queryOptions: { filter: "PartitionKey eq 'due'" } }))
      n++;
    return n;
  };
  const storedRecords = async (tables: Tables) => {
    let n = 0;
    for await (const _ of tables
      .client('Deviations')
      .listEntities({ queryOptions: { filter: "RowKey eq 'deviation'" } }))
      n++;
    return n;
  };
  const sequenceOf = (ref: string) => Number(ref.split('-')[2]);
  const claims = (tables: Tables) => new TableFormClaims(tables, 'deviation');
  const claimRow = (tables: Tables, formId: string, at: string) =>
    claims(tables).claim(formId, emil.id, at, '');

  test('a duplicate submit stores nothing twice and burns no reference', async () => {
    const { tables } = await freshTables(azurite);
    const { service, syncIndex } = await serviceOn(tables);
    const data = validReport();
    const first = await service.submitReport(emil, data);
    await syncIndex();
    const again = await service.submitReport(emil, data);
    expect(again.ok && first.ok && again.deviation.ref).toBe(first.ok && first.deviation.ref);
    expect(await storedRecords(tables)).toBe(1);
    // The number the duplicate held was given back: the next report takes it.
    const next = await service.submitReport(emil, validReport());
    expect(next.ok && sequenceOf(next.deviation.ref)).toBe(
      first.ok && sequenceOf(first.deviation.ref) + 1,
    );
  });

  test('a claim is taken with its reference: one round trip less, and a retry finds the record', async () => {
    const { tables } = await freshTables(azurite);
    const { service } = await serviceOn(tables);
    const formId = crypto.randomUUID();
    const done = await service.submitReport(emil, validReport({ formId }));
    const claim = await claims(tables).get(formId);
    expect(claim?.ref).toBe(done.ok && done.deviation.ref);
    expect(await dueHints(tables)).toBeGreaterThan(0);
  });

  test('a submit that stopped after its claim (no reference yet) is finished by the retry', async () => {
    const { tables } = await freshTables(azurite);
    const { service, records } = await serviceOn(tables);
    const formId = crypto.randomUUID();
    // Claimed 10 s ago, then nothing: the process died before it took a reference.
    await claimRow(tables, formId, new Date(Date.now() - 10_000).toISOString());
    const retry = await service.submitReport(emil, validReport({ formId }));
    expect(retry.ok).toBe(true);
    const ref = retry.ok ? retry.deviation.ref : '';
    expect((await records.get(ref))?.record.formId).toBe(formId);
    expect((await claims(tables).get(formId))?.ref).toBe(ref);
  });

  test('a claim held by a submit still under way is not taken over: "being registered", nothing taken', async () => {
    const { tables } = await freshTables(azurite);
    const { service } = await serviceOn(tables);
    const before = await service.submitReport(emil, validReport());
    const formId = crypto.randomUUID();
    await claimRow(tables, formId, new Date().toISOString());
    const started = Date.now();
    const second = await service.submitReport(emil, validReport({ formId }));
    expect(second.ok).toBe(false);
    expect(cardText(second.card)).toContain('blir registrert nå');
    expect(Date.now() - started).toBeLessThan(4500); // it waits a moment, within Teams' 5 s
    expect(!second.ok && second.draft).toBeFalsy(); // the filed text is not kept as a draft
    // Nothing taken: the next report takes the number after the one before.
    const next = await service.submitReport(emil, validReport());
    expect(next.ok && sequenceOf(next.deviation.ref)).toBe(
      before.ok && sequenceOf(before.deviation.ref) + 1,
    );
    expect(await storedRecords(tables)).toBe(2);
  });
});
