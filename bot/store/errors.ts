/**
 * What the table service said, as typed guards in one place. @azure/data-tables puts the HTTP
 * status in `statusCode` (the service code is in `details.odataError.code`; `code` is unset).
 */
export function statusOf(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null && 'statusCode' in err
    ? (err as { statusCode?: number }).statusCode
    : undefined;
}

/** 409: the entity (or table) exists already. */
export const isConflict = (err: unknown): boolean => statusOf(err) === 409;

/** 412: the etag is stale; somebody wrote since we read. */
export const isPreconditionFailed = (err: unknown): boolean => statusOf(err) === 412;

export const isNotFound = (err: unknown): boolean => statusOf(err) === 404;

/** 412 or 409: somebody else wrote first. */
export const isWriteConflict = (err: unknown): boolean =>
  isConflict(err) || isPreconditionFailed(err);

/** For deletes and reads where "already gone" is the wanted outcome. */
export async function unlessNotFound<T>(work: Promise<T>): Promise<T | undefined> {
  try {
    return await work;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}
