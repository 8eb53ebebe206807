import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OutboxStore } from '../../bot/store/outbox-store';
import { writeVedtakReport } from '../../bot/vedtak/vedtak-export';
import { VedtakStore } from '../../bot/vedtak/vedtak-store';
import { PEOPLE, startBotUnderTest, type BotUnderTest } from '../support/bot-under-test';
import { cardText, executeAction } from '../support/cards';
import { act, invokeCard } from '../support/deviation-flows';
import { demoOrg } from '../support/demo-org';
import type { TeamsUser } from '../support/teams-client';

/**
 * Following up political decisions end to end over HTTP (issue #9): the rådmann's staff
 * registers a decision, the responsible unit's leader gets it as their follow-up card and
 * reports status from it, others cannot, and the report to the committees shows the status as
 * of a date.
 */
let t: BotUnderTest;
const { ingrid, emil, marte } = PEOPLE;
const kari: TeamsUser = {
  id: '29:kari',
  aadObjectId: '00000000-0000-0000-0000-0000000000022',
  name: 'Kari Nilsen',
};
const clock = { at: new Date('2027-03-08T09:00:00Z'), now: () => clock.at };
const chat = (who: TeamsUser) => t.client.personalConversationId(who);
let ref: string;

async function ask(who: TeamsUser, text: string): Promise<{ id: string; card: any }> {
  const before = t.connector.cardsIn(chat(who)).length;
  expect((await t.client.message(who, text)).status).toBe(200);
  return t.connector.waitFor(() => t.connector.cardsIn(chat(who))[before]);
}

async function register(who: TeamsUser, values: Record<string, string> = {}) {
  const form = await ask(who, 'nytt vedtak');
  const data = executeAction(form.card, 'vedtak.create').data ?? {};
  const card = invokeCard(
    await t.client.cardAction(who, 'vedtak.create', {
      ...data,
      body: 'Kommunestyret',
      caseNumber: 'PS 12/27',
      date: '2027-02-14',
      summary: 'Skolen skal tilby leksehjelp to dager i uka.',
      responsibleUnitId: 'heim-skole',
      deadline: '2027-08-15',
      ...values,
    }),
  );
  await t.settle();
  return card;
}

beforeAll(async () => {
  t = await startBotUnderTest({ clock, installed: [ingrid, emil, marte, kari] });
});
afterAll(async () => {
  await t?.stop();
});

test('only the rådmann’s staff registers; the responsible leader gets the follow-up card', async () => {
  expect(cardText((await ask(ingrid, 'nytt vedtak')).card)).toContain(
    'Bare rådmannens stab registrerer politiske vedtak.',
  );
  const refused = await register(kari, { deadline: '2027-01-01' });
  expect(cardText(refused)).toContain('Fristen kan ikke være før vedtaket.');
  const created = await register(kari);
  ref = /VED-\d{4}-\d{4,}/.exec(JSON.stringify(created))![0];
  expect(cardText(created)).toContain(
    `Vedtaket er registrert (${ref}) og sendt til Marte Solberg.`,
  );
  const card = await t.connector.waitFor(() =>
    t.connector
      .cardsIn(chat(marte))
      .find((c) => cardText(c.card).includes('Et politisk vedtak skal følges opp av deg')),
  );
  expect(cardText(card.card)).toContain('Skolen skal tilby leksehjelp');
});

test('the leader reports status from the card; someone else cannot', async () => {
  const card = t.connector.cardsIn(chat(marte)).find((c) => JSON.stringify(c.card).includes(ref))!;
  const data = executeAction(card.card, 'vedtak.status').data ?? {};
  const outsider = cardText(invokeCard(await t.client.cardAction(ingrid, 'vedtak.status', data)));
  expect(outsider).toMatch(/ikke tilgang/);
  const reported = await act(t, marte, card, 'vedtak.status', {
    status: 'in_progress',
    statusComment: 'Avtale med frivillige',
  });
  expect(cardText(reported.card)).toContain('Status: under arbeid');
  expect(cardText(reported.card)).toContain('Avtale med frivillige');
  const list = cardText((await ask(kari, 'vedtak')).card);
  expect(list).toContain(`${ref} · Kommunestyret PS 12/27 · Heim skole`);
  expect(cardText((await ask(emil, 'vedtak')).card)).toContain('Ingen vedtak å følge opp.');
});

test('the report to the committees: status as of a date, in three formats', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'vedtak-'));
  return new VedtakStore(t.bot.tables, new OutboxStore(t.bot.tables))
    .list()
    .then((decisions) => {
      const files = writeVedtakReport(decisions, demoOrg(), {
        per: '2027-03-08',
        out: folder,
        language: 'nb',
      });
      expect(files.map((f) => path.basename(f))).toEqual([
        'vedtak-2027-03-08.md',
        'vedtak-2027-03-08.html',
        'vedtak-2027-03-08.csv',
      ]);
      expect(fs.readFileSync(files[0], 'utf8')).toContain('Under arbeid');
      const before = writeVedtakReport(decisions, demoOrg(), {
        per: '2027-03-01',
        out: folder,
        language: 'nb',
      });
      expect(fs.readFileSync(before[0], 'utf8')).toContain('Ikke startet');
      expect(fs.readFileSync(files[2], 'utf8')).toContain(`${ref};Kommunestyret;PS 12/27`);
    })
    .finally(() => fs.rmSync(folder, { recursive: true, force: true }));
});
