import { PEOPLE, startBotUnderTest, type BotUnderTest } from '../support/bot-under-test';
import { cardText } from '../support/cards';
import { act, cardFor, report } from '../support/deviation-flows';

/**
 * Time, end to end: the bot runs with a clock the test moves, and each background round
 * (scheduler tick + outbox drain) is awaited. Reminders, escalation when a case is not taken,
 * quiet hours, the send-time check, the 72-hour clock and the weekly digest, as the people
 * concerned see them over HTTP.
 */
let t: BotUnderTest;
const { ingrid, emil, per, ida } = PEOPLE;
const clock = { at: new Date('2026-12-07T09:00:00Z'), now: () => clock.at };

/** Moves time and waits for one whole background round at that time. */
async function at(iso: string): Promise<void> {
  clock.at = new Date(iso);
  await t.bot.backgroundRound();
  await t.settle();
}

const chat = (who: typeof ingrid) => t.client.personalConversationId(who);
const cardsWith = (who: typeof ingrid, ...texts: string[]) =>
  t.connector
    .cardsIn(chat(who))
    .filter((c) => texts.every((text) => cardText(c.card).includes(text)));

beforeAll(async () => {
  t = await startBotUnderTest({ clock, installed: [ingrid, emil, per, ida] });
});
afterAll(async () => {
  await t?.stop();
});

test('not taken in 2 working days: a reminder once; in 5: escalated one step up, everybody told', async () => {
  await at('2026-12-07T09:00:00Z'); // Monday 10:00 in Oslo
  const { ref } = await report(t, emil);
  await at('2026-12-09T08:30:00Z'); // Wednesday, not yet two working days
  expect(cardsWith(ingrid, ref, 'venter på deg')).toHaveLength(0);

  await at('2026-12-09T09:30:00Z'); // two working days later
  const reminders = cardsWith(ingrid, ref, 'venter på deg');
  expect(reminders).toHaveLength(1);
  expect(JSON.stringify(reminders[0].card)).toContain('"deviation.take"');
  expect(JSON.stringify(reminders[0].card)).not.toContain('Et barn klemte fingeren'); // no case text
  await at('2026-12-09T09:30:00Z'); // the same moment again decides nothing new
  expect(cardsWith(ingrid, ref, 'venter på deg')).toHaveLength(1);

  await at('2026-12-14T09:30:00Z'); // Monday: five working days
  const stored = (await t.deviations.get(ref))!.record;
  expect(stored).toMatchObject({ handlerId: per.aadObjectId, escalations: 1 });
  const events = await t.deviations.events(ref);
  expect(events.at(-1)).toMatchObject({
    kind: 'escalate',
    actorId: 'system',
    targetId: per.aadObjectId,
  });
  await cardFor(t, per, ref, 'deviation.take');
  expect(cardsWith(ingrid, ref, 'er løftet til nivået over')).toHaveLength(1);
  expect(cardsWith(emil, ref, 'behandles nå av Per Kristiansen')).toHaveLength(1);
  // Ingrid's reminder cannot be used to act any more: her card copy shows the new holder.
  await at('2026-12-14T10:00:00Z');
  expect(cardsWith(ingrid, ref, 'er løftet til nivået over')).toHaveLength(1);
});

test('a reminder decided after working hours waits for the next working morning', async () => {
  await at('2026-12-07T14:50:00Z'); // Monday 15:50 in Oslo
  const { ref } = await report(t, emil);
  await at('2026-12-09T15:30:00Z'); // Wednesday 16:30: due, but after hours
  expect(cardsWith(ingrid, ref, 'venter på deg')).toHaveLength(0);
  await at('2026-12-10T06:30:00Z'); // Thursday 07:30: still before 08:00
  expect(cardsWith(ingrid, ref, 'venter på deg')).toHaveLength(0);
  await at('2026-12-10T07:05:00Z'); // Thursday 08:05
  expect(cardsWith(ingrid, ref, 'venter på deg')).toHaveLength(1);
});

test('a reminder for a case taken before it went out is not sent (checked at send time)', async () => {
  await at('2026-12-07T14:50:00Z');
  const { ref } = await report(t, emil);
  await at('2026-12-09T15:30:00Z'); // decided, waiting for Thursday morning
  const card = await cardFor(t, ingrid, ref, 'deviation.take');
  await act(t, ingrid, card, 'deviation.take');
  await at('2026-12-10T07:05:00Z');
  expect(cardsWith(ingrid, ref, 'venter på deg')).toHaveLength(0);
});

test('a possible personal-data breach: urgent reminders to the handler and the personvernombud, also on a Saturday, until Datatilsynet is recorded as notified', async () => {
  await at('2026-12-11T15:00:00Z'); // Friday 16:00 in Oslo
  const { ref } = await report(t, emil, { categoryId: 'informasjonssikkerhet' });
  await at('2026-12-12T15:30:00Z'); // Saturday, 24.5 hours later
  const toIngrid = cardsWith(ingrid, ref, '24 timer siden et mulig brudd');
  expect(toIngrid).toHaveLength(1);
  expect(cardsWith(ida, ref, '24 timer siden et mulig brudd')).toHaveLength(1);

  const pressed = await act(t, ingrid, toIngrid[0], 'deviation.notifyDpa');
  expect(cardText(pressed.card)).toContain('Meldt til Datatilsynet');
  expect((await t.deviations.get(ref))!.record.dpaNotifiedAt).toBe('2026-12-12T15:30:00.000Z');
  await at('2026-12-13T15:30:00Z'); // 48.5 hours: nothing more
  expect(cardsWith(ingrid, ref, 'timer siden et mulig brudd')).toHaveLength(1);
  expect(cardsWith(ida, ref, 'timer siden et mulig brudd')).toHaveLength(1);
});

test('a measure with a due date: a reminder to its owner on the day', async () => {
  await at('2026-12-14T09:00:00Z');
  const { ref } = await report(t, emil);
  const card = await cardFor(t, ingrid, ref, 'deviation.take');
  const taken = await act(t, ingrid, card, 'deviation.take');
  await act(t, ingrid, { id: card.id, card: taken.card }, 'deviation.measure', {
    measureText: 'Montere klemsikring',
    measureDue: '2026-12-16',
  });
  await at('2026-12-15T07:05:00Z'); // Tuesday: not yet
  expect(cardsWith(ingrid, ref, 'Tiltak har frist i dag')).toHaveLength(0);
  await at('2026-12-16T07:05:00Z'); // Wednesday 08:05
  expect(cardsWith(ingrid, ref, 'Tiltak har frist i dag')).toHaveLength(1);
  await at('2026-12-17T07:05:00Z'); // Thursday: the day after, still open
  expect(cardsWith(ingrid, ref, 'Fristen for et tiltak er passert')).toHaveLength(1);
});

test('Monday 08:00: the weekly digest to each leader with open cases, counts only, once', async () => {
  await at('2026-12-21T07:05:00Z'); // Monday 08:05 in Oslo, week 52
  const digests = cardsWith(ingrid, 'Avvik, uke 51');
  expect(digests).toHaveLength(1);
  const text = cardText(digests[0].card);
  expect(text).toMatch(/Åpne nå\s*:?\s*\d+/);
  expect(text).not.toContain('Et barn klemte fingeren');
  expect(JSON.stringify(digests[0].card)).toContain('"command.run"');
  await at('2026-12-21T08:00:00Z');
  expect(cardsWith(ingrid, 'Avvik, uke 51')).toHaveLength(1);
});

test('a subscribed team channel hears of an escalation and gets the digest: counts and references, never the case text', async () => {
  await at('2026-12-21T09:00:00Z'); // Monday 10:00
  const general = '19:team-heim@thread.tacv2';
  const subscribed = await t.client.channelMessage(ingrid, 'abonner avvik Sentrum barnehage');
  expect(subscribed.status).toBe(200);
  const { ref } = await report(t, emil);
  await at('2026-12-28T09:30:00Z'); // four working days later (25 Dec is a holiday, then a weekend)
  const inChannel = () =>
    t.connector
      .sent()
      .filter((a) => a.conversationId === general)
      .map((a) => JSON.stringify(a.activity));
  expect((await t.deviations.get(ref))!.record.handlerId).toBe(ingrid.aadObjectId);
  await at('2026-12-30T09:30:00Z'); // the fifth working day (Tue 29 Dec) has passed
  expect((await t.deviations.get(ref))!.record.handlerId).toBe(per.aadObjectId);
  const notices = inChannel().filter((text) => text.includes(ref));
  expect(notices).toHaveLength(1);
  expect(notices[0]).toContain('løftet til nivået over');
  expect(notices[0]).not.toContain('Et barn klemte fingeren');
  expect(notices[0]).not.toContain('Emil Vik');

  await at('2027-01-04T07:05:00Z'); // Monday 08:05: the digest
  const digests = inChannel().filter((text) => text.includes('Avvik i Sentrum barnehage, uke 53'));
  expect(digests).toHaveLength(1);
  expect(digests[0]).not.toContain('Et barn klemte fingeren');
});
