import { z } from 'zod';

/**
 * What the files a municipality maintains (the organisation, the årshjul, …) share: ids that
 * may become Azure Table keys, and errors that name the entry and the field.
 */

/** An id that may become part of a table key: Azure Tables forbid / \ # ? and control characters. */
export const keySafeId = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(
    /^[^/\\#?\u0000-\u001f\u007f-\u009f]+$/,
    'must not contain / \\ # ? or control characters',
  );

/**
 * Where in a file an error is: `activities[3] (id "tertialrapport").recurrence.dates[1]`,
 * `units[0] (id "radmann").parentId`, `elections.firstYear`, or `(file)`. An entry of a
 * top-level list is named by its id when it has one.
 */
export function describePath(json: unknown, path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(file)';
  let text = '';
  path.forEach((segment, i) => {
    if (typeof segment === 'number') {
      text += `[${segment}]`;
      if (i === 1) text += idLabel(json, String(path[0]), segment);
    } else text += (i === 0 ? '' : '.') + String(segment);
  });
  return text;
}

function idLabel(json: unknown, list: string, index: number): string {
  const entries = (json as Record<string, unknown> | null)?.[list];
  const entry: unknown = Array.isArray(entries) ? entries[index] : undefined;
  const id = (entry as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? ` (id "${id}")` : '';
}

/** Every issue of a failed parse as `<where>: <message>`. */
export function issuesOf(error: z.ZodError, json: unknown): string[] {
  return error.issues.map((issue) => `${describePath(json, issue.path)}: ${issue.message}`);
}
