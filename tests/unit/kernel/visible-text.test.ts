import { hasVisibleText } from '../../../bot/kernel/visible-text';

describe('hasVisibleText: a required text must show something', () => {
  test.each([
    ['a letter', 'a'],
    ['a word among zero-width characters', '\u200bok\u200d'],
    ['a letter with combining marks', 'e\u0301\u0302'],
    ['an emoji', '\ud83d\udea8'],
    ['a ZWJ emoji sequence', '\ud83d\udc69\u200d\ud83d\ude92'],
    ['digits', '42'],
    ['punctuation', '.'],
    ['reversed text', '\u202eesrever'],
    ['Norwegian letters', 'Æøå'],
  ])('%s is visible', (_name, text) => {
    expect(hasVisibleText(text)).toBe(true);
  });

  test.each([
    ['nothing', ''],
    ['spaces, tabs and newlines', ' \t\n\r '],
    ['zero-width space, joiner and word joiner', '\u200b\u200d\u2060'],
    ['BOM', '\ufeff'],
    ['direction marks', '\u202e\u202c\u200e\u200f'],
    ['no-break and ideographic spaces', '\u00a0\u3000\u2007'],
    ['combining marks with no letter', '\u0301\u0302\u0303'],
    ['a soft hyphen', '\u00ad'],
    ['Hangul fillers', '\u3164\u115f\uffa0'],
    ['control characters', '\u0000\u0001\u007f\u0085'],
    ['a lone surrogate', '\ud800'],
    ['a variation selector', '\ufe0f'],
  ])('%s is not', (_name, text) => {
    expect(hasVisibleText(text)).toBe(false);
  });
});
