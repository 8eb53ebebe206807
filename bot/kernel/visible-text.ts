/**
 * A character a reader can see: anything but control and format characters (zero-width
 * spaces and joiners, direction marks, BOM), lone surrogates, spaces of every kind, combining
 * marks (they show only on a letter, which then counts) and the other default-ignorable code
 * points (Hangul fillers, variation selectors).
 */
const VISIBLE = /[^\p{Cc}\p{Cf}\p{Cs}\p{Z}\p{M}\p{Default_Ignorable_Code_Point}]/u;

/**
 * True when a text shows at least one visible character. A required text (a close cause, a
 * measure, a help request) must pass this, not just trim(): U+200B survives trim().
 */
export function hasVisibleText(text: string): boolean {
  return VISIBLE.test(text);
}
