import { AsyncLocalStorage } from 'node:async_hooks';
import pino from 'pino';

/** The activity being handled, so every log line of a turn carries its correlation id. */
export const logScope = new AsyncLocalStorage<{ correlationId: string }>();

/**
 * Structured JSON logs. Rule: ids only (opaque user ids, references, correlation ids), never
 * message text, deviation content or names: deviation texts can hold health data. The redact
 * list is a second line of defence, not a licence.
 */
export const log = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info'),
  base: { service: 'internkontroll-bot' },
  mixin: () => {
    const scope = logScope.getStore();
    return scope ? { correlationId: scope.correlationId } : {};
  },
  redact: {
    paths: [
      'text',
      '*.text',
      'description',
      '*.description',
      'reporterName',
      '*.reporterName',
      'value',
      '*.value',
    ],
    remove: true,
  },
});
