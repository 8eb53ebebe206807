import { nb } from '../../bot/i18n/nb';
import { PEOPLE, startBotUnderTest, type BotUnderTest } from '../support/bot-under-test';
import { cardText, executeAction, inputValue, referenceIn } from '../support/cards';
import { invokeCard, report, validReport } from '../support/deviation-flows';
import type { TeamsUser } from '../support/teams-client';

/**
 * Defect 7 (issue #11): the same form sent twice at the same moment (a double press, a Teams
 * retry racing the first invoke). Exactly one report; both presses get a clear answer (the
 * receipt, or "being registered"), never the generic error; no reference number is burnt;
 * and the filed text is not saved back as a draft, so the next form is empty.
 */
let t: BotUnderTest;
const { ingrid, emil, sofie } = PEOPLE;

beforeAll(async () => {
  t = await startBotUnderTest({ installed: [ingrid, emil, sofie] });
});
afterAll(async () => {
  await t?.stop();
});

/** "meld avvik": the form card the bot posted in the person's chat. */
async function askForForm(person: TeamsUser): Promise<{ id: string; card: any }> {
  const chat = t.client.personalConversationId(person);
  const before = t.connector.cardsIn(chat).length;
  expect((await t.client.message(person, 'meld avvik')).status).toBe(200);
  return t.connector.waitFor(() => t.connector.cardsIn(chat)[before]);
}

/** How many deviation records are stored (a record row per partition). */
async function storedReports(): Promise<string[]> {
  const refs: string[] = [];
  const rows = t.bot.tables.client('Deviations').listEntities<{ reporterId: string }>({
    queryOptions: { filter: "RowKey eq 'deviation'" },
  });
  for await (const row of rows) refs.push(String(row.partitionKey));
  return refs;
}

const INPROGRESS_OR_RECEIPT = (text: string, ref: string) =>
  text.includes(ref) || text.includes(nb.form.inProgress);

test.each([1, 2, 3, 4, 5])(
  'round %i: two simultaneous submits of one form: one report, two clear answers, the next form is empty',
  async () => {
    const before = await storedReports();
    const form = await askForForm(emil);
    const formId = executeAction(form.card, 'deviation.submit').data?.formId;
    // First a submit with an error: the typed text is kept as a draft in user state.
    const missing = await t.client.cardAction(
      emil,
      'deviation.submit',
      validReport({ formId, description: '' }),
      { replyToId: form.id },
    );
    expect(cardText(invokeCard(missing))).toContain(nb.form.errorsTitle);

    const data = validReport({ formId, description: 'Dobbeltklikk: vinduet i gangen står åpent.' });
    const answers = await Promise.all([
      t.client.cardAction(emil, 'deviation.submit', data, { replyToId: form.id }),
      t.client.cardAction(emil, 'deviation.submit', data, { replyToId: form.id }),
    ]);
    await t.settle();

    const after = await storedReports();
    const added = after.filter((ref) => !before.includes(ref));
    expect(added).toHaveLength(1);
    const [ref] = added;
    for (const res of answers) {
      expect(res.status).toBe(200);
      const text = cardText(invokeCard(res));
      expect(text).not.toContain(nb.errors.generic);
      expect(INPROGRESS_OR_RECEIPT(text, ref)).toBe(true);
    }
    expect(answers.map((r) => referenceIn(invokeCard(r))).filter(Boolean)).toContain(ref);

    // The leader got one card for it.
    const leaderCards = t.connector
      .cardsIn(t.client.personalConversationId(ingrid))
      .filter((c) => JSON.stringify(c.card).includes(ref));
    expect(leaderCards).toHaveLength(1);

    // The next form is empty: nothing of what was filed comes back as a draft.
    const next = await askForForm(emil);
    expect(inputValue(next.card, 'description') ?? '').toBe('');
    expect(JSON.stringify(next.card)).not.toContain('Dobbeltklikk');
  },
);

test('a duplicate submit burns no reference: the next report takes the next number', async () => {
  const first = await report(t, sofie, { description: 'Første sak etter dobbeltklikkene.' });
  const again = await t.client.cardAction(
    sofie,
    'deviation.submit',
    validReport({
      formId: (await t.deviations.get(first.ref))?.record.formId,
      description: 'Første sak etter dobbeltklikkene.',
    }),
  );
  expect(referenceIn(invokeCard(again))).toBe(first.ref);
  // The duplicate announced its messages under the number it drew, beside its claim: those
  // hints are taken back with the number, so the dispatcher is not sent looking for them.
  const [year, digits] = first.ref.split('-').slice(1);
  const given = `AVV-${year}-${String(Number(digits) + 1).padStart(digits.length, '0')}`;
  const hints: string[] = [];
  for await (const row of t.bot.tables
    .client('Outbox')
    .listEntities({ queryOptions: { filter: "PartitionKey eq 'due'" } }))
    hints.push(String(row.rowKey));
  expect(hints.filter((h) => h.includes(`|${given}|`))).toEqual([]);
  const second = await report(t, sofie, { description: 'Andre sak.' });
  const number = (ref: string) => Number(ref.split('-')[2]);
  expect(number(second.ref)).toBe(number(first.ref) + 1);
  expect(second.ref).toBe(given);
});
