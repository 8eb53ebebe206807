/** Human references such as AVV-2026-0042: per-year sequence, at least four digits. */

const PATTERN = /^AVV-(\d{4})-(\d{4,9})$/;

export function formatReference(year: number, sequence: number): string {
  if (!Number.isInteger(sequence) || sequence < 1) throw new RangeError(`bad sequence ${sequence}`);
  return `AVV-${year}-${String(sequence).padStart(4, '0')}`;
}

/** Accepts the reference in any case and with surrounding space; undefined when it is not one. */
export function parseReference(
  text: string,
): { ref: string; year: number; sequence: number } | undefined {
  const match = PATTERN.exec(text.trim().toUpperCase());
  if (!match) return undefined;
  const year = Number(match[1]);
  const sequence = Number(match[2]);
  if (sequence < 1) return undefined;
  return { ref: formatReference(year, sequence), year, sequence };
}

/** The year a reference is numbered in: Europe/Oslo, so a report at 00:30 on 1 January counts in the new year. */
export function referenceYear(now: Date): number {
  return Number(
    new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Oslo', year: 'numeric' }).format(now),
  );
}
