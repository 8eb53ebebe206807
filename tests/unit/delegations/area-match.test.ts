import fc from 'fast-check';
import { fold, matchArea, stem } from '../../../bot/delegations/area-match';
import { demoAuthorityFile } from './demo-register';

/** Free text to authority areas: synonyms, case, æøå and their spellings, prefixes, ambiguity. */
const areas = demoAuthorityFile().areas;
const match = (text: string, language: 'nb' | 'en' = 'nb') => {
  const result = matchArea(areas, text, language);
  return result.kind === 'match' ? result.area.id : result;
};

describe('matchArea', () => {
  it('finds the area in a whole question', () => {
    expect(match('Har jeg fullmakt til å tilsette?')).toBe('tilsetting');
    expect(match('har jeg fullmakt til å innvilge permisjon')).toBe('permisjon');
    expect(match('fullmakt byggesak')).toBe('byggesak');
    expect(match('Do I have authority to hire?', 'en')).toBe('tilsetting');
  });

  it('knows the synonyms listed per area, in both languages', () => {
    expect(match('ansette')).toBe('tilsetting');
    expect(match('Ansettelser')).toBe('tilsetting');
    expect(match('rekruttering')).toBe('tilsetting');
    expect(match('sykehjemsplass')).toBe('helse-omsorgstjenester');
    expect(match('spesialundervisning')).toBe('tilrettelagt-opplaering');
    expect(match('nursing home', 'en')).toBe('helse-omsorgstjenester');
    expect(match('leave of absence', 'en')).toBe('permisjon');
  });

  it('folds case, æøå and their ASCII spellings', () => {
    for (const text of ['Økonomiplan', 'ØKONOMIPLAN', 'okonomiplan', 'oekonomiplan'])
      expect(match(text)).toBe('arsbudsjett');
    for (const text of ['byggesøknad', 'BYGGESOKNAD', 'byggesoeknad'])
      expect(match(text)).toBe('byggesak');
    expect(match('årsbudsjett')).toBe('arsbudsjett');
    expect(match('aarsbudsjett')).toBe('arsbudsjett');
    expect(match('arsbudsjett')).toBe('arsbudsjett');
    expect(fold('Æ Ø Å é')).toBe('ae o a e');
  });

  it('takes word endings and prefixes', () => {
    expect(stem('tilsetting')).toBe(stem('tilsette'));
    expect(match('tilsettingen')).toBe('tilsetting');
    expect(match('permis')).toBe('permisjon');
    expect(match('attest')).toBe('attestasjon');
    expect(match('kjøpe inn en vaskemaskin')).toBe('innkjop');
  });

  it('offers choices when several areas fit equally well', () => {
    expect(match('budsjett')).toEqual({
      kind: 'ambiguous',
      choices: [
        { id: 'arsbudsjett', name: 'Vedta årsbudsjett og økonomiplan' },
        { id: 'budsjettdisponering', name: 'Disponering av budsjett' },
      ],
    });
    expect(match('innkjøp')).toEqual({
      kind: 'ambiguous',
      choices: [
        { id: 'innkjop', name: 'Innkjøp inntil nasjonal terskelverdi' },
        { id: 'innkjop-eos', name: 'Innkjøp inntil EØS-terskelverdi (varer og tjenester)' },
      ],
    });
    expect(match('procurement', 'en')).toEqual({
      kind: 'ambiguous',
      choices: [
        { id: 'innkjop', name: 'Purchasing up to the national threshold' },
        { id: 'innkjop-eos', name: 'Purchasing up to the EEA threshold (goods and services)' },
      ],
    });
    expect(match('attestasjon og anvisning')).toMatchObject({ kind: 'ambiguous' });
  });

  it('takes the area that fits more of the words', () => {
    expect(match('innkjøp under nasjonal terskelverdi')).toBe('innkjop');
    expect(match('innkjøp EØS')).toBe('innkjop-eos');
  });

  it('says none for text that names no area', () => {
    expect(match('')).toEqual({ kind: 'none' });
    expect(match('har jeg fullmakt til?')).toEqual({ kind: 'none' });
    expect(match('xylofon')).toEqual({ kind: 'none' });
  });

  it('finds every area by its own name, however it is cased or spelt (property)', () => {
    const spellings = (name: string) =>
      fc.tuple(fc.boolean(), fc.boolean()).map(([upper, ascii]) => {
        let text = upper ? name.toUpperCase() : name.toLowerCase();
        if (ascii) text = text.replace(/[øØ]/g, 'oe').replace(/[åÅ]/g, 'aa').replace(/[æÆ]/g, 'ae');
        return text;
      });
    fc.assert(
      fc.property(
        fc
          .constantFrom(...areas)
          .chain((area) =>
            fc
              .tuple(fc.constant(area), fc.constantFrom<'nb' | 'en'>('nb', 'en'))
              .chain(([a, language]) =>
                fc.tuple(fc.constant(a), fc.constant(language), spellings(a.name[language])),
              ),
          ),
        ([area, language, text]) => {
          const result = matchArea(areas, text, language);
          if (result.kind === 'match') expect(result.area.id).toBe(area.id);
          else {
            expect(result.kind).toBe('ambiguous');
            expect(result.kind === 'ambiguous' && result.choices.map((c) => c.id)).toContain(
              area.id,
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
