/**
 * Every list a card shows is cut into pages: a card never carries more rows than one page,
 * however many there are. A page number from card data is untrusted: anything that is not a
 * number gives the first page, one past the end the last.
 */
export interface Page<T> {
  rows: T[];
  /** 1-based, always within 1…pages. */
  page: number;
  pages: number;
  /** How many rows the whole list has. */
  total: number;
}

export function pageOf<T>(rows: readonly T[], requested: unknown, size: number): Page<T> {
  const pages = Math.max(1, Math.ceil(rows.length / size));
  const asked = Math.trunc(Number(requested));
  const page = Number.isFinite(asked) ? Math.min(Math.max(1, asked), pages) : 1;
  return { rows: rows.slice((page - 1) * size, page * size), page, pages, total: rows.length };
}
