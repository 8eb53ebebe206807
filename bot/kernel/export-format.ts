/**
 * What every published document shares (the delegeringsreglement, the vedtak report): text that
 * is safe in HTML, and CSV a Norwegian spreadsheet opens correctly and never runs as a formula.
 */

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text as HTML text or attribute value: & < > " ' escaped. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** A CSV cell: quoted when needed, and never a formula for a spreadsheet (=, +, -, @ first). */
export function csvCell(value: string | number | boolean | undefined): string {
  let text = value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",;\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export interface CsvOptions {
  /** `;` (the default) is what a Norwegian spreadsheet expects. */
  separator?: ';' | ',';
  /** A byte-order mark so that Excel reads æøå; `false` for other programs. */
  bom?: boolean;
}

/** Header and rows as one CSV document: CRLF line ends, UTF-8 with a byte-order mark by default. */
export function csvDocument(
  header: readonly string[],
  rows: readonly (readonly (string | number | boolean | undefined)[])[],
  options: CsvOptions = {},
): string {
  const separator = options.separator ?? ';';
  const lines = [header.join(separator), ...rows.map((r) => r.map(csvCell).join(separator))];
  return `${options.bom === false ? '' : '\uFEFF'}${lines.join('\r\n')}\r\n`;
}
