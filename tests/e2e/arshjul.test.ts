import fs from 'node:fs';
import path from 'node:path';
import ical from 'ical.js';
import { parseArshjulFile } from '../../bot/arshjul/arshjul-file';
import { occurrenceRecords } from '../../bot/arshjul/arshjul-store';
import { OutboxStore } from '../../bot/store/outbox-store';
import { PEOPLE, startBotUnderTest, type BotUnderTest } from '../support/bot-under-test';
import { cardText, executeAction } from '../support/cards';
import { act, cardFor, invokeCard } from '../support/deviation-flows';
import { adaptiveCardsOf } from '../support/fake-connector';
import type { TeamsUser } from '../support/teams-client';

/**
 * The årshjul end to end over HTTP, with the default file of Heim kommune and a clock the test
 * moves: the owner's reminder card, sign-off from the card, every copy updated, the channel
 * notice (counts, no names), help to the leader, escalation when overdue, refusals for the
 * wrong person and for forged or stale cards, the commands and the calendar feed.
 */
let t: BotUnderTest;
const { ingrid, emil, per, marte, nina } = PEOPLE;
const clock = { at: new Date('2027-01-04T08:00:00Z'), now: () => clock.at };
const GENERAL = '19:team-heim@thread.tacv2';
const DEFAULT_FILE = path.join(__dirname, '../../bot/arshjul/demo/heim-arshjul.json');

async function at(iso: string): Promise<void> {
  clock.at = new Date(iso);
  await t.bot.backgroundRound();
  await t.settle();
  // Jobs of that round (timers of new occurrences) may be due at once: a second round.
  await t.bot.backgroundRound();
  await t.settle();
}

const chat = (who: TeamsUser) => t.client.personalConversationId(who);
/** Cards in a person's chat about an occurrence (its reference is in the buttons' data). */
const cardsWith = (who: TeamsUser, ref: string, ...texts: string[]) =>
  t.connector
    .cardsIn(chat(who))
    .filter((c) => JSON.stringify(c.card).includes(ref))
    .filter((c) => texts.every((text) => cardText(c.card).includes(text)));
const inGeneral = () =>
  t.connector
    .sent()
    .filter((a) => a.conversationId === GENERAL)
    .map((a) => adaptiveCardsOf(a.activity).map(cardText).join(' '));
const records = () => occurrenceRecords(t.bot.tables, new OutboxStore(t.bot.tables));

/** Writes to the bot in the personal chat and returns the card it answered with. */
async function ask(who: TeamsUser, text: string): Promise<any> {
  const before = t.connector.cardsIn(chat(who)).length;
  expect((await t.client.message(who, text)).status).toBe(200);
  return t.connector.waitFor(() => t.connector.cardsIn(chat(who))[before]?.card);
}

beforeAll(async () => {
  t = await startBotUnderTest({
    clock,
    installed: [ingrid, emil, per, marte, nina],
    env: { LOCAL_ONLY: 'true' },
  });
  const parsed = parseArshjulFile(JSON.parse(fs.readFileSync(DEFAULT_FILE, 'utf8')));
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  await t.bot.arshjul.catalogue.import(parsed.file, { removeMissing: false });
  // As `npm run arshjul:import` does (the daily job ran already, before the file was there).
  await t.bot.arshjul.materialise(clock.now());
  expect((await t.client.channelMessage(ingrid, 'abonner årshjul Sentrum barnehage')).status).toBe(
    200,
  );
  await at('2027-01-04T08:00:00Z'); // Monday 09:00 in Oslo: the daily job materialises
}, 60_000);
afterAll(async () => {
  await t?.stop();
});

const VP_INGRID = 'AH-2027-virksomhetsplan-1-sentrum-barnehage';
const VP_MARTE = 'AH-2027-virksomhetsplan-1-heim-skole';

test('materialised ahead: each unit its own virksomhetsplan, moved off the Sunday', async () => {
  const ingrids = (await records().get(VP_INGRID))?.record;
  expect(ingrids).toMatchObject({
    status: 'open',
    nominal: '2027-01-31',
    deadline: '2027-02-01',
    unitId: 'sentrum-barnehage',
  });
  expect((await records().get(VP_MARTE))?.record.unitId).toBe('heim-skole');
  // The 30-day reminder (2 January) was before the occurrence existed: not sent.
  expect(cardsWith(ingrid, VP_INGRID)).toHaveLength(0);
});

test('7 days ahead: Ingrid gets the card with the deadline, the legal basis and the buttons; the channel a short notice', async () => {
  await at('2027-01-25T08:30:00Z'); // Monday 09:30, seven days before 1 February
  const cards = cardsWith(ingrid, VP_INGRID);
  expect(cards).toHaveLength(1);
  const text = cardText(cards[0].card);
  expect(text).toContain('Frist om 7 dager');
  expect(text).toContain('01.02.2027');
  expect(text).toContain('flyttet fra 31.01.2027');
  expect(text).toContain('Ingrid Haugen');
  expect(JSON.stringify(cards[0].card)).toContain('"arshjul.done"');
  expect(JSON.stringify(cards[0].card)).toContain('"arshjul.help"');
  const notices = inGeneral().filter(
    (n) => n.includes('Sentrum barnehage') && n.includes('01.02.2027'),
  );
  expect(notices).toHaveLength(1);
  expect(notices[0]).not.toContain('Ingrid');
  // The same moment again decides nothing new.
  await at('2027-01-25T08:30:00Z');
  expect(cardsWith(ingrid, VP_INGRID)).toHaveLength(1);
});

test('the wrong person, a forged card and a stale card are refused and change nothing', async () => {
  const card = await cardFor(t, ingrid, VP_INGRID, 'arshjul.done');
  const done = executeAction(card.card, 'arshjul.done');
  const emils = invokeCard(await t.client.cardAction(emil, 'arshjul.done', { ...done.data }));
  expect(cardText(emils)).toContain('Du har ikke tilgang');
  const forged = invokeCard(
    await t.client.cardAction(ingrid, 'arshjul.done', { ...done.data, sig: 'x'.repeat(32) }),
  );
  expect(cardText(forged)).toContain('Kortet er ikke gyldig');
  // The signature is bound to the revision: another revision is a forged card, not a stale one.
  const otherRev = invokeCard(
    await t.client.cardAction(ingrid, 'arshjul.done', {
      ...done.data,
      rev: Number(done.data!.rev) + 5,
    }),
  );
  expect(cardText(otherRev)).toContain('Kortet er ikke gyldig');
  expect((await records().get(VP_INGRID))?.record).toMatchObject({ status: 'open', rev: 1 });
});

test('Utført: signed off for everyone, once; copies updated, the channel told, no reminder after', async () => {
  const card = await cardFor(t, ingrid, VP_INGRID, 'arshjul.done');
  const updatesBefore = t.connector.updates().length;
  // Ingrid and Per (the line above) press at the same moment: exactly one sign-off.
  const [a, b] = await Promise.all([
    act(t, ingrid, card, 'arshjul.done', { note: 'Vedtatt i personalmøtet' }),
    act(t, per, card, 'arshjul.done', { note: 'Per sin' }),
  ]);
  expect([a.response.status, b.response.status]).toEqual([200, 200]);
  const events = await records().events(VP_INGRID);
  expect(events.filter((e) => e.kind === 'done')).toHaveLength(1);
  const stored = (await records().get(VP_INGRID))!.record;
  expect(stored.status).toBe('done');
  expect(['Vedtatt i personalmøtet', 'Per sin']).toContain(stored.doneNote);
  await t.settle();
  const updated = t.connector
    .updates()
    .slice(updatesBefore)
    .filter((u) => u.activityId === card.id);
  expect(updated.length).toBeGreaterThanOrEqual(1);
  const copy = adaptiveCardsOf(updated.at(-1)!.activity)[0];
  expect(cardText(copy)).toContain('Utført av');
  expect(JSON.stringify(copy)).not.toContain('"arshjul.done"');
  expect(inGeneral().filter((n) => n.includes('merket som utført'))).toHaveLength(1);

  // The old card pressed again (a new press, not a retry): stale, refused with the reason.
  const again = invokeCard(
    await t.client.cardAction(
      ingrid,
      'arshjul.done',
      executeAction(card.card, 'arshjul.done').data!,
    ),
  );
  expect(cardText(again)).toContain('ble endret av noen andre');
  expect(cardText(again)).toContain('Utført av');

  await at('2027-01-31T08:30:00Z'); // the 1-day reminder's time: none after Utført
  await at('2027-02-01T08:30:00Z');
  expect(cardsWith(ingrid, VP_INGRID)).toHaveLength(1);
});

test('Trenger hjelp: the text goes to the owner’s leader; an empty text is refused', async () => {
  const card = await cardFor(t, marte, VP_MARTE, 'arshjul.help');
  const empty = await act(t, marte, card, 'arshjul.help', { helpText: '   ' });
  expect(cardText(empty.card)).toContain('Skriv kort hva du trenger hjelp med');
  const asked = await act(t, marte, card, 'arshjul.help', { helpText: 'Trenger mal fra økonomi' });
  expect(cardText(asked.card)).toContain('Lederen din har fått beskjed');
  const help = await t.connector.waitFor(() =>
    cardsWith(per, VP_MARTE, 'Trenger mal fra økonomi').at(0),
  );
  expect(cardText(help.card)).toContain('Marte Solberg trenger hjelp');
});

test('overdue and not signed off: a reminder on the day, then the owner’s leader after 5 working days', async () => {
  expect(cardsWith(marte, VP_MARTE, 'Frist i dag')).toHaveLength(1); // 1 February
  expect(cardsWith(per, VP_MARTE, 'Fristen er passert')).toHaveLength(0);
  await at('2027-02-08T08:30:00Z'); // five working days after 1 February
  const escalated = cardsWith(per, VP_MARTE, 'Fristen er passert');
  expect(escalated).toHaveLength(1);
  expect(cardText(escalated[0].card)).toContain('Marte Solberg');
});

test('commands: årshjul, årshjul <måned>, mine frister, status for the rådmann only', async () => {
  const month = await ask(ingrid, 'årshjul');
  expect(cardText(month)).toContain('februar 2027');
  expect(cardText(month)).toContain('mars 2027');
  const march = await ask(ingrid, 'årshjul mars');
  expect(cardText(march)).toContain('mars 2027');
  expect(cardText(march)).not.toContain('februar 2027');
  const nonsense = await ask(ingrid, 'årshjul blåbær');
  expect(cardText(nonsense)).toContain('kjente ikke igjen måneden');
  const mine = await ask(marte, 'mine frister');
  expect(cardText(mine)).toContain('Virksomhetsplan');
  expect(cardText(mine)).toContain('Forfalt');
  const status = await ask(per, 'årshjul status');
  expect(cardText(status)).toContain('Status årshjul 2027');
  expect(cardText(await ask(emil, 'årshjul status'))).toContain('Statusoversikten er for');
});

test('calendar: a leader gets the feed links; the feed is iCalendar with stable UIDs; a wrong secret is 404', async () => {
  expect(cardText(await ask(emil, 'årshjul kalender'))).toContain('for ledere');
  const card = await ask(ingrid, 'årshjul kalender');
  const urls = cardText(card).match(/https?:\/\/\S+\/calendar\/[A-Za-z0-9_-]+\.ics/g) ?? [];
  expect(urls.length).toBeGreaterThanOrEqual(2); // the whole municipality and Sentrum barnehage
  const paths = urls.map((u) => new URL(u).pathname);
  const org = await t.client.get(paths[0]);
  expect(org.status).toBe(200);
  const events = new ical.Component(ical.parse(org.text)).getAllSubcomponents('vevent');
  expect(events.length).toBeGreaterThan(10);
  const uids = events.map((e) => String(e.getFirstPropertyValue('uid')));
  expect(new Set(uids).size).toBe(uids.length);
  expect(org.text).not.toContain('Ingrid');
  const again = await t.client.get(paths[0]);
  expect(again.text.match(/UID:[^\r\n]+/g)).toEqual(org.text.match(/UID:[^\r\n]+/g));
  const unit = await t.client.get(paths[1]);
  expect(unit.text).toContain(`UID:${VP_INGRID}@`);
  expect((await t.client.get('/calendar/nope.ics')).status).toBe(404);
  expect((await t.client.get(`/calendar/${'A'.repeat(43)}.ics`)).status).toBe(404);
});
