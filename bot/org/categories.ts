/**
 * The deviation category catalogue. It belongs to the organisation file (a municipality names
 * its own categories), so it lives with the organisation and features read it from there.
 */
export interface Category {
  id: string;
  nb: string;
  en: string;
}

/** Default catalogue (domain.md); a municipality replaces it in its organisation file. */
export const DEFAULT_CATEGORIES: Category[] = [
  {
    id: 'hms',
    nb: 'HMS (inkl. vold og trusler)',
    en: 'Health, safety and environment (incl. violence and threats)',
  },
  {
    id: 'tjenestekvalitet',
    nb: 'Tjenestekvalitet / brukersikkerhet',
    en: 'Service quality / user safety',
  },
  {
    id: 'informasjonssikkerhet',
    nb: 'Informasjonssikkerhet og personvern',
    en: 'Information security and privacy',
  },
  { id: 'okonomi', nb: 'Økonomi', en: 'Finance' },
  {
    id: 'regelbrudd',
    nb: 'Brudd på lov, forskrift eller rutine',
    en: 'Breach of law, regulation or routine',
  },
  { id: 'miljo', nb: 'Miljø', en: 'Environment' },
  // Findings from revisjon and tilsyn (statsforvalteren) are deviations too (domain.md).
  { id: 'tilsyn', nb: 'Funn fra revisjon eller tilsyn', en: 'Finding from audit or inspection' },
];
