import { isValidCron, nextRun } from '../../../bot/time/schedule';

const run = (cron: string, after: string, timezone?: string) =>
  nextRun(cron, new Date(after), timezone).toISOString();

describe('nextRun', () => {
  test.each([
    // Monday 08:00 Oslo, the week before and the week after spring forward (2026-03-29).
    ['2026-03-20T12:00:00.000Z', '2026-03-23T07:00:00.000Z'], // 08:00 CET
    ['2026-03-23T07:00:00.000Z', '2026-03-30T06:00:00.000Z'], // 08:00 CEST
    ['2026-03-28T23:30:00.000Z', '2026-03-30T06:00:00.000Z'], // from inside the change night
    // And around fall back (2026-10-25).
    ['2026-10-16T12:00:00.000Z', '2026-10-19T06:00:00.000Z'], // 08:00 CEST
    ['2026-10-19T06:00:00.000Z', '2026-10-26T07:00:00.000Z'], // 08:00 CET
    ['2026-10-25T00:30:00.000Z', '2026-10-26T07:00:00.000Z'], // from inside the repeated hour
  ])("'0 8 * * 1' after %s is %s", (after, next) => {
    expect(run('0 8 * * 1', after)).toBe(next);
  });

  test('is strictly after the given instant, to the millisecond', () => {
    expect(run('0 8 * * 1', '2026-03-23T06:59:59.999Z')).toBe('2026-03-23T07:00:00.000Z');
    expect(run('0 8 * * 1', '2026-03-23T07:00:00.000Z')).toBe('2026-03-30T06:00:00.000Z');
    expect(run('0 8 * * 1', '2026-03-23T07:00:00.001Z')).toBe('2026-03-30T06:00:00.000Z');
  });

  test('another timezone reads the pattern in its own wall-clock time', () => {
    expect(run('0 8 * * 1', '2026-03-20T12:00:00.000Z', 'UTC')).toBe('2026-03-23T08:00:00.000Z');
  });

  test('returns a plain Date that is not shared with croner', () => {
    const next = nextRun('0 8 * * 1', new Date('2026-03-20T12:00:00.000Z'));
    expect(next).toBeInstanceOf(Date);
    expect(Object.getPrototypeOf(next)).toBe(Date.prototype);
  });

  test.each(['bogus', '', '61 * * * *', '0 8 * * 8', '0 25 * * *', '* * * * * * * *'])(
    "an invalid pattern '%s' throws a clear error",
    (pattern) => {
      expect(() => nextRun(pattern, new Date('2026-01-01T00:00:00.000Z'))).toThrow(
        `Invalid cron pattern '${pattern}'`,
      );
    },
  );

  test('a pattern that never runs and an unknown timezone throw', () => {
    const after = new Date('2026-01-01T00:00:00.000Z');
    expect(() => nextRun('0 0 30 2 *', after)).toThrow('never runs');
    expect(() => nextRun('0 8 * * 1', after, 'Mars/Olympus')).toThrow('Mars/Olympus');
  });
});

describe('isValidCron', () => {
  test.each([
    ['0 8 * * 1', true],
    ['*/15 8-15 * * 1-5', true],
    ['0 0 8 * * 1', true], // with seconds
    ['bogus', false],
    ['', false],
    ['0 8 * * 8', false],
    ['60 8 * * *', false],
  ])("'%s' is valid: %s", (pattern, valid) => {
    expect(isValidCron(pattern)).toBe(valid);
  });
});
