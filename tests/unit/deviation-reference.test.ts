import {
  formatReference,
  parseReference,
  referenceYear,
} from '../../bot/deviations/deviation-reference';
import { echoedReference } from '../../bot/kernel/reference';

describe('formatReference', () => {
  test.each([
    [1, 'AVV-2026-0001'],
    [42, 'AVV-2026-0042'],
    [999, 'AVV-2026-0999'],
    [9999, 'AVV-2026-9999'],
    [10000, 'AVV-2026-10000'],
    [123456, 'AVV-2026-123456'],
  ])('sequence %d -> %s', (sequence, expected) => {
    expect(formatReference(2026, sequence)).toBe(expected);
  });

  test.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])(
    'sequence %p is refused',
    (sequence) => {
      expect(() => formatReference(2026, sequence)).toThrow(RangeError);
    },
  );
});

describe('parseReference', () => {
  test.each([
    ['AVV-2026-0042', 'AVV-2026-0042', 2026, 42],
    ['avv-2026-0042', 'AVV-2026-0042', 2026, 42],
    ['  Avv-2026-0042 \n', 'AVV-2026-0042', 2026, 42],
    ['AVV-2025-10000', 'AVV-2025-10000', 2025, 10000],
    ['AVV-2026-00042', 'AVV-2026-0042', 2026, 42],
  ])('%j -> %s', (text, ref, year, sequence) => {
    expect(parseReference(text)).toEqual({ ref, year, sequence });
  });

  test.each([
    '',
    '   ',
    'hjelp',
    'AVV-2026-0000',
    'AVV-2026-00000',
    'AVV-2026-42',
    'AVV-26-0042',
    'AVV 2026 0042',
    'AVV-2026-0042x',
    'xAVV-2026-0042',
    'AVV-2026-0042; DROP TABLE',
    'AVV-2026--042',
    'AVV-2026-004.2',
    'AVV-2026-0042\nAVV-2026-0043',
  ])('%j is not a reference', (text) => {
    expect(parseReference(text)).toBeUndefined();
  });

  test('every formatted reference parses back to itself', () => {
    for (const sequence of [1, 9, 10, 99, 100, 9999, 10000, 99999, 123456789]) {
      const ref = formatReference(2026, sequence);
      expect(parseReference(ref)).toEqual({ ref, year: 2026, sequence });
      expect(parseReference(ref.toLowerCase())?.ref).toBe(ref);
    }
  });
});

describe('referenceYear (Europe/Oslo)', () => {
  test.each([
    ['2025-12-31T22:59:59Z', 2025], // 23:59:59 in Oslo
    ['2025-12-31T23:00:00Z', 2026], // midnight in Oslo
    ['2025-12-31T23:30:00Z', 2026],
    ['2026-01-01T00:30:00Z', 2026],
    ['2026-06-15T12:00:00Z', 2026],
  ])('%s -> %d', (iso, year) => {
    expect(referenceYear(new Date(iso))).toBe(year);
  });
});

describe('a text that is no reference', () => {
  test('longer than 40 characters it is refused before parsing, whatever it holds', () => {
    expect(parseReference(`AVV-2026-${'1'.repeat(32)}`)).toBeUndefined();
    expect(parseReference(`${' '.repeat(40)}AVV-2026-0042`)).toBeUndefined();
    expect(parseReference(`  AVV-2026-0042  `)?.ref).toBe('AVV-2026-0042');
  });

  test.each([
    ['a slash', 'AVV-2026-0001/x', 'AVV-2026-0001/x'],
    ['surrounding space', '  avv 17  ', 'avv 17'],
    ['5000 characters', 'x'.repeat(5000), `${'x'.repeat(20)}…`],
    ['a Markdown link', '[klikk](https://ev)', '\uFFFDklikk\uFFFD\uFFFDhttps://ev\uFFFD'],
    ['Markdown emphasis', '**AVV**#_1', '\uFFFD\uFFFDAVV\uFFFD\uFFFD\uFFFD\uFFFD1'],
    ['a right-to-left override', 'AVV\u202E1000', 'AVV\uFFFD1000'],
    ['NUL and a zero-width space', 'A\u0000B\u200BC', 'A\uFFFDB\uFFFDC'],
    ['a lone surrogate', '\uD800AVV', '\uFFFDAVV'],
    ['an emoji', 'Ærlig 😀', 'Ærlig \uFFFD'],
  ])('with %s it is shown back as a short, safe prefix', (_case, text, shown) => {
    expect(echoedReference(text)).toBe(shown);
  });
});
