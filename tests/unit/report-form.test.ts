import { DEFAULT_CATEGORIES } from '../../bot/deviations/deviation';
import {
  LIMITS,
  osloDate,
  REPORT_FIELDS,
  validateReport,
  type ReportValidation,
} from '../../bot/deviations/report-form';

const NOW = new Date('2026-11-27T10:00:00.000Z'); // 11:00 in Oslo, Friday 27 November 2026
const UNIT_IDS = new Set(['sentrum-barnehage', 'heim-skole']);
const context = (now: Date = NOW) => ({ categories: DEFAULT_CATEGORIES, unitIds: UNIT_IDS, now });

const VALID = {
  type: 'avvik',
  categoryId: 'hms',
  unitId: 'sentrum-barnehage',
  occurredOn: '2026-11-26',
  occurredTime: '14:30',
  description: 'Et barn klemte fingeren i døra.',
  immediateAction: 'Kjølte fingeren.',
  suggestion: 'Klemsikring på dørene.',
  severity: 'middels',
  anonymous: 'false',
};

function errorsOf(result: ReportValidation) {
  if (result.ok) throw new Error('expected errors, got a valid report');
  return result.errors;
}

function reportOf(result: ReportValidation) {
  if (!result.ok) throw new Error(`expected a report, got ${JSON.stringify(result.errors)}`);
  return result.report;
}

describe('osloDate', () => {
  test.each([
    ['2026-11-27T10:00:00Z', '2026-11-27'],
    ['2026-11-27T22:59:59Z', '2026-11-27'], // 23:59:59 CET
    ['2026-11-27T23:00:00Z', '2026-11-28'], // midnight CET
    ['2026-11-27T23:30:00Z', '2026-11-28'],
    ['2026-06-30T21:59:59Z', '2026-06-30'], // 23:59:59 CEST
    ['2026-06-30T22:00:00Z', '2026-07-01'], // midnight CEST
    ['2025-12-31T23:30:00Z', '2026-01-01'],
  ])('%s is %s in Oslo', (iso, expected) => {
    expect(osloDate(new Date(iso))).toBe(expected);
  });
});

describe('validateReport: valid input', () => {
  test('gives a typed, trimmed report', () => {
    const report = reportOf(
      validateReport(
        {
          ...VALID,
          type: ' forbedringsforslag ',
          categoryId: ' informasjonssikkerhet',
          unitId: 'heim-skole ',
          occurredOn: ' 2026-11-20 ',
          occurredTime: ' 07:05 ',
          description: '\n  Noe skjedde.  \n',
          immediateAction: '  Ringte leder. ',
          suggestion: '   ',
          severity: ' kritisk ',
          anonymous: 'true',
        },
        context(),
      ),
    );
    expect(report).toEqual({
      type: 'forbedringsforslag',
      categoryId: 'informasjonssikkerhet',
      unitId: 'heim-skole',
      occurredOn: '2026-11-20',
      occurredTime: '07:05',
      description: 'Noe skjedde.',
      immediateAction: 'Ringte leder.',
      suggestion: undefined,
      severity: 'kritisk',
      anonymous: true,
    });
  });

  test.each([
    [true, true],
    ['true', true],
    [false, false],
    ['false', false],
    [undefined, false],
    ['', false],
  ])('anonymous %j -> %j (a boolean)', (value, expected) => {
    const report = reportOf(validateReport({ ...VALID, anonymous: value }, context()));
    expect(report.anonymous).toBe(expected);
  });

  test('optional fields may be missing', () => {
    const { occurredTime, immediateAction, suggestion, ...required } = VALID;
    void occurredTime;
    void immediateAction;
    void suggestion;
    const report = reportOf(validateReport(required, context()));
    expect(report.occurredTime).toBeUndefined();
    expect(report.immediateAction).toBeUndefined();
    expect(report.suggestion).toBeUndefined();
  });

  test('${1+1} in the description is kept literally', () => {
    const report = reportOf(
      validateReport(
        { ...VALID, description: '${1+1}', suggestion: '{{x}} ${t.title}' },
        context(),
      ),
    );
    expect(report.description).toBe('${1+1}');
    expect(report.suggestion).toBe('{{x}} ${t.title}');
  });

  test('unknown fields are ignored', () => {
    const report = reportOf(
      validateReport({ ...VALID, reporterId: 'someone-else', status: 'lukket' }, context()),
    );
    expect(report).not.toHaveProperty('reporterId');
    expect(report).not.toHaveProperty('status');
  });
});

describe('validateReport: field errors', () => {
  test('an empty submission names every required field', () => {
    expect(errorsOf(validateReport({}, context()))).toEqual({
      type: 'required',
      categoryId: 'required',
      unitId: 'required',
      occurredOn: 'required',
      description: 'required',
      severity: 'required',
    });
  });

  test('whitespace only counts as empty', () => {
    expect(errorsOf(validateReport({ ...VALID, description: ' \n\t ' }, context()))).toEqual({
      description: 'required',
    });
  });

  test('description: 4000 characters pass, 4001 are too long', () => {
    expect(LIMITS.description).toBe(4000);
    expect(validateReport({ ...VALID, description: 'å'.repeat(4000) }, context()).ok).toBe(true);
    expect(validateReport({ ...VALID, description: `  ${'a'.repeat(4000)}  ` }, context()).ok).toBe(
      true,
    );
    expect(
      errorsOf(validateReport({ ...VALID, description: 'a'.repeat(4001) }, context())),
    ).toEqual({ description: 'too_long' });
  });

  test.each(['immediateAction', 'suggestion'] as const)(
    '%s: 2000 characters pass, 2001 are too long',
    (field) => {
      expect(validateReport({ ...VALID, [field]: 'x'.repeat(2000) }, context()).ok).toBe(true);
      expect(errorsOf(validateReport({ ...VALID, [field]: 'x'.repeat(2001) }, context()))).toEqual({
        [field]: 'too_long',
      });
    },
  );

  test.each([
    ['type', 'klage'],
    ['type', 'Avvik'],
    ['categoryId', 'ukjent'],
    ['unitId', 'radmann'],
    ['unitId', 'no-such-unit'],
    ['severity', 'ekstrem'],
    ['anonymous', 'kanskje'],
  ])('%s = %j is invalid_choice', (field, value) => {
    expect(errorsOf(validateReport({ ...VALID, [field]: value }, context()))).toEqual({
      [field]: 'invalid_choice',
    });
  });

  test.each([
    '2026-02-30',
    '2026-13-01',
    '2026-00-10',
    '2026-11-31',
    '2025-02-29',
    '26-11-01',
    '2026-11-1',
    '27.11.2026',
    'i går',
  ])('occurredOn %j is invalid_date', (value) => {
    expect(errorsOf(validateReport({ ...VALID, occurredOn: value }, context()))).toEqual({
      occurredOn: 'invalid_date',
    });
  });

  test('29 February in a leap year is a real date', () => {
    expect(validateReport({ ...VALID, occurredOn: '2024-02-29' }, context()).ok).toBe(true);
  });

  test('future_date is relative to today in Oslo', () => {
    expect(validateReport({ ...VALID, occurredOn: '2026-11-27' }, context()).ok).toBe(true);
    expect(errorsOf(validateReport({ ...VALID, occurredOn: '2026-11-28' }, context()))).toEqual({
      occurredOn: 'future_date',
    });
  });

  test('around midnight: 23:30 UTC on 27 November is already 28 November in Oslo', () => {
    const afterOsloMidnight = new Date('2026-11-27T23:30:00Z');
    expect(
      validateReport({ ...VALID, occurredOn: '2026-11-28' }, context(afterOsloMidnight)).ok,
    ).toBe(true);
    expect(
      errorsOf(validateReport({ ...VALID, occurredOn: '2026-11-29' }, context(afterOsloMidnight))),
    ).toEqual({ occurredOn: 'future_date' });

    const beforeOsloMidnight = new Date('2026-11-27T22:30:00Z'); // 23:30 in Oslo
    expect(
      errorsOf(validateReport({ ...VALID, occurredOn: '2026-11-28' }, context(beforeOsloMidnight))),
    ).toEqual({ occurredOn: 'future_date' });
  });

  test('too_old: far back is refused, recent years are accepted', () => {
    expect(errorsOf(validateReport({ ...VALID, occurredOn: '2019-06-01' }, context()))).toEqual({
      occurredOn: 'too_old',
    });
    expect(errorsOf(validateReport({ ...VALID, occurredOn: '2020-12-31' }, context()))).toEqual({
      occurredOn: 'too_old',
    });
    expect(validateReport({ ...VALID, occurredOn: '2022-01-01' }, context()).ok).toBe(true);
    expect(validateReport({ ...VALID, occurredOn: '2021-11-27' }, context()).ok).toBe(true);
  });

  // The message says "Datoen er mer enn fem år tilbake" ("more than five years back"). A date
  // five years and ten months back is more than five years back and should be refused.
  test('too_old: a date more than five years back (to the day) is refused', () => {
    expect(errorsOf(validateReport({ ...VALID, occurredOn: '2021-11-26' }, context()))).toEqual({
      occurredOn: 'too_old',
    });
    expect(errorsOf(validateReport({ ...VALID, occurredOn: '2021-01-02' }, context()))).toEqual({
      occurredOn: 'too_old',
    });
  });

  test.each(['25:00', '24:00', '12:60', '9:30', '1230', '12.30', 'kl 12'])(
    'occurredTime %j is invalid_time',
    (value) => {
      expect(errorsOf(validateReport({ ...VALID, occurredTime: value }, context()))).toEqual({
        occurredTime: 'invalid_time',
      });
    },
  );

  test.each(['00:00', '23:59', '09:05', ''])('occurredTime %j is accepted', (value) => {
    expect(validateReport({ ...VALID, occurredTime: value }, context()).ok).toBe(true);
  });

  test('several errors at once are all reported', () => {
    expect(
      errorsOf(
        validateReport(
          { ...VALID, type: 'x', occurredOn: '2026-02-30', occurredTime: '25:00', severity: '' },
          context(),
        ),
      ),
    ).toEqual({
      type: 'invalid_choice',
      occurredOn: 'invalid_date',
      occurredTime: 'invalid_time',
      severity: 'required',
    });
  });
});

describe('validateReport: the draft keeps what was typed', () => {
  test('on error every typed value is kept as typed', () => {
    const typed = {
      type: 'forbedringsforslag',
      categoryId: 'miljo',
      unitId: 'heim-skole',
      occurredOn: '2026-02-30',
      occurredTime: ' 25:00',
      description: '  Lang tekst med ${1+1} og æøå  ',
      immediateAction: 'Ryddet',
      suggestion: 'Bedre rutiner',
      severity: 'lav',
      anonymous: true,
    };
    const result = validateReport(typed, context());
    if (result.ok) throw new Error('expected errors');
    for (const field of REPORT_FIELDS) expect(result.draft[field]).toBe(String(typed[field]));
  });

  test('the draft holds only known fields and only strings', () => {
    const result = validateReport(
      { ...VALID, type: '', extra: 'x', description: 42, severity: { a: 1 } },
      context(),
    );
    if (result.ok) throw new Error('expected errors');
    expect(
      Object.keys(result.draft).every((k) => (REPORT_FIELDS as readonly string[]).includes(k)),
    ).toBe(true);
    expect(Object.values(result.draft).every((v) => typeof v === 'string')).toBe(true);
    expect(result.draft.description).toBeUndefined();
  });
});

describe('validateReport: untrusted input never throws', () => {
  test.each([null, undefined, 42, 'avvik', true, [], [VALID], () => VALID])(
    'top-level %p gives errors, not an exception',
    (input) => {
      let result: ReportValidation | undefined;
      expect(() => (result = validateReport(input, context()))).not.toThrow();
      expect(result!.ok).toBe(false);
    },
  );

  test('non-string field values are treated as missing or invalid', () => {
    const input = {
      type: 1,
      categoryId: { id: 'hms' },
      unitId: ['sentrum-barnehage'],
      occurredOn: null,
      occurredTime: 1430,
      description: { toString: () => 'sneaky' },
      immediateAction: [1, 2],
      suggestion: null,
      severity: 3,
      anonymous: 1,
    };
    let result: ReportValidation | undefined;
    expect(() => (result = validateReport(input, context()))).not.toThrow();
    expect(errorsOf(result!)).toEqual({
      type: 'required',
      categoryId: 'required',
      unitId: 'required',
      occurredOn: 'required',
      description: 'required',
      severity: 'required',
    });
  });

  test('an object without a prototype does not throw', () => {
    const input = Object.assign(Object.create(null), VALID);
    expect(reportOf(validateReport(input, context())).type).toBe('avvik');
  });
});
