import { createHmac, randomBytes } from 'node:crypto';
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

/**
 * Telemetry must not carry what the logs may not (issue #11, defect 3). Table requests put
 * entity keys in the URL path (`/Deviations(PartitionKey='AVV-2026-0001',RowKey='reporter_<id>')`)
 * and their filters in the query; Bot Connector calls put conversation ids in the path; the
 * calendar feed puts its secret in the path. Every URL-like span attribute and the span name are
 * rewritten before any exporter sees the span: the query is dropped, and every path segment that
 * is not a plain word is replaced by a short hash. The hash is keyed with a secret made at process
 * start, so spans of one process can still be correlated ("the same entity twice") but a hash
 * cannot be checked against a guessed reference or Entra id.
 */

const URL_ATTRIBUTE = /(^|\.)(url|target|path|route)(\.|$)|^url\./;
/** A path segment kept as it is: a word, optionally with one digit (v3, Tables, api, messages). */
const PLAIN_SEGMENT = /^[A-Za-z][A-Za-z_-]{0,39}[0-9]?$/;
/** `Table(PartitionKey='…',RowKey='…')` or `Tables('name')`: keep the table, hide the keys. */
const KEYED_SEGMENT = /^([A-Za-z][A-Za-z0-9]{0,62})\((.*)\)$/s;

export function urlRedactor(key: Buffer = randomBytes(32)): (value: string) => string {
  const hash = (text: string) =>
    `~${createHmac('sha256', key).update(text).digest('hex').slice(0, 10)}`;
  const segment = (part: string): string => {
    if (part === '' || PLAIN_SEGMENT.test(part)) return part;
    const keyed = KEYED_SEGMENT.exec(safeDecode(part));
    if (keyed) return keyed[2] === '' ? `${keyed[1]}()` : `${keyed[1]}(${hash(keyed[2])})`;
    return hash(part);
  };
  return (value) => {
    const match = /^(?<origin>[a-z][a-z0-9+.-]*:\/\/[^/?#]*)?(?<path>[^?#]*)/i.exec(value);
    const origin = match?.groups?.origin ?? '';
    const path = match?.groups?.path ?? '';
    const dropped = value.length > origin.length + path.length ? '?…' : '';
    return origin + path.split('/').map(segment).join('/') + dropped;
  };
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

function looksLikeUrlOrPath(value: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) || value.startsWith('/');
}

/** Rewrites one span in place (attributes and name); exported for the tests. */
export function redactSpan(
  span: { name: string; attributes: Record<string, unknown> },
  redact: (value: string) => string,
): void {
  for (const [name, value] of Object.entries(span.attributes)) {
    if (typeof value !== 'string') continue;
    if (URL_ATTRIBUTE.test(name) || looksLikeUrlOrPath(value))
      span.attributes[name] = redact(value);
  }
  // Span names are usually "GET" or "TableClient.getEntity"; an instrumentation that puts the
  // path in the name ("GET /calendar/<secret>.ics") gets the same treatment.
  span.name = span.name.replace(/(\/|[a-z]+:\/\/)\S*/gi, (url) => redact(url));
}

/**
 * The span processor given to Azure Monitor. It runs before the exporter's batch processor, and
 * rewrites in onEnd because some attributes (the final URL after redirects, the route) are set
 * after the span starts.
 */
export class RedactingSpanProcessor implements SpanProcessor {
  private readonly redact = urlRedactor();

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    redactSpan(
      span as unknown as { name: string; attributes: Record<string, unknown> },
      this.redact,
    );
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
