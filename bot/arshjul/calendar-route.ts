import { isFeedSecret, type FeedSecrets } from './feed-secrets';

/**
 * `GET /calendar/<secret>.ics`, free of any HTTP framework (bot/teams/server.ts mounts it).
 * A malformed path, an unknown or rotated secret and a feed that no longer exists all get the
 * same 404, so the answer tells nothing about which secrets exist. Nothing here logs: the
 * secret is the credential and must not reach a log.
 */
export interface CalendarAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface CalendarRouteDeps {
  secrets: FeedSecrets;
  /** The feed's iCalendar text, or undefined when it no longer exists (a removed unit). */
  render(feedId: string): Promise<string | undefined>;
}

const FILE = /^([A-Za-z0-9_-]{43})\.ics$/;

const NOT_FOUND: CalendarAnswer = {
  status: 404,
  headers: {
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  },
  body: 'Not found',
};

/** `path` is the last segment, `<secret>.ics`. Store errors are thrown (the server answers 503). */
export async function serveCalendar(
  path: string,
  deps: CalendarRouteDeps,
): Promise<CalendarAnswer> {
  const secret = FILE.exec(path)?.[1];
  if (!secret || !isFeedSecret(secret)) return notFound();
  const feedId = await deps.secrets.feedFor(secret);
  if (!feedId) return notFound();
  const body = await deps.render(feedId);
  if (body === undefined) return notFound();
  return {
    status: 200,
    headers: {
      'Content-Type': 'text/calendar; charset=utf-8',
      // Per subscriber (the link is a credential): no shared caches.
      'Cache-Control': 'private, max-age=900',
      'Content-Disposition': 'inline; filename="arshjul.ics"',
      'X-Content-Type-Options': 'nosniff',
    },
    body,
  };
}

function notFound(): CalendarAnswer {
  return { ...NOT_FOUND, headers: { ...NOT_FOUND.headers } };
}
