import fs from 'node:fs';
import path from 'node:path';
import * as ACData from 'adaptivecards-templating';

/**
 * Card templates are JSON files in cards/<feature>/<name>.json. Each is expanded exactly once
 * with data: user text is bound as data and never becomes part of a template, so `${1+1}`
 * typed by a user stays literal.
 */
export type Card = Record<string, unknown>;

function findCardsFolder(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'cards');
    if (fs.existsSync(path.join(candidate, 'common'))) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error('cards/ folder not found');
}

const cardsFolder = findCardsFolder();
const templates = new Map<string, ACData.Template>();

export function cardTemplatePath(name: string): string {
  return path.join(cardsFolder, `${name}.json`);
}

export function listCardTemplates(): string[] {
  return fs
    .readdirSync(cardsFolder, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      fs
        .readdirSync(path.join(cardsFolder, d.name))
        .filter((f) => f.endsWith('.json'))
        .map((f) => `${d.name}/${f.slice(0, -5)}`),
    );
}

/** Expands cards/<name>.json with the data; the result is a plain Adaptive Card object. */
export function renderCard(name: string, data: object): Card {
  let template = templates.get(name);
  if (!template) {
    template = new ACData.Template(JSON.parse(fs.readFileSync(cardTemplatePath(name), 'utf8')));
    templates.set(name, template);
  }
  return template.expand({ $root: data }) as Card;
}

/**
 * User text shown in a TextBlock or FactSet, where Teams renders Markdown: a link written as
 * [text](url) would hide where it leads, so a zero-width space breaks the syntax. The text
 * reads the same; bare URLs still show in full.
 */
export function asShownText(text: string): string {
  return text.replace(/\]\s*\(/g, ']\u200B(');
}

/** A short message card: refusals that cannot show the case, hints, errors. */
export function notice(text: string, title = '', color = 'Attention'): Card {
  return renderCard('common/notice', { title, text, color });
}
