import { CHANNEL_COMMANDS } from '../../bot/teams/routes/channels';
import { COMMANDS } from '../../bot/teams/routes/commands';

/**
 * Typed commands are matched in linear time: a message is trimmed and capped before any
 * pattern sees it. The old `\s*[.!]?\s*$` tail took over a second on 28 kB of spaces, and the
 * whole bot waited meanwhile.
 */
const EVERY = { ...COMMANDS, ...CHANNEL_COMMANDS };

describe('long messages of spaces and dots are matched at once, by every command', () => {
  const kB28 = 28_000;
  const MB1 = 1_000_000;
  test.each([
    ['28 kB: avvik, spaces, two dots', 300, `avvik${' '.repeat(kB28)}..`],
    ['28 kB: hjelp, spaces, a dot and a letter', 300, `hjelp${' '.repeat(kB28)}.x`],
    ['28 kB: abonnementer, spaces, a letter', 300, `abonnementer${' '.repeat(kB28)}x`],
    ['28 kB: spaces and dots', 300, ' .'.repeat(kB28 / 2)],
    ['1 MB: meld avvik, spaces, two dots', 300, `meld avvik${' '.repeat(MB1)}..`],
    ['1 MB: dots and spaces after historikk', 300, `historikk${'. '.repeat(MB1 / 2)}`],
    ['1 MB: spaces, then hjelp', 300, `${' '.repeat(MB1)}hjelp`],
  ])('%s (under %i ms each)', (_case, limitMs, text) => {
    for (const [name, command] of Object.entries(EVERY)) {
      const started = performance.now();
      command.test(text);
      command.argument(text);
      const ms = performance.now() - started;
      // Reads "report: 1413 ms" when it fails.
      expect(`${name}: ${ms < limitMs ? 'fast' : `${Math.round(ms)} ms`}`).toBe(`${name}: fast`);
    }
  });
});

/** Which commands a text reaches. */
const handled = (text: string) =>
  Object.entries(EVERY)
    .filter(([, command]) => command.test(text))
    .map(([name]) => name);

describe('the commands still read as before', () => {
  test.each([
    ['meld avvik', 'report'],
    ['  Meld avvik!  ', 'report'],
    ['avvik .', 'report'],
    ['Report a deviation.', 'report'],
    ['mine avvik', 'mine'],
    ['ÅPNE AVVIK', 'open'],
    ['hjelp', 'help'],
    ['?', 'help'],
    ['historikk AVV-2026-0001', 'history'],
    ['history', 'history'],
    ['abonnementer?', 'list'],
    ['abonner Heim skole', 'subscribe'],
    ['avslutt  abonnementet', 'unsubscribe'],
  ])('%j reaches %s only', (text, command) => {
    expect(handled(text)).toEqual([command]);
  });

  test.each([
    'meld avvikene mine til noen',
    'hjelpepleier',
    'historikken',
    'meld  avvik',
    'avvik..',
    '',
    '   ',
    `abonner ${'x'.repeat(2000)}`,
  ])('%j reaches none', (text) => {
    expect(handled(text)).toEqual([]);
  });

  test('the argument of historikk and abonner is what follows the word, trimmed', () => {
    expect(COMMANDS.history.argument('  historikk   avv-2026-0001 ')).toBe('avv-2026-0001');
    expect(COMMANDS.history.argument('historikk')).toBe('');
    expect(COMMANDS.history.argument('hjelp')).toBeUndefined();
    expect(CHANNEL_COMMANDS.subscribe.argument('abonner\nHeim skole, Sentrum')).toBe(
      'Heim skole, Sentrum',
    );
    expect(CHANNEL_COMMANDS.unsubscribe.argument('avslutt abonnement Heim')).toBe('Heim');
  });
});
