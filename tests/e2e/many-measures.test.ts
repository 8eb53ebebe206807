import { osloDate } from '../../bot/deviations/report-form';
import { PEOPLE, startBotUnderTest, type BotUnderTest } from '../support/bot-under-test';
import { cardText, verbsOf } from '../support/cards';
import { act, cardFor, invokeCard, report } from '../support/deviation-flows';

/**
 * Defect 9 over HTTP: a case with 40 measures of 2,000 characters each (the most a card's text
 * field sends), about 80,000 characters, far past one table property's 64 KiB. Every measure
 * is kept, and the case can still be acted on, shown and closed.
 */
let t: BotUnderTest;
const { ingrid, emil } = PEOPLE;

beforeAll(async () => {
  t = await startBotUnderTest({ installed: [ingrid, emil] });
});
afterAll(async () => {
  await t?.stop();
});

const inAMonth = () => osloDate(new Date(Date.now() + 30 * 86400_000));
const text = (i: number) =>
  `Tiltak ${i}: ${'Ny rutine for låsing av medisinskapet, med opplæring av alle ansatte. '.repeat(40)}`.slice(
    0,
    2000,
  );

test('40 long measures: all kept, the card stays small, and the case still closes', async () => {
  const { ref } = await report(t, emil);
  const first = await cardFor(t, ingrid, ref, 'deviation.take');
  let card = (await act(t, ingrid, first, 'deviation.take')).card;
  for (let i = 1; i <= 40; i++) {
    const answer = await act(t, ingrid, { id: first.id, card }, 'deviation.measure', {
      measureText: text(i),
      measureDue: inAMonth(),
    });
    card = answer.card;
    expect(answer.response.status).toBe(200);
    expect(cardText(card)).toContain(`Tiltak ${i}:`);
  }
  const stored = (await t.deviations.get(ref))!.record;
  expect(stored.measures.map((m) => m.text)).toEqual(
    Array.from({ length: 40 }, (_, i) => text(i + 1)),
  );
  // The card shows the latest measures only: well under Teams' ~100 KB per message.
  expect(JSON.stringify(card).length).toBeLessThan(40_000);

  const history = await t.client.cardAction(ingrid, 'deviation.refresh', { ref, view: 'handler' });
  expect(cardText(invokeCard(history))).toContain(ref);

  const closed = await act(t, ingrid, { id: first.id, card }, 'deviation.close', {
    cause: 'Medisinskapet sto ulåst',
    closingMeasures: 'Ny rutine innført',
  });
  expect(cardText(closed.card)).toContain('Lukket');
  expect(verbsOf(closed.card)).toEqual([]);
  const after = (await t.deviations.get(ref))!.record;
  expect(after.status).toBe('lukket');
  expect(after.measures).toHaveLength(40);
}, 120_000);
