import fs from 'node:fs';
import path from 'node:path';
import { appPackageDir } from './app-package-dir';

interface Command {
  title: string;
}

/**
 * The bot command titles the manifest offers, each once, in menu order: Norwegian (nb) from
 * manifest.json and English (en) from en.json, at the same positions. Teams puts the title the
 * user picked into the message text, so the bot must answer to both languages.
 */
export function manifestCommandTitles(dir: string = appPackageDir()): {
  nb: string[];
  en: string[];
} {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  const english = JSON.parse(fs.readFileSync(path.join(dir, 'en.json'), 'utf8'));
  const lists = (manifest.bots?.[0]?.commandLists ?? []) as { commands: Command[] }[];
  const nb: string[] = [];
  const en: string[] = [];
  lists.forEach((list, l) =>
    list.commands.forEach((command, c) => {
      const translated = english[`bots[0].commandLists[${l}].commands[${c}].title`];
      if (!nb.includes(command.title)) nb.push(command.title);
      if (typeof translated === 'string' && !en.includes(translated)) en.push(translated);
    }),
  );
  return { nb, en };
}
