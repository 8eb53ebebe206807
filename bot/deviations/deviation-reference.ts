import * as references from '../kernel/reference';

/** Deviation references: AVV-2026-0042. */
export const DEVIATION_PREFIX = 'AVV';

export const referenceYear = references.referenceYear;

export function formatReference(year: number, sequence: number): string {
  return references.formatReference(DEVIATION_PREFIX, year, sequence);
}

/** Accepts the reference in any case and with surrounding space; undefined when it is not one. */
export function parseReference(text: string) {
  return references.parseReference(DEVIATION_PREFIX, text);
}
