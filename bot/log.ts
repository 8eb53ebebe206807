import pino from 'pino';

/**
 * Structured JSON logs. Rule: ids only (opaque user ids, references, correlation ids), never
 * message text, deviation content or names: deviation texts can hold health data.
 */
export const log = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info'),
  base: { service: 'internkontroll-bot' },
  redact: { paths: ['text', '*.text', 'description', '*.description', 'value'], remove: true },
});

export type Logger = typeof log;
