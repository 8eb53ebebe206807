import fs from 'node:fs';
import path from 'node:path';
import { parseProcessFile } from '../../bot/processes/process-file';
import { PEOPLE, startBotUnderTest, type BotUnderTest } from '../support/bot-under-test';
import { demoOrg } from '../support/demo-org';
import { cardText, executeAction, verbsOf } from '../support/cards';
import { act, cardFor, invokeCard } from '../support/deviation-flows';
import { adaptiveCardsOf } from '../support/fake-connector';
import type { TeamsUser } from '../support/teams-client';

/**
 * Tasks of a cross-cutting process end to end over HTTP (issue #9), with the demo catalogue:
 * Silje Bakke owns "Aldersvennlig samfunn", Ingrid Haugen is in its group and may create tasks.
 * The form, the task card's verbs, copies and notices through the outbox, who may do what,
 * the lists, the overdue reminder found through the due index, and a handover.
 */
let t: BotUnderTest;
const { ingrid, emil, per, marte, lars, sofie } = PEOPLE;
const silje: TeamsUser = {
  id: '29:silje',
  aadObjectId: '7c1a2b3d-0001-4a10-9c01-000000000102',
  name: 'Silje Bakke',
};
const clock = { at: new Date('2027-03-08T09:00:00Z'), now: () => clock.at };
const chat = (who: TeamsUser) => t.client.personalConversationId(who);

async function ask(who: TeamsUser, text: string): Promise<any> {
  const before = t.connector.cardsIn(chat(who)).length;
  expect((await t.client.message(who, text)).status).toBe(200);
  return t.connector.waitFor(() => t.connector.cardsIn(chat(who))[before]?.card);
}

async function createTask(
  who: TeamsUser,
  values: Record<string, string>,
): Promise<{ card: any; ref?: string }> {
  const form = await ask(who, 'ny oppgave');
  const data = executeAction(form, 'task.create').data;
  const response = await t.client.cardAction(who, 'task.create', {
    ...data,
    parent: 'process:aldersvennlig-samfunn',
    title: 'Kartlegg møteplasser for eldre',
    description: 'Hvilke lokaler kan brukes på kveldstid?',
    assignee: ingrid.aadObjectId!,
    due: '2027-03-19',
    ...values,
  });
  const card = invokeCard(response);
  await t.settle();
  return { card, ref: /OPG-\d{4}-\d{4,}/.exec(JSON.stringify(card))?.[0] };
}

beforeAll(async () => {
  t = await startBotUnderTest({ clock, installed: [ingrid, emil, per, marte, lars, sofie, silje] });
  const file = parseProcessFile(
    JSON.parse(
      fs.readFileSync(path.join(__dirname, '../../bot/processes/demo/heim-prosesser.json'), 'utf8'),
    ),
  );
  if (!file.ok) throw new Error(file.errors.join());
  await t.bot.processes.import(file.file, demoOrg(), clock.now());
});
afterAll(async () => {
  await t?.stop();
});

let ref: string;
/** Ingrid's task card as her chat shows it now: Teams replaces it with each invoke's answer. */
let shown: { id: string; card: any };

describe('creating a task from the form', () => {
  test('the owner gets the form with her active process chosen; a due date in the past is refused with the values kept', async () => {
    const form = await ask(silje, 'ny oppgave');
    expect(cardText(form)).toContain('Ny oppgave');
    expect(JSON.stringify(form)).toContain('process:aldersvennlig-samfunn');
    // Folkehelse is hers too, but a draft (not anchored): not offered.
    expect(JSON.stringify(form)).not.toContain('process:folkehelse');
    const refused = await createTask(silje, { due: '2027-03-01' });
    expect(refused.ref).toBeUndefined();
    expect(cardText(refused.card)).toContain('Fristen kan ikke være før i dag (2027-03-08).');
    expect(JSON.stringify(refused.card)).toContain('Kartlegg møteplasser for eldre');
  });

  test('created: the answer says so, and the assignee gets the task card through the outbox', async () => {
    const created = await createTask(silje, {});
    expect(created.ref).toMatch(/^OPG-2027-\d{4}$/);
    ref = created.ref!;
    expect(cardText(created.card)).toContain('Oppgaven er opprettet og sendt til Ingrid Haugen.');
    const card = await cardFor(t, ingrid, ref, 'task.accept');
    expect(cardText(card.card)).toContain('Du har fått en oppgave');
    expect(verbsOf(card.card)).toEqual(
      expect.arrayContaining(['task.accept', 'task.done', 'task.block', 'task.handover']),
    );
  });

  test('someone who neither owns the process nor may create in it gets a clear answer', async () => {
    const answer = await ask(marte, 'ny oppgave');
    expect(cardText(answer)).toContain('Du eier ingen aktiv prosess');
  });
});

describe('the task card', () => {
  test('only the assignee accepts; an outsider with a copied signature is refused and nothing changes', async () => {
    const card = await cardFor(t, ingrid, ref, 'task.accept');
    const data = executeAction(card.card, 'task.accept').data;
    const outsider = invokeCard(await t.client.cardAction(emil, 'task.accept', data ?? {}));
    expect(cardText(outsider)).toMatch(/ikke tilgang|kan ikke/i);
    const accepted = await act(t, ingrid, card, 'task.accept');
    expect(cardText(accepted.card)).toContain('akseptert');
    expect(verbsOf(accepted.card)).not.toContain('task.accept');
    shown = { id: card.id, card: accepted.card };
  });

  test('two presses of the same stale card leave one result', async () => {
    const presses = await Promise.all(
      ['Venter på lokaleoversikt', 'Mangler nøkler'].map((text) =>
        t.client.cardAction(ingrid, 'task.block', {
          ...executeAction(shown.card, 'task.block').data,
          reason: text,
        }),
      ),
    );
    await t.settle();
    const texts = presses.map((p) => cardText(invokeCard(p)));
    // Both see the one stored result; the loser is told someone else changed it meanwhile.
    expect(texts.filter((x) => x.includes('Hinder:'))).toHaveLength(2);
    expect(new Set(texts.map((x) => /Hinder: (\S+ \S+)/.exec(x)?.[1])).size).toBe(1);
    shown = { id: shown.id, card: invokeCard(presses[0]) };
    // The owner heard once.
    const notices = t.connector
      .cardsIn(chat(silje))
      .filter((c) => cardText(c.card).includes('har meldt et hinder'));
    expect(notices).toHaveLength(1);
  });

  test('done needs a note; then the owner hears and every copy shows it', async () => {
    const empty = await act(t, ingrid, shown, 'task.done', { note: ' \u200b ' });
    expect(cardText(empty.card)).toContain('Skriv en kommentar.');
    const done = await act(t, ingrid, { id: shown.id, card: empty.card }, 'task.done', {
      note: 'Liste sendt til gruppen',
    });
    expect(cardText(done.card)).toContain('Utført: Liste sendt til gruppen');
    const notice = t.connector
      .cardsIn(chat(silje))
      .filter((c) => cardText(c.card).includes('Ingrid Haugen har meldt oppgaven utført.'));
    expect(notice).toHaveLength(1);
    // The owner's earlier notice (blocked) is a live copy: it was updated in place to "done".
    const updates = t.connector
      .updates()
      .filter((u) => u.conversationId === chat(silje) && JSON.stringify(u.activity).includes(ref))
      .flatMap((u) => adaptiveCardsOf(u.activity));
    expect(updates.length).toBeGreaterThan(0);
    expect(cardText(updates[updates.length - 1])).toContain('utført');
  });
});

describe('lists', () => {
  test('"mine oppgaver" lists my active tasks by due date; a done task is gone from it', async () => {
    const second = await createTask(ingrid, {
      title: 'Avtal møte med eldrerådet',
      due: '2027-04-01',
    });
    expect(second.ref).toBeDefined();
    const third = await createTask(silje, { title: 'Søk midler', due: '2027-03-20' });
    const list = await ask(ingrid, 'mine oppgaver');
    const text = cardText(list);
    expect(text).toContain('Mine oppgaver');
    expect(text.indexOf('Søk midler')).toBeLessThan(text.indexOf('Avtal møte med eldrerådet'));
    expect(text).not.toContain('Kartlegg møteplasser');
    expect(third.ref).toBeDefined();
  });

  test('"oppgaver aldersvennlig samfunn": progress to the group and the line above; refused to others', async () => {
    const forPer = cardText(await ask(per, 'oppgaver aldersvennlig samfunn'));
    expect(forPer).toContain('Oppgaver i Aldersvennlig samfunn');
    expect(forPer).toContain('1 av 3 utført, 0 forfalt.');
    const forLars = cardText(await ask(lars, 'oppgaver aldersvennlig samfunn'));
    expect(forLars).toContain('vises bare for eieren, gruppen og linjen over dem');
    expect(forLars).not.toContain('Søk midler');
    const unknown = cardText(await ask(per, 'oppgaver [lenke](http://x)'));
    expect(unknown).toContain('Fant ingen prosess');
  });
});

describe('time: overdue', () => {
  test('after the due date the assignee is reminded once, found through the due index', async () => {
    clock.at = new Date('2027-03-22T07:30:00Z'); // a Monday, 08:30 in Oslo: the owner's digest too
    await t.bot.backgroundRound();
    await t.settle();
    await t.bot.backgroundRound();
    await t.settle();
    const reminders = t.connector
      .cardsIn(chat(ingrid))
      .filter((c) => cardText(c.card).includes('Oppgaven har passert fristen'));
    expect(reminders).toHaveLength(1);
    expect(cardText(reminders[0].card)).toContain('Søk midler');
    const digest = t.connector
      .cardsIn(chat(silje))
      .filter((c) => cardText(c.card).includes('Søk midler') && !verbsOf(c.card).length);
    expect(digest.length).toBeGreaterThanOrEqual(1);
    // Another round the same day decides nothing new.
    await t.bot.backgroundRound();
    await t.settle();
    expect(
      t.connector
        .cardsIn(chat(ingrid))
        .filter((c) => cardText(c.card).includes('Oppgaven har passert fristen')),
    ).toHaveLength(1);
  });
});

describe('handover', () => {
  test('the assignee asks with a suggestion, the owner approves, the new assignee gets the card', async () => {
    const { ref: handRef } = await createTask(silje, { title: 'Finn sjåfører', due: '2027-04-10' });
    const card = await cardFor(t, ingrid, handRef!, 'task.handover');
    const asked = await act(t, ingrid, card, 'task.handover', {
      handoverReason: 'Sofie kjenner frivilligsentralen',
      suggestedId: sofie.aadObjectId,
    });
    expect(cardText(asked.card)).toContain('ber om å overlevere');
    const ownerCard = await cardFor(t, silje, handRef!, 'task.handover.approve');
    expect(cardText(ownerCard.card)).toContain('Overlevering ønskes');
    await act(t, silje, ownerCard, 'task.handover.approve', { newAssignee: sofie.aadObjectId });
    const sofies = await cardFor(t, sofie, handRef!, 'task.accept');
    expect(cardText(sofies.card)).toContain('Oppgaven er overlevert til deg');
    expect(cardText(sofies.card)).toContain('Sofie Lunde');
  });
});
