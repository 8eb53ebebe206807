import { osloDate } from '../../bot/deviations/report-form';
import { PEOPLE, startBotUnderTest, type BotUnderTest } from '../support/bot-under-test';
import { cardText, factValue, verbsOf } from '../support/cards';
import { adaptiveCardsOf } from '../support/fake-connector';
import { act, cardFor, report, type Reported } from '../support/deviation-flows';
import type { TeamsUser } from '../support/teams-client';

/**
 * The leader's handler card over real HTTP: every action, with ref/rev/sig read from the card
 * as sent. After each: the answer shows the new status, other copies are updated (PUT), and on
 * close/reject the reporter hears the outcome.
 */
let t: BotUnderTest;
const { ingrid, emil, sofie, per } = PEOPLE;
const chat = (u: TeamsUser) => t.client.personalConversationId(u);
const statusOf = (card: any) => factValue(card, 'Status');
const inAWeek = () => osloDate(new Date(Date.now() + 7 * 86400_000));

beforeAll(async () => {
  t = await startBotUnderTest({ installed: [ingrid, emil, sofie, per] });
});
afterAll(async () => {
  await t?.stop();
});

async function newCase(): Promise<Reported & { leaderCard: { id: string; card: any } }> {
  const reported = await report(t, emil);
  return { ...reported, leaderCard: await cardFor(t, ingrid, reported.ref, 'deviation.take') };
}

/** Statuses the reporter's receipt was updated to, in order, from the `since`-th update on. */
function receiptStatuses(c: Reported, since = 0): (string | undefined)[] {
  return t.connector
    .updates()
    .slice(since)
    .filter((u) => u.conversationId === chat(emil) && u.activityId === c.receiptActivityId)
    .map((u) => statusOf(adaptiveCardsOf(u.activity)[0]));
}

test('take: the leader takes responsibility; the receipt copy shows the new status', async () => {
  const c = await newCase();
  const mark = t.connector.updates().length;
  const { card } = await act(t, ingrid, c.leaderCard, 'deviation.take');
  expect(cardText(card)).toContain('Under behandling');
  expect(verbsOf(card)).not.toContain('deviation.take');
  expect(verbsOf(card)).toEqual(
    expect.arrayContaining(['deviation.measure', 'deviation.close', 'deviation.reject']),
  );

  await t.connector.waitFor(() => receiptStatuses(c, mark).includes('Under behandling'));
  // Ingrid's own card was replaced for her too.
  expect(
    t.connector
      .updates()
      .some((u) => u.conversationId === chat(ingrid) && u.activityId === c.leaderCard.id),
  ).toBe(true);

  const stored = (await t.deviations.get(c.ref))!.record;
  expect(stored).toMatchObject({
    status: 'under_behandling',
    handlerId: ingrid.aadObjectId,
    rev: 2,
  });
  expect((await t.deviations.events(c.ref)).map((e) => e.kind)).toEqual(['reported', 'take']);
});

test("refresh: the reporter's receipt shows the current status; someone else gets no content", async () => {
  const c = await newCase();
  await act(t, ingrid, c.leaderCard, 'deviation.take');
  const refresh = c.receipt.refresh?.action;
  expect(refresh).toMatchObject({ type: 'Action.Execute', verb: 'deviation.refresh' });
  const mine = await t.client.cardAction(emil, refresh.verb, refresh.data, {
    replyToId: c.receiptActivityId,
  });
  expect(statusOf(mine.body.value)).toBe('Under behandling');
  const theirs = await t.client.cardAction(PEOPLE.lars, refresh.verb, refresh.data);
  expect(cardText(theirs.body.value)).toBe(`Du har ikke tilgang til ${c.ref}.`);
});

test('measure: text and due date are recorded and the status moves to tiltak iverksatt', async () => {
  const c = await newCase();
  const taken = await act(t, ingrid, c.leaderCard, 'deviation.take');
  const due = inAWeek();
  const { card } = await act(
    t,
    ingrid,
    { id: c.leaderCard.id, card: taken.card },
    'deviation.measure',
    { measureText: 'Klemsikring bestilt', measureDue: due },
  );
  expect(cardText(card)).toContain('Tiltak iverksatt');
  expect(cardText(card)).toContain('Klemsikring bestilt');
  const stored = (await t.deviations.get(c.ref))!.record;
  expect(stored.status).toBe('tiltak_iverksatt');
  expect(stored.measures).toEqual([
    expect.objectContaining({
      text: 'Klemsikring bestilt',
      dueDate: due,
      byId: ingrid.aadObjectId,
    }),
  ]);
  expect(receiptStatuses(c)).toContain('Tiltak iverksatt');
});

test('assign: Sofie gets her own card and may act on it', async () => {
  const c = await newCase();
  const { card } = await act(t, ingrid, c.leaderCard, 'deviation.assign', {
    assigneeId: sofie.aadObjectId,
  });
  expect(factValue(card, 'Tildelt')).toBe('Sofie Lunde');

  const sofiesCard = await cardFor(t, sofie, c.ref);
  expect(cardText(sofiesCard.card)).toContain('Du har fått et avvik til behandling');
  expect(verbsOf(sofiesCard.card)).toContain('deviation.take');
  expect((await t.deviations.get(c.ref))!.record.assigneeId).toBe(sofie.aadObjectId);

  // Sofie takes it from her card; Ingrid's copy is updated.
  const mark = t.connector.updates().length;
  const taken = await act(t, sofie, sofiesCard, 'deviation.take');
  expect(cardText(taken.card)).toContain('Under behandling');
  await t.connector.waitFor(() =>
    t.connector
      .updates()
      .slice(mark)
      .find((u) => u.conversationId === chat(ingrid) && u.activityId === c.leaderCard.id),
  );
  expect((await t.deviations.get(c.ref))!.record.handlerId).toBe(sofie.aadObjectId);
});

test('escalate: the rådmann Per gets a card and becomes responsible', async () => {
  const c = await newCase();
  const { card } = await act(t, ingrid, c.leaderCard, 'deviation.escalate');
  expect(factValue(card, 'Ansvarlig')).toBe('Per Kristiansen');
  const persCard = await cardFor(t, per, c.ref);
  expect(cardText(persCard.card)).toContain('Du har fått et avvik til behandling');
  expect(verbsOf(persCard.card)).toEqual(
    expect.arrayContaining(['deviation.take', 'deviation.reject']),
  );
  expect((await t.deviations.get(c.ref))!.record).toMatchObject({
    handlerId: per.aadObjectId,
    escalations: 1,
  });
  expect((await t.deviations.events(c.ref)).pop()).toMatchObject({
    kind: 'escalate',
    actorId: ingrid.aadObjectId,
    targetId: per.aadObjectId,
  });
});

test('after escalation the unit leader sees the case but can no longer act on it', async () => {
  const c = await newCase();
  const escalated = await act(t, ingrid, c.leaderCard, 'deviation.escalate');
  // Her own copy shows the new state read-only: no handler buttons.
  expect(verbsOf(escalated.card).filter((v) => v !== 'deviation.refresh')).toEqual([]);
  const rev = (await t.deviations.get(c.ref))!.record.rev;
  // A press from the card she had before escalating is refused and changes nothing.
  const again = await act(t, ingrid, c.leaderCard, 'deviation.take');
  expect(cardText(again.card)).toMatch(/ikke tilgang|endret av noen andre/);
  expect((await t.deviations.get(c.ref))!.record).toMatchObject({
    rev,
    handlerId: per.aadObjectId,
    status: 'registrert',
  });
});

test('close: cause and measures recorded; the reporter gets the outcome card and the receipt shows Lukket', async () => {
  const c = await newCase();
  const taken = await act(t, ingrid, c.leaderCard, 'deviation.take');
  const outcomesBefore = t.connector.cardsIn(chat(emil)).length;
  const { card } = await act(
    t,
    ingrid,
    { id: c.leaderCard.id, card: taken.card },
    'deviation.close',
    {
      cause: 'Døra manglet klemsikring',
      closingMeasures: 'Klemsikring montert på alle dører',
    },
  );
  expect(cardText(card)).toContain('Lukket');
  expect(verbsOf(card)).toEqual([]);

  const outcome = await t.connector.waitFor(() =>
    t.connector
      .cardsIn(chat(emil))
      .slice(outcomesBefore)
      .find((x) => JSON.stringify(x.card).includes(c.ref)),
  );
  expect(cardText(outcome.card)).toContain('Avviket ditt er lukket');
  expect(factValue(outcome.card, 'Årsak')).toBe('Døra manglet klemsikring');
  expect(factValue(outcome.card, 'Tiltak ved lukking')).toBe('Klemsikring montert på alle dører');
  expect(receiptStatuses(c)).toContain('Lukket');
  expect((await t.deviations.get(c.ref))!.record).toMatchObject({
    status: 'lukket',
    cause: 'Døra manglet klemsikring',
    closedAt: expect.any(String),
  });
});

test('reject: the reason is recorded and the reporter gets it', async () => {
  const c = await newCase();
  const outcomesBefore = t.connector.cardsIn(chat(emil)).length;
  const { card } = await act(t, ingrid, c.leaderCard, 'deviation.reject', {
    rejectReason: 'Dette gjelder en annen kommune',
  });
  expect(cardText(card)).toContain('Avvist');
  const outcome = await t.connector.waitFor(() =>
    t.connector
      .cardsIn(chat(emil))
      .slice(outcomesBefore)
      .find((x) => JSON.stringify(x.card).includes(c.ref)),
  );
  expect(cardText(outcome.card)).toContain('Avviket ditt er avvist');
  expect(factValue(outcome.card, 'Begrunnelse for avvisning')).toBe(
    'Dette gjelder en annen kommune',
  );
  expect((await t.deviations.events(c.ref)).map((e) => [e.kind, e.note])).toEqual([
    ['reported', undefined],
    ['reject', 'Dette gjelder en annen kommune'],
  ]);
});

test("every other copy follows: after assign and escalate, a close updates Ingrid's, Sofie's and Per's cards and the receipt", async () => {
  const c = await newCase();
  const assigned = await act(t, ingrid, c.leaderCard, 'deviation.assign', {
    assigneeId: sofie.aadObjectId,
  });
  const escalated = await act(
    t,
    ingrid,
    { id: c.leaderCard.id, card: assigned.card },
    'deviation.escalate',
  );
  const persCard = await cardFor(t, per, c.ref);
  const sofiesCard = await cardFor(t, sofie, c.ref);
  const taken = await act(t, per, persCard, 'deviation.take');
  expect(escalated.card).toBeDefined();

  const mark = t.connector.updates().length;
  await act(t, per, { id: persCard.id, card: taken.card }, 'deviation.close', {
    cause: 'Rutinen var uklar',
    closingMeasures: 'Rutinen er skrevet om',
  });
  const closedCopies = () =>
    t.connector
      .updates()
      .slice(mark)
      .filter((u) => cardText(adaptiveCardsOf(u.activity)[0]).includes('Lukket'))
      .map((u) => `${u.conversationId}/${u.activityId}`);
  await t.connector.waitFor(() => closedCopies().length >= 3);
  expect(closedCopies()).toEqual(
    expect.arrayContaining([
      `${chat(ingrid)}/${c.leaderCard.id}`,
      `${chat(per)}/${persCard.id}`,
      `${chat(emil)}/${c.receiptActivityId}`,
    ]),
  );
  // Sofie lost the case with the escalation (she was the assignee, she is not in the line
  // above): her copy is replaced once by "no access", never with the close cause.
  const sofies = t.connector
    .updates()
    .filter((u) => u.conversationId === chat(sofie) && u.activityId === sofiesCard.id)
    .map((u) => cardText(adaptiveCardsOf(u.activity)[0]));
  expect(sofies.at(-1)).toContain(`Du har ikke tilgang til ${c.ref}`);
  expect(sofies.join('\n')).not.toContain('Rutinen var uklar');
});
