import { cardText } from '../support/cards';
import { act, cardFor, invokeCard } from '../support/deviation-flows';
import { report } from '../support/deviation-flows';
import { ACK_VERB, kernelProbe, type KernelProbe } from '../support/kernel-probe';
import { PEOPLE, startBotUnderTest, type BotUnderTest } from '../support/bot-under-test';
import { executeAction } from '../support/cards';

/**
 * A new case kind built on the kernel alone (tests/support/kernel-probe.ts), plugged into the
 * real bot over HTTP: its one verb runs through the same pipeline as the deviation verbs, with
 * the same guarantees, and no deviation code is involved.
 */
let t: BotUnderTest;
let probe: KernelProbe;
const { ingrid, emil } = PEOPLE;

beforeAll(async () => {
  t = await startBotUnderTest({
    installed: [ingrid, emil],
    extraFeatures: (kit) => {
      probe = kernelProbe(kit);
      return { cardActions: [probe.pipeline], composers: probe.composers, drawers: probe.drawers };
    },
  });
});
afterAll(async () => {
  await t?.stop();
});

test('create, confirm from the card, every copy updated, audit trail written', async () => {
  const ack = await probe.create(
    'Les rutinen for legemiddelhåndtering',
    ingrid.aadObjectId,
    emil.aadObjectId,
  );
  expect(ack.ref).toMatch(/^ACK-\d{4}-0001$/);
  const card = await cardFor(t, ingrid, ack.ref, ACK_VERB);
  await cardFor(t, emil, ack.ref, ACK_VERB);

  const mark = t.connector.updates().length;
  const confirmed = await act(t, ingrid, card, ACK_VERB, {}, { id: 'ack-press-1' });
  expect(cardText(confirmed.card)).toContain('(confirmed)');
  await t.bot.outboxIdle();
  // Emil's copy shows the new state; Ingrid's own copy is replaced by the invoke response.
  const updates = t.connector.updates().slice(mark);
  expect(updates.map((u) => u.conversationId)).toEqual([t.client.personalConversationId(emil)]);
  expect(JSON.stringify(updates[0].activity)).toContain('(confirmed)');

  expect((await probe.records.get(ack.ref))?.record).toMatchObject({ status: 'confirmed', rev: 2 });
  expect((await probe.records.events(ack.ref)).map((e) => [e.seq, e.kind, e.actorId])).toEqual([
    [1, 'created', ingrid.aadObjectId],
    [2, 'confirm', ingrid.aadObjectId],
  ]);

  // The same press again (a Teams retry with the same activity id) changes nothing.
  const again = await act(t, ingrid, card, ACK_VERB, {}, { id: 'ack-press-1' });
  expect(cardText(again.card)).toContain('(confirmed)');
  expect(cardText(again.card)).not.toContain('endret av noen andre');
  expect((await probe.records.events(ack.ref)).length).toBe(2);
});

test('the watcher may see but not confirm; nothing changes', async () => {
  const ack = await probe.create('Bekreft opplæring', ingrid.aadObjectId, emil.aadObjectId);
  const card = await cardFor(t, emil, ack.ref, ACK_VERB);
  const refused = await act(t, emil, card, ACK_VERB);
  expect(cardText(refused.card)).toContain(`Du har ikke tilgang til å gjøre dette med ${ack.ref}`);
  expect(cardText(refused.card)).toContain('(open)'); // he may view it: the card, with the reason
  expect((await probe.records.get(ack.ref))?.record.rev).toBe(1);
});

test('signatures do not cross features: a deviation signature is refused here, and this one there', async () => {
  const ack = await probe.create('Krysskontroll', ingrid.aadObjectId, emil.aadObjectId);
  const ackCard = await cardFor(t, ingrid, ack.ref, ACK_VERB);
  await t.settle(); // Emil's copy has arrived before he reports
  const { ref } = await report(t, emil);
  const leaderCard = await cardFor(t, ingrid, ref, 'deviation.take');
  const take = executeAction(leaderCard.card, 'deviation.take').data!;
  const confirm = executeAction(ackCard.card, ACK_VERB).data!;

  // The deviation's take signature, presented as a confirm of its own reference and revision.
  const onAck = await t.client.cardAction(ingrid, ACK_VERB, { ...take }, { replyToId: ackCard.id });
  expect(cardText(invokeCard(onAck))).toContain('Kortet er ikke gyldig');
  // The acknowledgement's signature presented to the deviation pipeline.
  const onDeviation = await t.client.cardAction(
    ingrid,
    'deviation.take',
    { ...confirm, ref },
    { replyToId: leaderCard.id },
  );
  expect(cardText(invokeCard(onDeviation))).toContain('Kortet er ikke gyldig');
  expect((await probe.records.get(ack.ref))?.record.rev).toBe(1);
  expect((await t.deviations.get(ref))?.record.rev).toBe(1);
});

test('a stale card (older revision) is refused with the current state', async () => {
  const ack = await probe.create('Gammelt kort', ingrid.aadObjectId, emil.aadObjectId);
  const card = await cardFor(t, ingrid, ack.ref, ACK_VERB);
  const data = executeAction(card.card, ACK_VERB).data!;
  await act(t, ingrid, card, ACK_VERB);
  const stale = await t.client.cardAction(ingrid, ACK_VERB, data, { replyToId: card.id });
  expect(cardText(invokeCard(stale))).toContain('(confirmed)');
  expect((await probe.records.events(ack.ref)).length).toBe(2);
});
