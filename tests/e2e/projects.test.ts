import { PEOPLE, startBotUnderTest, type BotUnderTest } from '../support/bot-under-test';
import { cardText, executeAction, verbsOf } from '../support/cards';
import { act, invokeCard } from '../support/deviation-flows';
import type { TeamsUser } from '../support/teams-client';

/**
 * Projects end to end over HTTP (issue #9): a leader gives a mandate from the form, the owner
 * asks the styringsgruppe for a phase decision from the project card, two members approving at
 * the same moment are both counted, one member cannot vote twice, a send-back needs a comment,
 * and the outcome reaches everyone involved.
 */
let t: BotUnderTest;
const { ingrid, emil, per, marte, lars, nina } = PEOPLE;
const clock = { at: new Date('2027-03-08T09:00:00Z'), now: () => clock.at };
const chat = (who: TeamsUser) => t.client.personalConversationId(who);
let ref: string;

async function ask(who: TeamsUser, text: string): Promise<{ id: string; card: any }> {
  const before = t.connector.cardsIn(chat(who)).length;
  expect((await t.client.message(who, text)).status).toBe(200);
  return t.connector.waitFor(() => t.connector.cardsIn(chat(who))[before]);
}

const newest = (who: TeamsUser, text: string) =>
  t.connector.waitFor(() =>
    t.connector
      .cardsIn(chat(who))
      .filter((c) => cardText(c.card).includes(text) && JSON.stringify(c.card).includes(ref))
      .pop(),
  );

async function submitProject(who: TeamsUser, values: Record<string, string> = {}) {
  const form = await ask(who, 'nytt prosjekt');
  const data = executeAction(form.card, 'project.create').data ?? {};
  const answer = invokeCard(
    await t.client.cardAction(who, 'project.create', {
      ...data,
      name: 'Velferdsteknologi i hjemmetjenesten',
      mandate: 'Innføre digitalt tilsyn for hjemmeboende, i samarbeid med IKT.',
      ownerId: ingrid.aadObjectId!,
      steeringGroup: [marte, lars, nina].map((p) => p.aadObjectId).join(','),
      quorum: 'majority',
      ...values,
    }),
  );
  await t.settle();
  return answer;
}

beforeAll(async () => {
  t = await startBotUnderTest({ clock, installed: [ingrid, emil, per, marte, lars, nina] });
});
afterAll(async () => {
  await t?.stop();
});

test('only a leader gives a mandate; the owner and the styringsgruppe get the card', async () => {
  expect(cardText(await submitProject(emil))).toContain('Bare en leder kan gi et prosjektmandat.');
  const created = await submitProject(per);
  ref = /PRO-\d{4}-\d{4,}/.exec(JSON.stringify(created))![0];
  expect(cardText(created)).toContain(`Prosjektet er opprettet (${ref})`);
  expect(cardText(created)).toContain('2 av 3 må godkjenne');
  await newest(ingrid, 'Du er prosjekteier');
  for (const member of [marte, lars, nina]) await newest(member, 'Du er i styringsgruppen');
  expect(cardText((await ask(emil, `prosjekt ${ref}`)).card)).toContain('ikke tilgang');
});

test('the owner asks for a decision; every member gets the card with approve and send back', async () => {
  const own = await newest(ingrid, 'Du er prosjekteier');
  const asked = await act(t, ingrid, own, 'project.gate');
  expect(cardText(asked.card)).toContain('Beslutningspunkt 1: konsept → planlegging');
  for (const member of [marte, lars, nina]) {
    const card = await newest(member, 'Styringsgruppen bes om en beslutning');
    expect(verbsOf(card.card)).toEqual(['project.approve', 'project.sendback']);
  }
  // Someone outside the styringsgruppe with a member's signature: refused.
  const card = await newest(marte, 'Styringsgruppen bes om en beslutning');
  const data = executeAction(card.card, 'project.approve').data ?? {};
  const refused = cardText(invokeCard(await t.client.cardAction(emil, 'project.approve', data)));
  expect(refused).toMatch(/ikke tilgang|kan ikke/);
});

test('two members approving at the same moment are both counted: the phase moves on', async () => {
  const [m, l] = await Promise.all([
    newest(marte, 'Styringsgruppen bes om en beslutning'),
    newest(lars, 'Styringsgruppen bes om en beslutning'),
  ]);
  const presses = await Promise.all([
    t.client.cardAction(marte, 'project.approve', executeAction(m.card, 'project.approve').data!, {
      replyToId: m.id,
    }),
    t.client.cardAction(lars, 'project.approve', executeAction(l.card, 'project.approve').data!, {
      replyToId: l.id,
    }),
  ]);
  await t.settle();
  expect(presses.map((p) => p.status)).toEqual([200, 200]);
  const answers = presses.map((p) => cardText(invokeCard(p)));
  expect(answers.some((a) => a.includes('Fase: planlegging'))).toBe(true);
  const owner = await newest(ingrid, 'Styringsgruppen godkjente neste fase');
  expect(cardText(owner.card)).toContain('Beslutning 1 (konsept → planlegging): godkjent.');
  // Nina was not needed; her card no longer offers a vote, and a press is refused.
  const ninas = await newest(nina, 'Styringsgruppen bes om en beslutning');
  const late = await act(t, nina, ninas, 'project.approve');
  expect(cardText(late.card)).toContain('Ingen beslutning venter på styringsgruppen.');
});

test('a member votes once; a send-back needs a comment; two send-backs decide it', async () => {
  const own = await newest(ingrid, 'Styringsgruppen godkjente neste fase');
  await act(t, ingrid, own, 'project.gate');
  const m = await newest(marte, 'Styringsgruppen bes om en beslutning');
  const empty = await act(t, marte, m, 'project.sendback', { sendBackComment: ' ' });
  expect(cardText(empty.card)).toContain('Skriv hva som må endres');
  const first = await act(t, marte, m, 'project.approve');
  expect(cardText(first.card)).toContain('1 godkjent');
  const again = await act(t, marte, m, 'project.sendback', { sendBackComment: 'Angrer' });
  expect(cardText(again.card)).toContain('Du har allerede stemt (godkjent).');
  for (const who of [lars, nina]) {
    const card = await newest(who, 'Styringsgruppen bes om en beslutning');
    await act(t, who, card, 'project.sendback', { sendBackComment: 'Mangler kostnadsanslag' });
  }
  const owner = await newest(ingrid, 'Styringsgruppen sendte saken tilbake');
  expect(cardText(owner.card)).toContain('Fase: planlegging');
  expect(cardText(owner.card)).toContain(
    'Beslutning 2 (planlegging → gjennomføring): sendt tilbake.',
  );
  const list = cardText((await ask(per, 'prosjekter')).card);
  expect(list).toContain('Velferdsteknologi i hjemmetjenesten');
  expect(list).toContain(`${ref} · planlegging · eier Ingrid Haugen`);
});
