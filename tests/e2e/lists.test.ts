import { PEOPLE, startBotUnderTest, type BotUnderTest } from '../support/bot-under-test';
import { cardText, elementsOf, REFERENCE } from '../support/cards';
import { adaptiveCardsOf } from '../support/fake-connector';
import { act, cardFor, report } from '../support/deviation-flows';
import type { TeamsUser } from '../support/teams-client';

/** "mine avvik", "åpne avvik", "historikk <ref>" and anonymous reports, over real HTTP. */
let t: BotUnderTest;
const { ingrid, emil, lars } = PEOPLE;
const chat = (u: TeamsUser) => t.client.personalConversationId(u);
let first: string, closed: string, third: string;

beforeAll(async () => {
  t = await startBotUnderTest();
  for (const person of [ingrid, emil, lars]) await t.client.install(person);
  first = (await report(t, emil, { description: 'Første' })).ref;
  closed = (await report(t, emil, { description: 'Andre' })).ref;
  third = (await report(t, emil, { description: 'Tredje' })).ref;
  const card = await cardFor(t, ingrid, closed, 'deviation.take');
  const taken = await act(t, ingrid, card, 'deviation.take');
  await act(t, ingrid, { id: card.id, card: taken.card }, 'deviation.close', {
    cause: 'Årsak',
    closingMeasures: 'Tiltak',
  });
});
afterAll(async () => {
  await t?.stop();
});

/** Sends a command and returns the card (or text) the bot answered with. */
async function ask(user: TeamsUser, text: string): Promise<{ card?: any; text?: string }> {
  const before = t.connector.sent().length;
  expect((await t.client.message(user, text)).status).toBe(200);
  const reply = await t.connector.waitFor(() =>
    t.connector
      .sent()
      .slice(before)
      .find((a) => a.conversationId === chat(user)),
  );
  return { card: adaptiveCardsOf(reply.activity)[0], text: reply.activity.text };
}

/** References in a list card, in the order shown. */
const refsIn = (card: any) =>
  elementsOf(card)
    .filter((e) => e.type === 'TextBlock' && REFERENCE.test(e.text) && e.weight === 'Bolder')
    .map((e) => REFERENCE.exec(e.text)![0])
    .filter((ref, i, all) => all.indexOf(ref) === i);

test('"mine avvik" lists the reporter\'s references, the closed one with its status', async () => {
  const { card } = await ask(emil, 'mine avvik');
  expect(refsIn(card).sort()).toEqual([first, closed, third].sort());
  expect(cardText(card)).toContain(`${closed} · Lukket`);
  expect(cardText(card)).toContain(`${first} · Registrert`);
});

test('"åpne avvik" for the leader lists open ones oldest first, not closed ones', async () => {
  const { card } = await ask(ingrid, 'åpne avvik');
  expect(refsIn(card)).toEqual([first, third]);
});

test('"åpne avvik" for an employee says the list is for leaders', async () => {
  const { card } = await ask(emil, 'åpne avvik');
  expect(cardText(card)).toContain('Listen over åpne avvik er for ledere');
  expect(refsIn(card)).toEqual([]);
});

test('"historikk <ref>" works for the reporter', async () => {
  const { card } = await ask(emil, `historikk ${closed}`);
  const text = cardText(card);
  expect(text).toContain(`Historikk for ${closed}`);
  expect(text).toContain('Meldt');
  expect(text).toContain('Tatt ansvar');
  expect(text).toContain('Lukket');
  expect(text).toContain('Årsak');
});

test('"historikk <ref>" for a leader of another unit is refused with the same text as a reference that does not exist', async () => {
  const refused = cardText((await ask(lars, `historikk ${first}`)).card);
  const missing = cardText((await ask(lars, 'historikk AVV-2001-0077')).card);
  expect(refused).toBe(`Du har ikke tilgang til ${first}.`);
  expect(missing).toBe('Du har ikke tilgang til AVV-2001-0077.');
  expect(refused.replace(first, 'REF')).toBe(missing.replace('AVV-2001-0077', 'REF'));
});

test('"historikk" without a reference shows how to use it', async () => {
  expect(cardText((await ask(emil, 'historikk')).card)).toContain('historikk AVV-');
});

describe('anonymous report', () => {
  let ref: string;
  let leaderCard: { id: string; card: any };

  beforeAll(async () => {
    ref = (await report(t, emil, { anonymous: 'true', description: 'Anonymt meldt forhold' })).ref;
    leaderCard = await cardFor(t, ingrid, ref, 'deviation.take');
  });

  test('the handler card never names the reporter', () => {
    expect(JSON.stringify(leaderCard.card)).not.toContain('Emil');
    expect(cardText(leaderCard.card)).toContain('Meldt av: Anonym melder');
  });

  test('"historikk" for the leader shows Anonym melder', async () => {
    const text = cardText((await ask(ingrid, `historikk ${ref}`)).card);
    expect(text).toContain('Anonym melder');
    expect(text).not.toContain('Emil');
  });

  test('the reporter still gets the outcome, and no card to anyone else names them', async () => {
    const mark = t.connector.requests.length;
    const taken = await act(t, ingrid, leaderCard, 'deviation.take');
    expect(JSON.stringify(taken.card)).not.toContain('Emil');
    const closedCard = await act(
      t,
      ingrid,
      { id: leaderCard.id, card: taken.card },
      'deviation.close',
      { cause: 'Årsak A', closingMeasures: 'Tiltak A' },
    );
    expect(JSON.stringify(closedCard.card)).not.toContain('Emil');

    const outcome = await t.connector.waitFor(() =>
      t.connector
        .cardsIn(chat(emil))
        .find((c) => cardText(c.card).includes(`Avviket ditt er lukket (${ref})`)),
    );
    expect(cardText(outcome.card)).toContain('Årsak A');
    const toOthers = t.connector.requests
      .slice(mark)
      .filter((r) => r.conversationId && r.conversationId !== chat(emil));
    expect(toOthers.length).toBeGreaterThan(0);
    for (const r of toOthers) expect(JSON.stringify(r.body)).not.toContain('Emil');
  });
});
