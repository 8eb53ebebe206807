import { CardSigner } from '../../bot/kernel/card-signing';
import {
  PEOPLE,
  SIGNING_SECRET,
  startBotUnderTest,
  type BotUnderTest,
} from '../support/bot-under-test';
import { cardText, executeAction } from '../support/cards';
import { act, cardFor, invokeCard, report } from '../support/deviation-flows';

/**
 * Card actions that must change nothing: wrong person, forged or stale card, a transition the
 * workflow does not allow, an unknown verb; plus the same action arriving twice and two
 * leaders closing at once.
 */
let t: BotUnderTest;
const { ingrid, emil, lars, per } = PEOPLE;

const NOT_ALLOWED = (ref: string) =>
  `Du har ikke tilgang til å gjøre dette med ${ref}. Ingenting er endret.`;
const FORGED = 'Kortet er ikke gyldig';
const STALE = 'Saken ble endret av noen andre mens du så på den.';

beforeAll(async () => {
  t = await startBotUnderTest({ installed: [ingrid, emil, per] });
});
afterAll(async () => {
  await t?.stop();
});

async function newCase() {
  const reported = await report(t, emil);
  return { ...reported, leaderCard: await cardFor(t, ingrid, reported.ref, 'deviation.take') };
}

/** rev and the number of audit events, to show that nothing changed. */
async function stateOf(ref: string) {
  return {
    rev: (await t.deviations.get(ref))!.record.rev,
    events: (await t.deviations.events(ref)).length,
  };
}

test('the reporter (an employee) pressing take is refused and nothing changes', async () => {
  const c = await newCase();
  const before = await stateOf(c.ref);
  const { card } = await act(t, emil, c.leaderCard, 'deviation.take');
  expect(cardText(card)).toContain(NOT_ALLOWED(c.ref));
  expect(await stateOf(c.ref)).toEqual(before);
});

test('a leader of another unit (Lars) pressing take is refused and nothing changes', async () => {
  const c = await newCase();
  const before = await stateOf(c.ref);
  const { card } = await act(t, lars, c.leaderCard, 'deviation.take');
  expect(cardText(card)).toContain(NOT_ALLOWED(c.ref));
  expect(JSON.stringify(card)).not.toContain('Et barn klemte fingeren'); // not his to see either
  expect(await stateOf(c.ref)).toEqual(before);
});

test('a forged signature, or this card\'s signature on another reference, is "not valid"', async () => {
  const c = await newCase();
  const other = await newCase();
  const data = executeAction(c.leaderCard.card, 'deviation.take').data!;
  const before = [await stateOf(c.ref), await stateOf(other.ref)];

  const forged = invokeCard(
    await t.client.cardAction(
      ingrid,
      'deviation.take',
      { ...data, sig: 'A'.repeat(32) },
      { replyToId: c.leaderCard.id },
    ),
  );
  expect(cardText(forged)).toContain(FORGED);
  const swapped = invokeCard(
    await t.client.cardAction(
      ingrid,
      'deviation.take',
      { ...data, ref: other.ref },
      { replyToId: c.leaderCard.id },
    ),
  );
  expect(cardText(swapped)).toContain(FORGED);
  const invented = invokeCard(
    await t.client.cardAction(
      ingrid,
      'deviation.take',
      { ...data, rev: 7 },
      { replyToId: c.leaderCard.id },
    ),
  );
  expect(cardText(invented)).toContain(FORGED);

  expect([await stateOf(c.ref), await stateOf(other.ref)]).toEqual(before);
});

test('a stale card (an old rev) shows the current state with a notice', async () => {
  const c = await newCase();
  await act(t, ingrid, c.leaderCard, 'deviation.take');
  const before = await stateOf(c.ref);
  // The same old card pressed again (a new press, so a new activity id).
  const { card } = await act(t, ingrid, c.leaderCard, 'deviation.reject', {
    rejectReason: 'Ikke et avvik',
  });
  expect(cardText(card)).toContain(STALE);
  expect(cardText(card)).toContain('Under behandling');
  expect(await stateOf(c.ref)).toEqual(before);
});

test('close straight from registrert is refused: the take signature does not sign close, and the workflow refuses the jump', async () => {
  const c = await newCase();
  const before = await stateOf(c.ref);
  const data = executeAction(c.leaderCard.card, 'deviation.take').data!;
  const borrowed = await t.client.cardAction(
    ingrid,
    'deviation.close',
    { ...data, cause: 'c', closingMeasures: 'm' },
    { replyToId: c.leaderCard.id },
  );
  expect(cardText(invokeCard(borrowed))).toContain(FORGED);

  // A close signature for this revision (the card never offers one; made with the test secret).
  const sig = new CardSigner(SIGNING_SECRET).sign({
    kind: 'deviation',
    id: c.ref,
    rev: 1,
    verb: 'deviation.close',
  });
  const res = await t.client.cardAction(
    ingrid,
    'deviation.close',
    { ...data, sig, cause: 'c', closingMeasures: 'm' },
    { replyToId: c.leaderCard.id },
  );
  expect(cardText(invokeCard(res))).toContain(
    '«Lukket» kan ikke gjøres når saken har status «Registrert». Ingenting er endret.',
  );
  expect(await stateOf(c.ref)).toEqual(before);
});

test('an unknown verb gets a refusal card, not a 501', async () => {
  const c = await newCase();
  const data = executeAction(c.leaderCard.card, 'deviation.take').data!;
  for (const verb of ['deviation.frobnicate', 'something.else']) {
    const res = await t.client.cardAction(ingrid, verb, data, { replyToId: c.leaderCard.id });
    expect(res.status).toBe(200);
    expect(cardText(invokeCard(res))).toContain('Ukjent handling. Ingenting er endret.');
  }
  expect((await stateOf(c.ref)).rev).toBe(1);
});

test('the same invoke (same activity id) sent twice gives one audit event', async () => {
  const c = await newCase();
  const id = t.client.newActivityId();
  const first = await act(t, ingrid, c.leaderCard, 'deviation.take', {}, { id });
  const second = await act(t, ingrid, c.leaderCard, 'deviation.take', {}, { id });
  expect(cardText(first.card)).toContain('Under behandling');
  expect(cardText(second.card)).toContain('Under behandling');
  expect(cardText(second.card)).not.toContain(STALE);
  expect((await t.deviations.events(c.ref)).map((e) => e.kind)).toEqual(['reported', 'take']);
});

test('the same invoke arriving twice at once (a connector retry) still gives one audit event', async () => {
  const c = await newCase();
  const id = t.client.newActivityId();
  const both = await Promise.all(
    [1, 2].map(() => act(t, ingrid, c.leaderCard, 'deviation.take', {}, { id })),
  );
  for (const { response } of both) expect(response.status).toBe(200);
  expect((await t.deviations.events(c.ref)).map((e) => e.kind)).toEqual(['reported', 'take']);
});

test('two leaders closing at once with the same rev: one close, the other sees the current state', async () => {
  const c = await newCase();
  const taken = await act(t, ingrid, c.leaderCard, 'deviation.take');
  const card = { id: c.leaderCard.id, card: taken.card };
  const [a, b] = await Promise.all([
    act(t, ingrid, card, 'deviation.close', {
      cause: 'Årsak fra Ingrid',
      closingMeasures: 'Tiltak fra Ingrid',
    }),
    act(t, per, card, 'deviation.close', {
      cause: 'Årsak fra Per',
      closingMeasures: 'Tiltak fra Per',
    }),
  ]);
  const events = await t.deviations.events(c.ref);
  expect(events.filter((e) => e.kind === 'close')).toHaveLength(1);
  const texts = [cardText(a.card), cardText(b.card)];
  expect(texts.filter((text) => text.includes(STALE))).toHaveLength(1);
  expect(texts.every((text) => text.includes('Lukket'))).toBe(true);
  const stored = (await t.deviations.get(c.ref))!.record;
  const winner = events.find((e) => e.kind === 'close')!.actorId;
  expect(stored.cause).toBe(winner === ingrid.aadObjectId ? 'Årsak fra Ingrid' : 'Årsak fra Per');
});

test('a valid card action arriving from a channel is answered with a pointer: no change, no case content', async () => {
  const c = await newCase();
  const before = await stateOf(c.ref);
  const updatesBefore = t.connector.updates().length;
  const take = executeAction(c.leaderCard.card, 'deviation.take');
  const team = '19:heim-leaders@thread.tacv2';
  const res = await t.client.cardAction(ingrid, 'deviation.take', take.data ?? {}, {
    replyToId: 'channel-message-1',
    extra: {
      conversation: { id: `${team};messageid=1`, conversationType: 'channel', isGroup: true },
      channelData: { team: { id: team }, channel: { id: team } },
    },
  });
  expect(res.status).toBe(200);
  const card = invokeCard(res);
  expect(cardText(card)).toContain('personlig chat');
  expect(JSON.stringify(card)).not.toContain('klemte'); // no description in the channel
  expect(await stateOf(c.ref)).toEqual(before);
  expect(t.connector.updates().length).toBe(updatesBefore); // nothing replaced in the channel
});
