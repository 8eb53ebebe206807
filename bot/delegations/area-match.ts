import type { AuthorityArea } from './delegation';

/**
 * Free text to authority areas, forgivingly ("har jeg fullmakt til å tilsette?", "Innkjøp",
 * "innkjop", "innkjoep", "hiring"): case, æøå and their ASCII spellings (ae/oe/o, aa/a), the
 * synonyms listed per area, light Norwegian and English endings, and prefixes. Several areas
 * that fit equally well are an ambiguity with choices, never a guess. Pure.
 */
export type AreaMatch =
  | { kind: 'match'; area: AuthorityArea }
  | { kind: 'ambiguous'; choices: { id: string; name: string }[] }
  | { kind: 'none' };

/** At most this many choices are offered (a card has room for a few buttons). */
export const MAX_CHOICES = 6;

/** Longer text is cut before it is matched: a question, not an essay. */
const MAX_TEXT = 200;

/** Words that carry no area: the question around it, in both languages. */
const STOP_WORDS = new Set(
  [
    ...['har', 'jeg', 'eg', 'du', 'vi', 'meg', 'min', 'mine', 'til', 'å', 'kan', 'får', 'om'],
    ...['og', 'i', 'på', 'for', 'av', 'en', 'et', 'ei', 'den', 'det', 'de', 'som', 'med', 'hva'],
    ...['hvem', 'fullmakt', 'fullmakter', 'fullmakta', 'myndighet', 'mynde', 'delegering'],
    ...['deleger', 'delegert', 'bekreft', 'sak', 'saker', 'vedtak'],
    ...['do', 'does', 'have', 'has', 'the', 'a', 'an', 'to', 'of', 'and', 'or', 'in', 'on', 'me'],
    ...['my', 'am', 'is', 'may', 'can', 'what', 'who', 'authority', 'authorised', 'authorized'],
    ...['delegation', 'power', 'powers', 'decision', 'decisions'],
  ].map(fold),
);

/**
 * Lower case; æ → ae, ø/ö → o, å/ä → a and the ASCII spellings oe → o, aa → a, so "økonomi",
 * "okonomi" and "oekonomi" meet; accents and punctuation dropped.
 */
export function fold(text: string): string {
  return text
    .toLowerCase()
    .replace(/æ/g, 'ae')
    .replace(/[øö]/g, 'o')
    .replace(/[åä]/g, 'a')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/oe/g, 'o')
    .replace(/aa/g, 'a')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

const ENDINGS = [
  'ingene',
  'ingen',
  'inger',
  'ing',
  'ene',
  'ers',
  'er',
  'en',
  'et',
  'es',
  'e',
  's',
  'a',
];

/** A light stem: "tilsette", "tilsetting", "tilsettinger" → "tilsett"; "hiring" → "hir". */
export function stem(word: string): string {
  for (const ending of ENDINGS)
    if (word.length - ending.length >= 4 && word.endsWith(ending))
      return word.slice(0, -ending.length);
  return word;
}

function tokens(text: string): string[] {
  return fold(text)
    .split(' ')
    .filter((t) => t.length > 0 && !STOP_WORDS.has(t));
}

/** How well a query word fits a word of the area: 3 same, 2 same stem, 1 a prefix (≥ 3 letters). */
function wordScore(query: string, word: string): number {
  if (query === word) return 3;
  if (stem(query) === stem(word)) return 2;
  if (query.length >= 3 && word.startsWith(query)) return 1;
  // A compound written as one word: "budsjettdisponering" holds "budsjett".
  if (query.length >= 5 && word.includes(query)) return 1;
  return 0;
}

interface Score {
  /** The whole query is one of the area's names or synonyms. */
  exact: boolean;
  /** Query words found in one name or synonym. */
  matched: number;
  /** Sum of the word scores in that name or synonym. */
  weight: number;
  /** The name or synonym is in the asker's language (or is the id): the last tie-breaker. */
  own: boolean;
}

function better(a: Score, b: Score): number {
  if (a.exact !== b.exact) return a.exact ? 1 : -1;
  if (a.matched !== b.matched) return a.matched - b.matched;
  if (a.weight !== b.weight) return a.weight - b.weight;
  return Number(a.own) - Number(b.own);
}

function phrasesOf(area: AuthorityArea, language: 'nb' | 'en'): [string, boolean][] {
  const other = language === 'nb' ? 'en' : 'nb';
  return [
    [area.id.replace(/-/g, ' '), true],
    [area.name[language], true],
    ...area.synonyms[language].map((s): [string, boolean] => [s, true]),
    [area.name[other], false],
    ...area.synonyms[other].map((s): [string, boolean] => [s, false]),
  ];
}

function scoreArea(
  area: AuthorityArea,
  queryText: string,
  query: string[],
  language: 'nb' | 'en',
): Score {
  let best: Score = { exact: false, matched: 0, weight: 0, own: false };
  for (const [phrase, own] of phrasesOf(area, language)) {
    const words = fold(phrase).split(' ').filter(Boolean);
    const score: Score = { exact: fold(phrase) === queryText, matched: 0, weight: 0, own };
    for (const q of query) {
      const w = Math.max(0, ...words.map((word) => wordScore(q, word)));
      if (w > 0) {
        score.matched += 1;
        score.weight += w;
      }
    }
    if (better(score, best) > 0) best = score;
  }
  return best;
}

/** The area the text names, or the equally good candidates, or none. */
export function matchArea(
  areas: readonly AuthorityArea[],
  text: string,
  language: 'nb' | 'en',
): AreaMatch {
  const cut = text.slice(0, MAX_TEXT);
  const query = tokens(cut);
  if (query.length === 0) return { kind: 'none' };
  const queryText = query.join(' ');
  const scored = areas
    .map((area) => ({ area, score: scoreArea(area, queryText, query, language) }))
    .filter((s) => s.score.matched > 0 || s.score.exact)
    .sort((a, b) => better(b.score, a.score) || a.area.id.localeCompare(b.area.id));
  if (scored.length === 0) return { kind: 'none' };
  const top = scored.filter((s) => better(s.score, scored[0].score) === 0);
  if (top.length === 1) return { kind: 'match', area: top[0].area };
  return {
    kind: 'ambiguous',
    choices: top.slice(0, MAX_CHOICES).map((s) => ({ id: s.area.id, name: s.area.name[language] })),
  };
}
