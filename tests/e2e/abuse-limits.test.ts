import { en } from '../../bot/i18n/en';
import { nb } from '../../bot/i18n/nb';
import { PEOPLE, startBotUnderTest, type BotUnderTest } from '../support/bot-under-test';
import { cardText, inputValue, referenceIn, verbsOf } from '../support/cards';
import { adaptiveCardsOf } from '../support/fake-connector';
import { invokeCard, validReport } from '../support/deviation-flows';

/**
 * Abuse limits (issue #11, section 2) over HTTP with the default values: 20 new reports and 20
 * report forms per person per hour. The 21st is refused with a message that says when they can
 * go on; nothing is stored and the leader is not flooded. Others report as before.
 */
let t: BotUnderTest;
const { ingrid, emil, sofie, per } = PEOPLE;

beforeAll(async () => {
  t = await startBotUnderTest({
    installed: [ingrid, emil, sofie, per],
    env: {
      REPORT_LIMIT_PER_HOUR: '20',
      REPORT_LIMIT_PER_DAY: '100',
      FORM_LIMIT_PER_HOUR: '20',
      FORM_LIMIT_PER_DAY: '100',
    },
  });
});
afterAll(async () => {
  await t?.stop();
});

const handlerCardsFor = (reporterText: string) =>
  t.connector
    .cardsIn(t.client.personalConversationId(ingrid))
    .filter((c) => verbsOf(c.card).includes('deviation.take'))
    .filter((c) => cardText(c.card).includes(reporterText));

async function storedRecords(): Promise<number> {
  let n = 0;
  for await (const _ of t.bot.tables.client('Deviations').listEntities({
    queryOptions: { filter: "RowKey eq 'deviation'" },
  }))
    n++;
  return n;
}

/** The start of a message before its {when}: what the user reads first. */
const before = (template: string) => template.slice(0, template.indexOf('{when}'));

test('the 21st report within an hour is refused with when to come back; the leader got 20 cards, not 21', async () => {
  const texts = Array.from({ length: 21 }, (_, i) => `Flomtest ${i + 1}: lekkasje i kjelleren.`);
  const answers = [];
  // As a script would: straight submits of fresh forms, one after the other.
  for (const description of texts)
    answers.push(await t.client.cardAction(emil, 'deviation.submit', validReport({ description })));
  const cards = answers.map(invokeCard);
  expect(cards.slice(0, 20).every((c) => referenceIn(c))).toBe(true);

  const refused = cardText(cards[20]);
  expect(referenceIn(cards[20])).toBeUndefined();
  expect(refused).toContain(before(nb.form.reportLimit));
  // The end of this hour, in Oslo time, e.g. "27.11.2026, 10:00".
  expect(refused).toMatch(/\d{2}:00/);
  expect(refused).toContain('Avviket er ikke sendt');

  await t.settle();
  expect(await storedRecords()).toBe(20);
  const leaderGot = texts.map((d) => handlerCardsFor(d.slice(0, 12)).length);
  expect(leaderGot.slice(0, 20).every((n) => n === 1)).toBe(true);
  expect(handlerCardsFor('Flomtest 21:')).toHaveLength(0);
  expect(
    t.connector
      .cardsIn(t.client.personalConversationId(ingrid))
      .filter((c) => cardText(c.card).includes('Flomtest')),
  ).toHaveLength(20);

  // What they wrote is not lost: the next form brings it back (forms are counted apart).
  const chat = t.client.personalConversationId(emil);
  const sentBefore = t.connector.cardsIn(chat).length;
  await t.client.message(emil, 'meld avvik');
  const form = await t.connector.waitFor(() => t.connector.cardsIn(chat)[sentBefore]);
  expect(inputValue(form.card, 'description')).toBe(texts[20]);

  // Someone else still reports as before.
  const sofies = await t.client.cardAction(sofie, 'deviation.submit', validReport());
  expect(referenceIn(invokeCard(sofies))).toBeDefined();
}, 60_000);

test('the 21st "meld avvik" within an hour gets the limit message instead of a form, in English too', async () => {
  const chat = t.client.personalConversationId(per);
  for (let i = 0; i < 20; i++) expect((await t.client.message(per, 'meld avvik')).status).toBe(200);
  await t.connector.waitFor(() => t.connector.cardsIn(chat).length >= 20 || undefined);
  const forms = t.connector
    .cardsIn(chat)
    .filter((c) => verbsOf(c.card).includes('deviation.submit'));
  expect(forms).toHaveLength(20);

  const sent = t.connector.sent().length;
  expect((await t.client.message(per, 'meld avvik', { locale: 'en-US' })).status).toBe(200);
  const reply = await t.connector.waitFor(() =>
    t.connector
      .sent()
      .slice(sent)
      .find((a) => a.conversationId === chat),
  );
  const [card] = adaptiveCardsOf(reply.activity);
  expect(verbsOf(card)).not.toContain('deviation.submit');
  expect(cardText(card)).toContain(before(en.form.formLimit));
}, 60_000);
