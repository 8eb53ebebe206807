import fs from 'node:fs';
import path from 'node:path';
import { parseProcessFile } from '../../bot/processes/process-file';
import { PEOPLE, startBotUnderTest, type BotUnderTest } from '../support/bot-under-test';
import { demoOrg } from '../support/demo-org';
import { cardText, executeAction, verbsOf } from '../support/cards';
import { act, cardFor, invokeCard } from '../support/deviation-flows';
import type { TeamsUser } from '../support/teams-client';

/**
 * Cross-cutting processes end to end over HTTP (issue #9): a draft process is anchored from
 * the rådmann's card; staff from other units are released (or not) by their own leader from a
 * card, with the nominee and the owner told and every copy updated; who may press what; the
 * list and the process card in chat.
 */
let t: BotUnderTest;
const { ingrid, emil, per, marte } = PEOPLE;
const silje: TeamsUser = {
  id: '29:silje',
  aadObjectId: '7c1a2b3d-0001-4a10-9c01-000000000102',
  name: 'Silje Bakke',
};
const andersUser: TeamsUser = {
  id: '29:anders',
  aadObjectId: '7c1a2b3d-0001-4a10-9c01-000000000402',
  name: 'Anders Lie',
};
const clock = { at: new Date('2027-03-08T09:00:00Z'), now: () => clock.at };
const chat = (who: TeamsUser) => t.client.personalConversationId(who);
const FOLKEHELSE = 'folkehelse';

async function ask(who: TeamsUser, text: string): Promise<{ id: string; card: any }> {
  const before = t.connector.cardsIn(chat(who)).length;
  expect((await t.client.message(who, text)).status).toBe(200);
  return t.connector.waitFor(() => t.connector.cardsIn(chat(who))[before]);
}

/** The newest card in a person's chat with a headline text (waits for it). */
const cardSaying = (who: TeamsUser, text: string) =>
  t.connector.waitFor(() =>
    t.connector
      .cardsIn(chat(who))
      .filter((c) => cardText(c.card).includes(text))
      .pop(),
  );

beforeAll(async () => {
  t = await startBotUnderTest({ clock, installed: [ingrid, emil, per, marte, andersUser, silje] });
  const file = parseProcessFile(
    JSON.parse(
      fs.readFileSync(path.join(__dirname, '../../bot/processes/demo/heim-prosesser.json'), 'utf8'),
    ),
  );
  if (!file.ok) throw new Error(file.errors.join());
  await t.bot.processes.import(file.file, demoOrg(), clock.now());
  await t.settle();
});
afterAll(async () => {
  await t?.stop();
});

describe('anchoring at rådmannsnivå', () => {
  test('a draft process sends its mandate to the rådmann; only he can confirm it', async () => {
    const card = await cardFor(t, per, FOLKEHELSE, 'process.anchor');
    expect(cardText(card.card)).toContain('Forankring av mandat');
    expect(cardText(card.card)).toContain('Folkehelse');
    // Silje (the owner) with the rådmann's signature: refused, nothing changes.
    const data = executeAction(card.card, 'process.anchor').data ?? {};
    const refused = invokeCard(await t.client.cardAction(silje, 'process.anchor', data));
    expect(cardText(refused)).toContain('Bare rådmannen, eller kommunalsjefen i linjen');
    // A task cannot be created in a draft.
    const form = await ask(silje, 'ny oppgave');
    expect(JSON.stringify(form.card)).not.toContain('process:folkehelse');
  });

  test('two presses at once leave one anchoring; the owner is told; tasks open up', async () => {
    const card = await cardFor(t, per, FOLKEHELSE, 'process.anchor');
    const data = executeAction(card.card, 'process.anchor').data ?? {};
    const presses = await Promise.all([
      t.client.cardAction(per, 'process.anchor', data, { replyToId: card.id }),
      t.client.cardAction(per, 'process.anchor', data, { replyToId: card.id }),
    ]);
    await t.settle();
    expect(presses.map((p) => p.status)).toEqual([200, 200]);
    const texts = presses.map((p) => cardText(invokeCard(p)));
    expect(texts.every((x) => x.includes('Per Kristiansen'))).toBe(true);
    const told = await cardSaying(silje, 'Prosessen er forankret');
    expect(cardText(told.card)).toContain('Folkehelse');
    expect(
      t.connector
        .cardsIn(chat(silje))
        .filter((c) => cardText(c.card).includes('Prosessen er forankret')),
    ).toHaveLength(1);
    const form = await ask(silje, 'ny oppgave');
    expect(JSON.stringify(form.card)).toContain('process:folkehelse');
  });
});

describe('release of staff (avse personell)', () => {
  let ownerCard: { id: string; card: any };

  test('the owner nominates Emil; his leader Ingrid gets the request', async () => {
    ownerCard = await ask(silje, 'prosess folkehelse');
    expect(verbsOf(ownerCard.card)).toContain('process.nominate');
    const nominated = await act(t, silje, ownerCard, 'process.nominate', {
      personId: emil.aadObjectId,
    });
    expect(cardText(nominated.card)).toContain('Venter på leder: Emil Vik.');
    ownerCard = { id: ownerCard.id, card: nominated.card };
    const request = await cardSaying(ingrid, 'Forespørsel om å avse personell');
    expect(cardText(request.card)).toContain('ber om å få Emil Vik med i gruppen');
    expect(verbsOf(request.card)).toEqual(
      expect.arrayContaining(['process.release', 'process.decline']),
    );
  });

  test('someone who does not lead Emil cannot release him', async () => {
    const request = await cardSaying(ingrid, 'Forespørsel om å avse personell');
    const data = executeAction(request.card, 'process.release').data ?? {};
    for (const who of [marte, emil]) {
      const answer = cardText(invokeCard(await t.client.cardAction(who, 'process.release', data)));
      expect(answer).toContain('Bare lederen til den som er foreslått');
    }
  });

  test('Ingrid releases him with a share of time: he joins; he and the owner are told', async () => {
    const request = await cardSaying(ingrid, 'Forespørsel om å avse personell');
    const released = await act(t, ingrid, request, 'process.release', {
      sharePercent: '20',
      releaseComment: 'Onsdager',
    });
    expect(cardText(released.card)).toContain('Emil Vik (20 %)');
    expect(verbsOf(released.card)).not.toContain('process.release');
    const toEmil = await cardSaying(emil, 'Emil Vik er avgitt til gruppen');
    expect(cardText(toEmil.card)).toContain('Folkehelse');
    await cardSaying(silje, 'Emil Vik er avgitt til gruppen');
    // The owner's earlier card from the bot ("forankret") is a live copy: updated in place.
    const anchored = await cardSaying(silje, 'Prosessen er forankret');
    const updated = t.connector
      .updates()
      .filter((u) => u.conversationId === chat(silje) && u.activityId === anchored.id);
    expect(updated.length).toBeGreaterThan(0);
    expect(JSON.stringify(updated[updated.length - 1].activity)).toContain('Emil Vik (20 %)');
  });

  test('Marte declines Anders, with a reason; without one she is asked for it', async () => {
    const card = await ask(silje, 'prosess folkehelse');
    await act(t, silje, card, 'process.nominate', { personId: andersUser.aadObjectId });
    const request = await cardSaying(marte, 'Forespørsel om å avse personell');
    expect(cardText(request.card)).toContain('Anders Lie');
    const empty = await act(t, marte, request, 'process.decline', { declineComment: '\u200b' });
    expect(cardText(empty.card)).toContain('Skriv en begrunnelse.');
    await act(t, marte, { id: request.id, card: empty.card }, 'process.decline', {
      declineComment: 'Eksamensperiode',
    });
    const toAnders = await cardSaying(andersUser, 'Anders Lie ble ikke avgitt');
    expect(cardText(toAnders.card)).toContain('Begrunnelse: Eksamensperiode');
    const list = cardText((await ask(silje, 'prosess folkehelse')).card);
    expect(list).toContain('Emil Vik (20 %)');
    expect(list).not.toContain('Anders Lie');
  });
});

describe('in chat', () => {
  test('"prosesser" lists the seven with status and owner; a process card is not for everyone', async () => {
    const list = cardText((await ask(emil, 'prosesser')).card);
    for (const name of [
      'Barn og unge',
      'Folkehelse',
      'Aldersvennlig samfunn',
      'Økonomiplan / budsjett',
    ])
      expect(list).toContain(name);
    expect(list).toContain('utkast, venter på forankring');
    // Emil is in Folkehelse now; Digitalisering is not his.
    expect(cardText((await ask(emil, 'prosess folkehelse')).card)).toContain('Tverrfaglig gruppe');
    expect(cardText((await ask(emil, 'prosess digitalisering')).card)).toContain('ikke tilgang');
    expect(cardText((await ask(emil, 'prosess [x](http://evil)')).card)).toContain(
      'Fant ingen prosess',
    );
  });
});

describe('measures for the line, and the yearly evaluation', () => {
  test('the owner decides a measure; each unit leader answers; a decline goes to the rådmann, who decides', async () => {
    const own = await ask(silje, 'prosess folkehelse');
    expect(verbsOf(own.card)).toEqual(
      expect.arrayContaining(['process.measure', 'process.evaluate']),
    );
    const decided = await act(t, silje, own, 'process.measure', {
      measureText: 'Frukt i alle pauser',
      measureUnits: 'heim-skole,sentrum-barnehage',
    });
    expect(cardText(decided.card)).toContain('1. Frukt i alle pauser');
    const toMarte = await cardSaying(marte, 'Et tiltak fra prosessen gjelder din enhet');
    const toIngrid = await cardSaying(ingrid, 'Et tiltak fra prosessen gjelder din enhet');
    expect(verbsOf(toMarte.card)).toEqual(
      expect.arrayContaining(['process.ack', 'process.measuredecline']),
    );
    // Marte cannot answer for Ingrid's unit with Ingrid's card data.
    const ingridsData = executeAction(toIngrid.card, 'process.ack').data ?? {};
    const wrong = cardText(
      invokeCard(await t.client.cardAction(marte, 'process.ack', ingridsData)),
    );
    expect(wrong).toContain('Bare lederen for enheten kan svare for den.');
    await act(t, marte, toMarte, 'process.ack');
    const latest = await cardSaying(ingrid, 'Et tiltak fra prosessen gjelder din enhet');
    const refused = await act(t, ingrid, latest, 'process.measuredecline', {
      measureDeclineComment: ' ',
    });
    expect(cardText(refused.card)).toContain('Skriv en begrunnelse.');
    await act(t, ingrid, { id: latest.id, card: refused.card }, 'process.measuredecline', {
      measureDeclineComment: 'Ikke budsjett',
    });
    const toOwner = await cardSaying(silje, 'Et tiltak er avslått i linjen');
    expect(cardText(toOwner.card)).toContain('Heim skole: kvittert');
    expect(cardText(toOwner.card)).toContain('Sentrum barnehage: avslått');
    await act(t, silje, toOwner, 'process.escalate');
    const toPer = await cardSaying(per, 'Et tiltak er lagt fram for rådmannen');
    const ruled = await act(t, per, toPer, 'process.rule', {
      ruling: 'uphold',
      rulingComment: 'Tiltaket står',
    });
    expect(cardText(ruled.card)).toContain('rådmannen: tiltaket står');
    await cardSaying(ingrid, 'Rådmannen har avgjort et tiltak');
    await cardSaying(silje, 'Rådmannen har avgjort et tiltak');
  });

  test('the owner records the year’s evaluation against the goals; others cannot', async () => {
    const own = await ask(silje, 'prosess folkehelse');
    const data = executeAction(own.card, 'process.evaluate').data ?? {};
    const other = cardText(
      invokeCard(
        await t.client.cardAction(per, 'process.evaluate', { ...data, evaluationText: 'x' }),
      ),
    );
    expect(other).toContain('Bare prosesseieren kan gjøre dette.');
    const done = await act(t, silje, own, 'process.evaluate', {
      evaluationText: 'Oversiktsdokumentet er revidert',
    });
    expect(cardText(done.card)).toContain('Evaluering 2027: Oversiktsdokumentet er revidert');
  });
});
