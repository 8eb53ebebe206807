import fs from 'node:fs';
import path from 'node:path';
import { manifestCommandTitles } from '../../appPackage/bot-commands';
import { parseArshjulCommand } from '../../bot/arshjul/arshjul-service';
import { parseDelegationCommand } from '../../bot/delegations/delegation-service';
import { CHANNEL_COMMANDS } from '../../bot/teams/routes/channels';
import { COMMANDS } from '../../bot/teams/routes/commands';
import { REPORT_FROM_MESSAGE, TASK_FROM_MESSAGE } from '../../bot/teams/routes/message-action';
import { TASK_COMMANDS } from '../../bot/teams/routes/tasks';

/** Every typed command the bot answers to: the deviation, channel and task routes, and the features' own parsers. */
const ROUTES: Record<string, { test(text: string): boolean }> = {
  ...COMMANDS,
  ...CHANNEL_COMMANDS,
  ...Object.fromEntries(Object.entries(TASK_COMMANDS).map(([name, c]) => [`task.${name}`, c])),
  arshjul: { test: (text) => parseArshjulCommand(text) !== undefined },
  delegation: { test: (text) => parseDelegationCommand(text) !== undefined },
};

// Teams puts the picked command's title (in the user's language) into the message text.
const handled = (text: string) =>
  Object.entries(ROUTES)
    .filter(([, route]) => route.test(text))
    .map(([name]) => name);

describe('every command the manifest offers has a handler', () => {
  const titles = manifestCommandTitles();

  test('the manifest offers commands in both languages', () => {
    expect(titles.nb.length).toBeGreaterThanOrEqual(5);
    expect(titles.en).toHaveLength(titles.nb.length);
  });

  test('the personal menu reaches every feature: deviations, tasks, the annual cycle, authority', () => {
    const reached = new Set(titles.nb.flatMap(handled).map((name) => name.split('.')[0]));
    for (const feature of ['report', 'task', 'arshjul', 'delegation'])
      expect(reached).toContain(feature);
  });

  test.each([...manifestCommandTitles().nb, ...manifestCommandTitles().en])(
    '"%s" reaches exactly one command',
    (title) => {
      expect(handled(title)).toHaveLength(1);
    },
  );

  test('nb and en titles at the same position reach the same command', () => {
    titles.nb.forEach((nb, i) => expect(handled(titles.en[i])).toEqual(handled(nb)));
  });

  test('text that is no command reaches none', () => {
    expect(handled('meld avvikene mine til noen')).toEqual([]);
    expect(handled('hjelpepleier')).toEqual([]);
  });

  test('the message actions in the manifest are the ones the bot handles', () => {
    const manifest = JSON.parse(
      fs.readFileSync(path.join(__dirname, '../../appPackage/manifest.json'), 'utf8'),
    );
    const ids = manifest.composeExtensions.flatMap(
      (c: { commands: { id: string; fetchTask?: boolean; context?: string[] }[] }) => c.commands,
    );
    expect(ids.map((c: { id: string }) => c.id)).toEqual([REPORT_FROM_MESSAGE, TASK_FROM_MESSAGE]);
    for (const action of ids) {
      expect(action.fetchTask).toBe(true);
      expect(action.context).toContain('message');
    }
  });
});
