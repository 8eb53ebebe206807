import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseArshjulFile } from '../../bot/arshjul/arshjul-file';
import { startTestAzurite, type TestAzurite } from '../support/azurite';
import {
  PEOPLE,
  SIGNING_SECRET,
  startBotUnderTest,
  type BotUnderTest,
} from '../support/bot-under-test';
import { cardText } from '../support/cards';
import { compiled } from '../support/compiled';
import { act, cardFor } from '../support/deviation-flows';

/**
 * The årshjul through the operator command itself: `node …/scheduler-tick.js --at <date>` as a
 * real process against Azurite and the loopback Bot Connector, as `npm run scheduler:tick --
 * --at` runs it. The bot is running only to install Ingrid and to take her "Utført"; it is
 * closed while the command runs (the command would otherwise leave what is due now to it).
 */
jest.setTimeout(120_000);
const run = promisify(execFile);
const { ingrid } = PEOPLE;
const VP = 'AH-2027-virksomhetsplan-1-sentrum-barnehage';
const clock = { at: new Date('2027-01-04T08:00:00Z'), now: () => clock.at };
let azurite: TestAzurite;
let t: BotUnderTest;
let tick = '';

async function schedulerTick(at: string): Promise<string> {
  const { stdout } = await run(process.execPath, [tick, '--at', at], {
    env: {
      PATH: process.env.PATH,
      TABLE_PREFIX: t.prefix,
      AZURITE_URL: azurite.url,
      CARD_SIGNING_SECRET: SIGNING_SECRET,
      LOG_LEVEL: 'silent',
    },
  });
  return stdout;
}
const reminders = () =>
  t.connector
    .cardsIn(t.client.personalConversationId(ingrid))
    .filter((c) => JSON.stringify(c.card).includes(VP));

beforeAll(async () => {
  tick = compiled('cli-build', 'bot/app/scheduler-tick.ts');
  azurite = await startTestAzurite();
  t = await startBotUnderTest({
    azurite,
    clock,
    installed: [ingrid],
    env: { LOCAL_ONLY: 'true' },
  });
  const file = parseArshjulFile(
    JSON.parse(
      fs.readFileSync(path.join(__dirname, '../../bot/arshjul/demo/heim-arshjul.json'), 'utf8'),
    ),
  );
  if (!file.ok) throw new Error(file.errors.join('; '));
  await t.bot.arshjul.catalogue.import(file.file, { removeMissing: false });
  await t.bot.arshjul.materialise(clock.at);
  await t.bot.backgroundRound();
  await t.settle();
  await t.bot.close(200);
});
afterAll(async () => {
  await t?.stop();
  await azurite?.stop();
});

test('scheduler:tick --at a week ahead sends Ingrid her reminder once; after Utført, none', async () => {
  const first = await schedulerTick('2027-01-25T09:00:00+01:00');
  expect(first).toMatch(new RegExp(`decided\\s+arshjul\\.reminder\\s+arshjul:${VP}:remind-7`));
  expect(first).toMatch(new RegExp(`sent\\s+arshjul\\.reminder\\s+arshjul:${VP}:remind-7`));
  expect(reminders()).toHaveLength(1);
  expect(cardText(reminders()[0].card)).toContain('Frist om 7 dager');

  const again = await schedulerTick('2027-01-25T09:00:00+01:00');
  expect(again).not.toContain('decided ');
  expect(reminders()).toHaveLength(1);

  clock.at = new Date('2027-01-26T09:00:00Z');
  await t.restart();
  const card = await cardFor(t, ingrid, VP, 'arshjul.done');
  const pressed = await act(t, ingrid, card, 'arshjul.done', { note: 'Ferdig' });
  expect(cardText(pressed.card)).toContain('Utført av Ingrid Haugen');
  await t.bot.close(200);

  const later = await schedulerTick('2027-02-01T09:00:00+01:00');
  expect(later).not.toContain(`arshjul:${VP}:`);
  expect(reminders()).toHaveLength(1);
});
