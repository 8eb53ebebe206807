/** Card data is untrusted JSON: a field is a string only if it is one. */
export function stringIn(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/**
 * The longest text a card field may hold: the cards' longest Input.Text on a card action has
 * maxLength 2000, so a longer field was not typed into one of our cards.
 */
export const CARD_TEXT_MAX = 2000;

/**
 * The first string field of card data longer than CARD_TEXT_MAX, checked before any work is
 * done with the data (the body limit only bounds the whole request).
 */
export function oversizedField(data: Record<string, unknown>): string | undefined {
  for (const field in data) {
    const value = data[field];
    if (typeof value === 'string' && value.length > CARD_TEXT_MAX) return field;
  }
  return undefined;
}

/**
 * The revision a card carries: a non-negative safe integer, or the same written in digits
 * (templating keeps numbers, but a card may come back with the digits as a string). Anything
 * else (true, [1], ' 1 ', '0x1', '01', 1.5) is no revision.
 */
export function revisionIn(value: unknown): number | undefined {
  const number =
    typeof value === 'string' && /^(0|[1-9][0-9]{0,15})$/.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isSafeInteger(number) && number >= 0
    ? number
    : undefined;
}

/**
 * A record reference as the server makes them (AVV-2027-0001, AH-2027-vernerunde-1-sentrum):
 * letters, digits and dashes. Anything else never reaches a table key.
 */
export function isRecordReference(value: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9-]{0,119}$/.test(value);
}
