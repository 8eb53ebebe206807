/**
 * Human references such as AVV-2026-0042 or OPG-2026-0007: a prefix per record kind, the year
 * (Europe/Oslo) and a per-year sequence of at least four digits.
 */
export function formatReference(prefix: string, year: number, sequence: number): string {
  if (!Number.isInteger(sequence) || sequence < 1) throw new RangeError(`bad sequence ${sequence}`);
  return `${prefix}-${year}-${String(sequence).padStart(4, '0')}`;
}

/** Longer text is no reference: refused before it is parsed, let alone sent to the store. */
const MAX_REFERENCE_TEXT = 40;
/** How much of a text that is no reference is shown back to the user. */
const ECHO_LENGTH = 20;

/** Accepts the reference in any case and with surrounding space; undefined when it is not one. */
export function parseReference(
  prefix: string,
  text: string,
): { ref: string; year: number; sequence: number } | undefined {
  if (text.length > MAX_REFERENCE_TEXT) return undefined;
  const match = /^([A-Z]+)-(\d{4})-(\d{4,9})$/.exec(text.trim().toUpperCase());
  if (!match || match[1] !== prefix) return undefined;
  const year = Number(match[2]);
  const sequence = Number(match[3]);
  if (sequence < 1) return undefined;
  return { ref: formatReference(prefix, year, sequence), year, sequence };
}

/**
 * A text that is no reference, as it may be shown back: a short prefix in which anything but
 * letters, digits, spaces and . : / ? - (Markdown, control and direction marks) is replaced.
 */
export function echoedReference(text: string): string {
  const start = text
    .trimStart()
    .slice(0, 4 * ECHO_LENGTH)
    .trimEnd();
  const chars = [...start];
  const shown = chars
    .slice(0, ECHO_LENGTH)
    .map((c) => (/^[\p{L}\p{N} .:/?-]$/u.test(c) ? c : '\uFFFD'))
    .join('');
  return chars.length > ECHO_LENGTH ? `${shown}…` : shown;
}

/** The year a reference is numbered in: Europe/Oslo, so a report at 00:30 on 1 January counts in the new year. */
export function referenceYear(now: Date): number {
  return Number(OSLO_YEAR.format(now));
}

const OSLO_YEAR = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Oslo', year: 'numeric' });

/** Hands out the next reference of a kind; unique across instances. */
export interface ReferenceCounter {
  next(now: Date): Promise<string>;
}
