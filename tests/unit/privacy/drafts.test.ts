import { draftIn, stampDraft, withoutExpiredDraft } from '../../../bot/privacy/drafts';
import { ANONYMISED_ID, scrubbedRow } from '../../../bot/privacy/case-anonymiser';

const t0 = new Date('2026-11-01T10:00:00.000Z');
const days = (n: number) => new Date(t0.getTime() + n * 86_400_000);

describe('report drafts in user state', () => {
  const withDraft = JSON.stringify({ reportDraft: { description: 'Halvferdig' }, other: 1 });

  test('a new draft is stamped; the same draft saved again keeps its first time', () => {
    const stamped = stampDraft(withDraft, t0);
    expect(draftIn(stamped)?.savedAt).toBe(t0.toISOString());
    expect(stampDraft(stamped, days(5))).toBe(stamped);
  });

  test('a changed draft starts again from the time it was changed', () => {
    const stamped = JSON.parse(stampDraft(withDraft, t0));
    stamped.reportDraft.description = 'Endret';
    expect(draftIn(stampDraft(JSON.stringify(stamped), days(5)))?.savedAt).toBe(
      days(5).toISOString(),
    );
  });

  test('an old draft is not offered; a young one is; other state stays', () => {
    const stamped = stampDraft(withDraft, t0);
    expect(withoutExpiredDraft(stamped, days(13), 14)).toBe(stamped);
    expect(JSON.parse(withoutExpiredDraft(stamped, days(14), 14))).toEqual({ other: 1 });
  });

  test('a draft removed by the bot takes its stamp with it', () => {
    const stamped = JSON.parse(stampDraft(withDraft, t0));
    delete stamped.reportDraft;
    expect(JSON.parse(stampDraft(JSON.stringify(stamped), days(1)))).toEqual({ other: 1 });
  });

  test('state that is no JSON object is left alone', () => {
    expect(stampDraft('not json', t0)).toBe('not json');
    expect(withoutExpiredDraft('[1]', t0, 14)).toBe('[1]');
  });
});

describe('scrubbing a row of a case', () => {
  const record = {
    description: 'Et barn klemte fingeren',
    immediateAction: 'Kjølte',
    cause: 'Dør',
    reporterId: 'emil',
    reporterName: 'Emil Vik',
    handlerId: 'ingrid',
    categoryId: 'hms',
    measures: JSON.stringify([
      { text: 'Klemsikring', dueDate: '2026-12-01', byId: 'emil', at: 'x' },
    ]),
  };

  test('retention: texts and the reporter go; statistics and the handler stay', () => {
    const next = scrubbedRow(record, { personId: 'emil', texts: true })!;
    expect(next).toEqual({
      description: '',
      reporterId: '',
      reporterName: '',
      handlerId: 'ingrid',
      categoryId: 'hms',
      measures: JSON.stringify([{ text: '', dueDate: '2026-12-01', byId: ANONYMISED_ID, at: 'x' }]),
    });
  });

  test('erasure: the person goes, the texts stay', () => {
    const next = scrubbedRow(record, { personId: 'emil', texts: false })!;
    expect(next).toMatchObject({
      description: record.description,
      reporterId: '',
      reporterName: '',
    });
  });

  test('an event: the note goes and the person is replaced; nothing to do is undefined', () => {
    const event = { kind: 'reported', actorId: 'emil', note: 'tekst', toStatus: 'registrert' };
    expect(scrubbedRow(event, { personId: 'emil', texts: true })).toEqual({
      kind: 'reported',
      actorId: ANONYMISED_ID,
      toStatus: 'registrert',
    });
    expect(
      scrubbedRow({ kind: 'take', actorId: 'ingrid' }, { personId: 'emil', texts: true }),
    ).toBeUndefined();
  });
});
