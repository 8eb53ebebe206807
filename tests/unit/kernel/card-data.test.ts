import {
  CARD_TEXT_MAX,
  isRecordReference,
  oversizedField,
  revisionIn,
} from '../../../bot/kernel/card-data';

describe('revisionIn: the revision a card carries', () => {
  test.each([
    [0, 0],
    [1, 1],
    [42, 42],
    ['1', 1],
    ['0', 0],
    ['17', 17],
    [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
    [String(Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER],
  ])('%j is revision %j', (value, rev) => {
    expect(revisionIn(value)).toBe(rev);
  });

  test.each([
    true,
    false,
    null,
    undefined,
    [1],
    ['1'],
    { valueOf: () => 1 },
    ' 1 ',
    '1 ',
    '0x1',
    '01',
    '1e0',
    '+1',
    '-1',
    '1.0',
    '',
    '١',
    -1,
    1.5,
    NaN,
    Infinity,
    2 ** 53,
    String(2 ** 53),
    '9'.repeat(70_000),
  ])('%j is no revision', (value) => {
    expect(revisionIn(value)).toBeUndefined();
  });
});

describe('isRecordReference: the form of the references the server makes', () => {
  test.each(['AVV-2027-0001', 'AH-2027-vernerunde-1', 'AH-2027-vernerunde-1-sentrum-barnehage'])(
    '%s is one',
    (ref) => expect(isRecordReference(ref)).toBe(true),
  );

  test.each([
    '',
    'AVV-2027-0001/x',
    'AVV-2027-0001\\x',
    'AVV-2027-0001#',
    'AVV-2027-0001?',
    'AVV-2027-0001\t',
    'AVV-2027-0001\n',
    'AVV-2027-0001\u0001',
    'AVV-2027-0001\u007f',
    'AVV-2027-0001 ',
    ' AVV-2027-0001',
    '-AVV',
    'AVV\u202e-2027',
    'ＡＶＶ-2027-0001',
    'A'.repeat(121),
  ])('%j is not', (ref) => expect(isRecordReference(ref)).toBe(false));
});

describe('oversizedField: card data fields longer than any card sends', () => {
  const long = 'x'.repeat(CARD_TEXT_MAX + 1);

  test('names the first string field over the cap', () => {
    expect(oversizedField({ ref: 'AVV-2027-0001', cause: long, closingMeasures: long })).toBe(
      'cause',
    );
    expect(oversizedField({ comment: long })).toBe('comment');
  });

  test('a field at the cap, other types and empty data pass', () => {
    expect(oversizedField({ cause: 'x'.repeat(CARD_TEXT_MAX) })).toBeUndefined();
    expect(oversizedField({ list: Array(5000).fill(1), n: 1e308, o: { a: long } })).toBeUndefined();
    expect(oversizedField({})).toBeUndefined();
  });
});
