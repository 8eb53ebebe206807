import { windowOf } from '../../../bot/kernel/limits';

describe('windowOf', () => {
  test('an hour window is the clock hour; it ends on the next one', () => {
    expect(windowOf('hour', new Date('2026-11-27T09:59:59.999Z'))).toEqual({
      name: '2026-11-27T09',
      endsAt: new Date('2026-11-27T10:00:00Z'),
    });
  });

  test.each([
    [
      'winter: 23:30 UTC is already the next Oslo day',
      '2026-11-27T23:30:00Z',
      '2026-11-28',
      '2026-11-28T23:00:00Z',
    ],
    ['summer: ends at 22:00 UTC', '2026-06-15T12:00:00Z', '2026-06-15', '2026-06-15T22:00:00Z'],
    [
      'the day clocks go back lasts 25 hours',
      '2026-10-25T01:00:00Z',
      '2026-10-25',
      '2026-10-25T23:00:00Z',
    ],
    [
      'the day clocks go forward lasts 23 hours',
      '2026-03-29T00:30:00Z',
      '2026-03-29',
      '2026-03-29T22:00:00Z',
    ],
  ])('a day window is the Europe/Oslo date (%s)', (_why, at, name, endsAt) => {
    expect(windowOf('day', new Date(at))).toEqual({ name, endsAt: new Date(endsAt) });
  });
});
