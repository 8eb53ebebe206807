import fs from 'node:fs';
import path from 'node:path';
import { composeBot, type ComposedBot } from '../../bot/app/compose';
import { readSettings } from '../../bot/app/config';
import { parseArshjulFile } from '../../bot/arshjul/arshjul-file';
import { reminderTimes } from '../../bot/arshjul/occurrences';
import { nextWorkingDayOnOrAfter } from '../../bot/time/working-time';
import { CardSigner } from '../../bot/kernel/card-signing';
import type { Card } from '../../bot/kernel/card-templates';
import type { Delivery } from '../../bot/messaging/delivery';
import { startTestAzurite, uniquePrefix, type TestAzurite } from '../support/azurite';
import { cardText } from '../support/cards';
import { demoOrgFile, PEOPLE, SIGNING_SECRET } from '../support/bot-under-test';

/**
 * A simulated year of the default årshjul on Azurite: imported, materialised, and one scheduler
 * tick plus one outbox drain every day of 2027 at 09:30 Oslo time, as `scheduler:tick --at`
 * does. Microsoft's connector cannot run here: the delivery only records what would be sent.
 * Every lead-time reminder goes out exactly once, and none after "Utført".
 */
let azurite: TestAzurite;
let bot: ComposedBot;
const clock = { at: new Date('2027-01-01T08:30:00Z'), now: () => clock.at };
const sent: { reference: string; card: Card }[] = [];
const delivery: Delivery = {
  async send(reference, card) {
    sent.push({ reference, card });
    return { activityId: `act-${sent.length}` };
  },
  async update() {},
};
const file = parseArshjulFile(
  JSON.parse(
    fs.readFileSync(path.join(__dirname, '../../bot/arshjul/demo/heim-arshjul.json'), 'utf8'),
  ),
);
const VP_INGRID = 'AH-2027-virksomhetsplan-1-sentrum-barnehage';
const refIn = (card: Card) => /"ref":"(AH-[^"]+)"/.exec(JSON.stringify(card))?.[1];
const headlineOf = (card: Card) => cardText(card).split('\n')[0];

async function day(iso: string): Promise<void> {
  clock.at = new Date(iso);
  await bot.scheduler.tick(clock.at);
  await bot.dispatcher.drain(clock.at, () => false);
}

beforeAll(async () => {
  if (!file.ok) throw new Error(file.errors.join('; '));
  azurite = await startTestAzurite();
  const settings = readSettings({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    TABLE_PREFIX: uniquePrefix(),
  });
  bot = await composeBot({
    settings,
    location: azurite.location,
    cardSigningSecret: SIGNING_SECRET,
    delivery,
    clock,
  });
  const org = demoOrgFile();
  await bot.org.importFile(org, { removeMissing: false });
  // Everybody has the bot installed: a conversation reference per person.
  for (const person of org.people)
    await bot.conversations.saveForUser(person.id, {
      reference: JSON.stringify({ user: person.id }),
      conversationId: `a:personal-${person.id}`,
      updatedAt: clock.at.toISOString(),
    });
  await bot.arshjulDeps.catalogue.import(file.file, { removeMissing: false });
}, 60_000);
afterAll(async () => {
  await azurite?.stop();
});

test('a year of ticks: every lead-time reminder once, none after Utført, the calendar of the year kept', async () => {
  await bot.materialiseArshjul(clock.at);
  const signer = new CardSigner(SIGNING_SECRET);
  const pipeline = bot.cardActions.find((p) => p.verbs.includes('arshjul.done'))!;
  for (let d = new Date('2027-01-01T08:30:00Z'); d < new Date('2028-01-01T00:00:00Z');) {
    await day(d.toISOString());
    if (d.toISOString().startsWith('2027-01-26')) {
      // Ingrid signs her virksomhetsplan off the day after the 7-day reminder.
      const card = await pipeline.act(
        { id: PEOPLE.ingrid.aadObjectId, name: 'Ingrid', language: 'nb', locale: 'nb-NO' },
        'arshjul.done',
        {
          ref: VP_INGRID,
          rev: 1,
          sig: signer.sign({ kind: 'arshjul', id: VP_INGRID, rev: 1, verb: 'arshjul.done' }),
        },
        { actionId: 'press-1' },
      );
      expect(cardText(card)).toContain('Utført av');
    }
    d = new Date(d.getTime() + 86_400_000);
  }

  const reminders = sent.filter((s) => /^(Frist|Fristen)/.test(headlineOf(s.card)));
  // Exactly once each: the same occurrence and headline never twice to the same person.
  const keys = reminders.map((s) => `${s.reference}|${refIn(s.card)}|${headlineOf(s.card)}`);
  expect(new Set(keys).size).toBe(keys.length);

  // Ingrid's virksomhetsplan: 30 days ahead (Saturday 2 January, so sent Monday 4 January,
  // and said from that day: 28 days) and 7 days ahead (25 January); nothing after Utført.
  const ingrids = reminders
    .filter((s) => refIn(s.card) === VP_INGRID)
    .map((s) => headlineOf(s.card));
  expect(ingrids).toEqual(['Frist om 28 dager', 'Frist om 7 dager']);

  // Every occurrence due in March–December got each of its reminders: 30, 7, 1 days and the day.
  const stored = (await bot.arshjulDeps.index.inYear(2027)).filter(
    (o) => o.deadline >= '2027-03-01',
  );
  expect(stored.length).toBeGreaterThan(30);
  for (const o of stored) {
    const lead = file.ok ? file.file.activities.find((a) => a.id === o.activityId)!.leadDays : [];
    // A reminder due on a weekend or holiday goes on the next working day; if a later one is
    // due by then (a Sunday's 1-day reminder on a Monday deadline), only the later one goes.
    const times = reminderTimes(o, lead).filter((r) => r.at <= '2027-12-31');
    const expected = times.filter(
      (r) => !times.some((later) => later.at > r.at && later.at <= nextWorkingDayOnOrAfter(r.at)),
    ).length;
    const got = reminders.filter(
      (s) => refIn(s.card) === o.ref && !/passert/.test(headlineOf(s.card)),
    );
    expect({ ref: o.ref, count: got.length }).toEqual({ ref: o.ref, count: expected });
  }
  // Overdue ones went to the owner's leader once each (nobody signed off in the simulation).
  const escalations = sent.filter((s) => headlineOf(s.card).startsWith('Fristen er passert'));
  expect(escalations.length).toBeGreaterThan(10);

  // Materialised 24 months ahead as the year went on: by 31 December 2027, all of 2029.
  const [y2028, y2029, y2030] = await Promise.all(
    [2028, 2029, 2030].map((y) => bot.arshjulDeps.index.inYear(y)),
  );
  expect(y2028.length).toBeGreaterThan(50);
  expect(y2029.some((o) => o.deadline >= '2029-12-01')).toBe(true);
  expect(y2030.filter((o) => o.deadline > '2030-01-02')).toEqual([]);
}, 600_000);
