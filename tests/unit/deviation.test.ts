import {
  handlingDeadline,
  isOpen,
  isOverdue,
  privacyNoticeDeadline,
  type DeviationStatus,
} from '../../bot/deviations/deviation';

const REPORTED = new Date('2026-11-27T10:00:00.000Z');

describe('handlingDeadline', () => {
  test.each([
    ['kritisk', '2026-11-28T10:00:00.000Z'], // 1 day
    ['alvorlig', '2026-12-02T10:00:00.000Z'], // 5 days
    ['middels', '2026-12-11T10:00:00.000Z'], // 14 days
    ['lav', '2026-12-27T10:00:00.000Z'], // 30 days
  ] as const)('avvik with severity %s is due %s', (severity, due) => {
    expect(handlingDeadline(severity, 'avvik', REPORTED).toISOString()).toBe(due);
  });

  test.each(['kritisk', 'alvorlig', 'middels', 'lav'] as const)(
    'forbedringsforslag (%s) has 30 days',
    (severity) => {
      expect(handlingDeadline(severity, 'forbedringsforslag', REPORTED).toISOString()).toBe(
        '2026-12-27T10:00:00.000Z',
      );
    },
  );

  test('a more severe deviation is never due later than a less severe one', () => {
    const due = (s: 'kritisk' | 'alvorlig' | 'middels' | 'lav') =>
      handlingDeadline(s, 'avvik', REPORTED).getTime();
    expect(due('kritisk')).toBeLessThan(due('alvorlig'));
    expect(due('alvorlig')).toBeLessThan(due('middels'));
    expect(due('middels')).toBeLessThan(due('lav'));
  });

  test('does not change the date passed in', () => {
    const reported = new Date(REPORTED);
    handlingDeadline('kritisk', 'avvik', reported);
    expect(reported.toISOString()).toBe(REPORTED.toISOString());
  });
});

describe('privacyNoticeDeadline', () => {
  test('72 hours after reporting for information security', () => {
    expect(
      privacyNoticeDeadline({
        categoryId: 'informasjonssikkerhet',
        createdAt: '2026-11-27T10:00:00.000Z',
      })?.toISOString(),
    ).toBe('2026-11-30T10:00:00.000Z');
  });

  test.each([
    'hms',
    'tjenestekvalitet',
    'okonomi',
    'regelbrudd',
    'miljo',
    'Informasjonssikkerhet',
    '',
  ])('none for category %j', (categoryId) => {
    expect(
      privacyNoticeDeadline({ categoryId, createdAt: '2026-11-27T10:00:00.000Z' }),
    ).toBeUndefined();
  });
});

describe('isOpen / isOverdue', () => {
  const now = new Date('2026-12-20T12:00:00.000Z');
  const past = '2026-12-11T08:00:00.000Z';
  const future = '2026-12-27T08:00:00.000Z';

  test.each([
    ['registrert', true],
    ['under_behandling', true],
    ['tiltak_iverksatt', true],
    ['lukket', false],
    ['avvist', false],
  ] as [DeviationStatus, boolean][])(
    '%s: open %s; overdue after the deadline only if open',
    (status, open) => {
      expect(isOpen({ status })).toBe(open);
      expect(isOverdue({ status, dueAt: past }, now)).toBe(open);
      expect(isOverdue({ status, dueAt: future }, now)).toBe(false);
    },
  );

  test('exactly at the deadline is not yet overdue', () => {
    expect(isOverdue({ status: 'registrert', dueAt: now.toISOString() }, now)).toBe(false);
    expect(
      isOverdue({ status: 'registrert', dueAt: now.toISOString() }, new Date(now.getTime() + 1)),
    ).toBe(true);
  });
});
