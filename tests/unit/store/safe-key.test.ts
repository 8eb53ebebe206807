import { safeKey } from '../../../bot/store/tables';

describe('safeKey: any string becomes a valid table key', () => {
  test('well-formed text keeps the key it always had (existing rows keep their keys)', () => {
    for (const text of [
      'AVV-2027-0001',
      '29:1abc-def_GHI',
      '19:team@thread.tacv2',
      "a/b\\c#d?e\tf\ng !'()* %",
      'Blåbær 🚨 \u202e\u200b',
      '',
    ]) {
      const legacy = encodeURIComponent(text).replace(
        /[!'()*]/g,
        (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase(),
      );
      expect(safeKey(text)).toBe(legacy);
    }
  });

  test('a lone surrogate is encoded, not thrown on', () => {
    expect(() => encodeURIComponent('\ud800')).toThrow(URIError);
    expect(safeKey('\ud800')).toBe('%uD800');
    expect(safeKey('29:\udc00x')).toBe('29%3A%uDC00x');
    expect(safeKey('a\ud83d')).toBe('a%uD83D');
    // A pair is a character; its halves alone are not.
    expect(safeKey('\ud83d\udea8')).toBe('%F0%9F%9A%A8');
    expect(safeKey('\udea8\ud83d')).toBe('%uDEA8%uD83D');
    expect(safeKey('\ud83d\ud83d\udea8')).toBe('%uD83D%F0%9F%9A%A8');
  });

  test('no two values share a key, and no key holds a character tables refuse', () => {
    const values = ['\ud800', '\ufffd', '%uD800', '\udc00', '\ud800\udc00', '\ud800 ', ' \ud800'];
    const keys = values.map(safeKey);
    expect(new Set(keys).size).toBe(values.length);
    // eslint-disable-next-line no-control-regex
    for (const key of keys) expect(key).not.toMatch(/[/\\#?\u0000-\u001f\u007f-\u009f]/);
  });
});
