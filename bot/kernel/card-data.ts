/** Card data is untrusted JSON: a field is a string only if it is one. */
export function stringIn(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
