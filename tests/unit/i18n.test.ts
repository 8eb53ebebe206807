import { en } from '../../bot/i18n/en';
import { nb } from '../../bot/i18n/nb';
import * as i18n from '../../bot/i18n';
import { fill, languageOf, strings } from '../../bot/i18n';

// BOT_LANGUAGE may force one language for everybody; these tests are about the Teams locale.
const setOverride = (
  i18n as unknown as { setLanguageOverride?: (l: 'nb' | 'en' | undefined) => void }
).setLanguageOverride;
beforeEach(() => setOverride?.(undefined));
afterAll(() => setOverride?.(undefined));

/** Every leaf as [path, value]; array items are indexed so both languages must have the same shape. */
function leaves(value: unknown, path = ''): [string, unknown][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, `${path}[${i}]`));
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => leaves(v, path ? `${path}.${k}` : k));
  return [[path, value]];
}

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('i18n: nb and en', () => {
  const nbLeaves = new Map(leaves(nb));
  const enLeaves = new Map(leaves(en));

  test('have exactly the same keys, deep', () => {
    expect([...enLeaves.keys()].sort()).toEqual([...nbLeaves.keys()].sort());
    expect(nbLeaves.size).toBeGreaterThan(100);
  });

  test.each([
    ['nb', nb],
    ['en', en],
  ] as const)('%s has no empty or non-string texts', (_lang, table) => {
    for (const [path, value] of leaves(table)) {
      expect({ path, type: typeof value }).toEqual({ path, type: 'string' });
      expect({ path, empty: (value as string).trim() === '' }).toEqual({ path, empty: false });
    }
  });

  test('each text uses the same {placeholders} in both languages', () => {
    for (const [path, value] of nbLeaves) {
      expect({ path, placeholders: placeholders(String(enLeaves.get(path))) }).toEqual({
        path,
        placeholders: placeholders(String(value)),
      });
    }
  });

  test('the two languages are really translated (most texts differ)', () => {
    const same = [...nbLeaves].filter(([path, value]) => enLeaves.get(path) === value).length;
    expect(same / nbLeaves.size).toBeLessThan(0.1);
  });
});

describe('languageOf', () => {
  test.each([
    ['en-US', 'en'],
    ['en-GB', 'en'],
    ['en', 'en'],
    ['EN-us', 'en'],
    ['nb-NO', 'nb'],
    ['nn-NO', 'nb'],
    ['no', 'nb'],
    ['sv-SE', 'nb'],
    ['eng', 'nb'],
    ['', 'nb'],
    [undefined, 'nb'],
  ])('%p -> %s', (locale, expected) => {
    expect(languageOf(locale)).toBe(expected);
  });

  (setOverride ? test : test.skip)(
    'BOT_LANGUAGE override wins over the locale, and can be cleared',
    () => {
      setOverride!('en');
      expect(languageOf('nb-NO')).toBe('en');
      setOverride!('nb');
      expect(languageOf('en-US')).toBe('nb');
      setOverride!(undefined);
      expect(languageOf('en-US')).toBe('en');
    },
  );

  test('strings() returns the table for the language', () => {
    expect(strings('en')).toBe(en);
    expect(strings('nb')).toBe(nb);
  });
});

describe('fill', () => {
  test('fills known placeholders, leaves unknown ones, and never evaluates values', () => {
    expect(fill('{a} og {b} og {c}', { a: 1, b: '${1+1}' })).toBe('1 og ${1+1} og {c}');
    expect(fill('{a}', { a: '{b}', b: 'x' })).toBe('{b}');
  });
});

describe('dates on cards', () => {
  // Teams renders FactSet and TextBlock text as Markdown: "27. nov. 2026" would become a list.
  const { formatDate, formatDateTime } = jest.requireActual(
    '../../bot/i18n',
  ) as typeof import('../../bot/i18n');
  test.each(['2026-11-27', '2026-01-01', '2026-12-31T23:30:00Z'])(
    '%s never starts like a Markdown list',
    (value) => {
      for (const language of ['nb', 'en'] as const) {
        expect(formatDate(value, language)).not.toMatch(/^\d+\.\s/);
        expect(
          formatDateTime(value.includes('T') ? value : `${value}T08:00:00Z`, language),
        ).not.toMatch(/^\d+\.\s/);
      }
    },
  );
  test('bokmål dates are numeric day.month.year in Oslo time', () => {
    expect(formatDate('2026-11-27', 'nb')).toBe('27.11.2026');
    expect(formatDateTime('2026-12-31T23:30:00Z', 'nb')).toBe('01.01.2027, 00:30');
  });
});
