import fs from 'node:fs';
import path from 'node:path';
import type { Activity } from '../../../bot/arshjul/arshjul';
import {
  checkAgainstOrg,
  parseArshjulFile,
  type ArshjulFileResult,
} from '../../../bot/arshjul/arshjul-file';
import { parseOrgFile } from '../../../bot/org/org-file';
import { makeOrganisation, type Organisation } from '../../../bot/org/organisation';

const ROOT = path.join(__dirname, '../../..');
const readJson = (file: string): unknown =>
  JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8'));

function demoOrg(): Organisation {
  const result = parseOrgFile(readJson('bot/org/demo/heim-kommune.json'));
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.org;
}

function okFile(result: ArshjulFileResult) {
  if (!result.ok) throw new Error(`expected a valid file, got:\n${result.errors.join('\n')}`);
  return result.file;
}

function errorsOf(result: ArshjulFileResult): string[] {
  if (result.ok) throw new Error('expected errors, the file was accepted');
  return result.errors;
}

/** A valid activity as written in a file; tests spoil one field at a time. */
function entry(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'tertial',
    name: { nb: 'Tertialrapport', en: 'Four-monthly report' },
    due: { nb: 'Rapporten er lagt fram.', en: 'The report is presented.' },
    owner: { unit: 'okonomi' },
    recurrence: { kind: 'yearly', date: '06-15' },
    ...overrides,
  };
}

function fileWith(...activities: unknown[]): Record<string, unknown> {
  return {
    municipality: 'Heim kommune',
    elections: { firstYear: 2023, everyYears: 4 },
    activities,
  };
}

/** The errors of a file whose second activity (index 1) is `bad`. */
function errorsFor(bad: Record<string, unknown>): string[] {
  return errorsOf(parseArshjulFile(fileWith(entry({ id: 'first' }), bad)));
}

describe('the default årshjul bot/arshjul/demo/heim-arshjul.json', () => {
  const json = readJson('bot/arshjul/demo/heim-arshjul.json') as {
    activities: Record<string, unknown>[];
  };
  const file = okFile(parseArshjulFile(json));
  const byId = (id: string): Activity => {
    const found = file.activities.find((a) => a.id === id);
    if (!found) throw new Error(`no activity "${id}"`);
    return found;
  };

  test('parses, for Heim, with elections every four years from 2023', () => {
    expect(file.municipality).toBe('Heim kommune');
    expect(file.elections).toEqual({ firstYear: 2023, everyYears: 4 });
  });

  test('holds the activities of the issue, in the file order', () => {
    expect(file.activities.map((a) => a.id)).toEqual([
      'arsregnskap',
      'arsberetning',
      'arsregnskap-vedtak',
      'tertialrapport',
      'okonomiplan-arsbudsjett',
      'kostra',
      'vedtaksoppfolging',
      'prosessevaluering',
      'arbeidsgiverrapport',
      'tjenesterapport',
      'budsjettkonferanse',
      'utviklingssamtaler',
      'virksomhetsplan',
      'ros-analyse',
      'brukerundersokelse',
      'medarbeiderundersokelse',
      'planstrategi',
      'kommuneplan-revisjon',
      'utviklingsprosjekt',
      'delegeringsreglement',
    ]);
  });

  test('has no warnings against the demo organisation', () => {
    expect(checkAgainstOrg(file, demoOrg())).toEqual([]);
  });

  test('every activity in the file carries a comment on its source; none reaches the parsed file', () => {
    for (const raw of json.activities) expect(typeof raw.comment).toBe('string');
    expect(typeof (json as Record<string, unknown>).$comment).toBe('string');
    for (const a of file.activities) expect(Object.keys(a)).not.toContain('comment');
    expect(Object.keys(file)).toEqual(['municipality', 'elections', 'activities']);
  });

  test('the key dates and owners', () => {
    expect(byId('arsregnskap')).toMatchObject({
      owner: { unit: 'okonomi' },
      recurrence: { kind: 'yearly', date: '02-22' },
      legalBasis: { law: 'kommuneloven', section: '§ 14-6' },
    });
    expect(byId('arsberetning').recurrence).toEqual({ kind: 'yearly', date: '03-31' });
    expect(byId('tertialrapport').recurrence).toEqual({ kind: 'dates', dates: ['06-15', '10-15'] });
    expect(byId('planstrategi')).toMatchObject({
      owner: { role: 'rådmann' },
      recurrence: { kind: 'afterElection', yearsAfter: 1, date: '10-31' },
      legalBasis: { url: 'https://lovdata.no/lov/2008-06-27-71/§10-1' },
    });
    expect(byId('kommuneplan-revisjon').recurrence).toEqual({
      kind: 'everyYears',
      every: 4,
      from: 2025,
      date: '06-30',
    });
    expect(byId('virksomhetsplan').owner).toEqual({ unitLeaders: ['enhet', 'stab'] });
    expect(byId('utviklingsprosjekt').legalBasis).toBeUndefined();
  });

  test('every legal basis links to Lovdata', () => {
    const linked = file.activities.filter((a) => a.legalBasis);
    expect(linked.map((a) => a.id)).toEqual([
      'arsregnskap',
      'arsberetning',
      'arsregnskap-vedtak',
      'tertialrapport',
      'okonomiplan-arsbudsjett',
      'kostra',
      'planstrategi',
      'kommuneplan-revisjon',
      'delegeringsreglement',
    ]);
    for (const a of linked) expect(a.legalBasis!.url).toMatch(/^https:\/\/lovdata\.no\/lov\//);
  });

  test('lead days default to [30, 7, 1] and are kept descending', () => {
    expect(byId('arsberetning').leadDays).toEqual([30, 7, 1]);
    expect(byId('planstrategi').leadDays).toEqual([180, 90, 30, 7]);
    for (const a of file.activities)
      expect(a.leadDays).toEqual([...a.leadDays].sort((x, y) => y - x));
  });

  test('parsing the parsed file again gives the same file (the store keeps the parsed form)', () => {
    const again = okFile(parseArshjulFile(JSON.parse(JSON.stringify(file))));
    expect(JSON.stringify(again)).toBe(JSON.stringify(file));
  });
});

describe('parseArshjulFile: defaults and normalisation', () => {
  test('audience, lead days and sorted dates', () => {
    const file = okFile(
      parseArshjulFile(
        fileWith(
          entry({ recurrence: { kind: 'dates', dates: ['10-15', '02-01', '06-15'] } }),
          entry({ id: 'other', leadDays: [1, 14, 60], audience: { roles: ['rådmann'] } }),
        ),
      ),
    );
    expect(file.activities[0].audience).toEqual({ roles: [], channels: true });
    expect(file.activities[0].leadDays).toEqual([30, 7, 1]);
    expect(file.activities[0].recurrence).toEqual({
      kind: 'dates',
      dates: ['02-01', '06-15', '10-15'],
    });
    expect(file.activities[1].audience).toEqual({ roles: ['rådmann'], channels: true });
    expect(file.activities[1].leadDays).toEqual([60, 14, 1]);
  });

  test('owners in all three shapes', () => {
    const file = okFile(
      parseArshjulFile(
        fileWith(
          entry({ id: 'act-a', owner: { role: 'rådmann' } }),
          entry({ id: 'act-b', owner: { unit: 'okonomi' } }),
          entry({ id: 'act-c', owner: { unitLeaders: ['enhet', 'stab'] } }),
        ),
      ),
    );
    expect(file.activities.map((a) => a.owner)).toEqual([
      { role: 'rådmann' },
      { unit: 'okonomi' },
      { unitLeaders: ['enhet', 'stab'] },
    ]);
  });

  test('an empty list of lead days is allowed (only the reminder on the day)', () => {
    const file = okFile(parseArshjulFile(fileWith(entry({ leadDays: [] }))));
    expect(file.activities[0].leadDays).toEqual([]);
  });
});

describe('parseArshjulFile: errors name the entry and the field', () => {
  test('a date that is not MM-DD', () => {
    expect(errorsFor(entry({ recurrence: { kind: 'yearly', date: '6-15' } }))).toEqual([
      'activities[1] (id "tertial").recurrence.date: must be MM-DD',
    ]);
  });

  test('dates that are not real days: 02-30, 13-01, and 02-29 (only in leap years)', () => {
    const errors = errorsFor(
      entry({ recurrence: { kind: 'dates', dates: ['02-30', '13-01', '02-29', '03-01'] } }),
    );
    expect(errors).toHaveLength(3);
    expect(errors[0]).toBe(
      'activities[1] (id "tertial").recurrence.dates[0]: must be MM-DD: "02-30" is not a day of the year',
    );
    expect(errors[1]).toMatch(/^activities\[1\] \(id "tertial"\)\.recurrence\.dates\[1\]: /);
    expect(errors[2]).toMatch(/^activities\[1\] \(id "tertial"\)\.recurrence\.dates\[2\]: .*02-29/);
  });

  test('a date twice in the same list, and too many dates', () => {
    expect(errorsFor(entry({ recurrence: { kind: 'dates', dates: ['06-15', '06-15'] } }))).toEqual([
      'activities[1] (id "tertial").recurrence.dates[1]: duplicate date "06-15"',
    ]);
    // The first of every month, and 15 December: thirteen distinct dates.
    const thirteen = [
      ...Array.from({ length: 12 }, (_, m) => `${m < 9 ? '0' : ''}${m + 1}-01`),
      '12-15',
    ];
    expect(errorsFor(entry({ recurrence: { kind: 'dates', dates: thirteen } }))).toEqual([
      'activities[1] (id "tertial").recurrence.dates: Array must contain at most 12 element(s)',
    ]);
    expect(errorsFor(entry({ recurrence: { kind: 'dates', dates: [] } }))[0]).toMatch(
      /^activities\[1\] \(id "tertial"\)\.recurrence\.dates: /,
    );
  });

  test('an unknown recurrence kind', () => {
    const errors = errorsFor(entry({ recurrence: { kind: 'monthly', date: '01-01' } }));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^activities\[1\] \(id "tertial"\)\.recurrence\.kind: .*yearly/);
  });

  test('everyYears and afterElection out of range', () => {
    expect(
      errorsFor(entry({ recurrence: { kind: 'everyYears', every: 0, from: 2025, date: '06-30' } })),
    ).toEqual([
      'activities[1] (id "tertial").recurrence.every: Number must be greater than or equal to 1',
    ]);
    expect(
      errorsFor(entry({ recurrence: { kind: 'everyYears', every: 4, date: '06-30' } })),
    ).toEqual(['activities[1] (id "tertial").recurrence.from: Required']);
    expect(
      errorsFor(entry({ recurrence: { kind: 'afterElection', yearsAfter: 4, date: '10-31' } })),
    ).toEqual([
      'activities[1] (id "tertial").recurrence.yearsAfter: Number must be less than or equal to 3',
    ]);
  });

  test('an id with capitals or Norwegian letters, and an entry without an id', () => {
    expect(errorsFor(entry({ id: 'Årsregnskap' }))).toEqual([
      'activities[1] (id "Årsregnskap").id: lower-case letters, digits and dashes, 2–40 characters',
    ]);
    const { id: _omitted, ...withoutId } = entry();
    expect(errorsFor(withoutId)).toEqual(['activities[1].id: Required']);
  });

  test('duplicate activity ids, also when another field is wrong', () => {
    expect(
      errorsOf(parseArshjulFile(fileWith(entry({ id: 'act-a' }), entry({ id: 'act-a' })))),
    ).toEqual(['activities[1] (id "act-a").id: duplicate activity id "act-a"']);
    expect(
      errorsOf(
        parseArshjulFile(
          fileWith(
            entry({ id: 'act-a' }),
            entry({ id: 'act-b', leadDays: [-1] }),
            entry({ id: 'act-a' }),
          ),
        ),
      ),
    ).toEqual([
      'activities[1] (id "act-b").leadDays[0]: Number must be greater than or equal to 0',
      'activities[2] (id "act-a").id: duplicate activity id "act-a"',
    ]);
  });

  test('owners: none, two at once, an unknown role, an unknown unit kind, no kinds', () => {
    expect(errorsFor(entry({ owner: {} }))).toEqual([
      'activities[1] (id "tertial").owner: give exactly one of { "role" }, { "unit" } or { "unitLeaders": [kinds] }',
    ]);
    expect(errorsFor(entry({ owner: { role: 'rådmann', unit: 'okonomi' } }))).toHaveLength(1);
    expect(errorsFor(entry({ owner: { role: 'ordfører' } }))[0]).toMatch(
      /^activities\[1\] \(id "tertial"\)\.owner\.role: Invalid enum value.*'ordfører'/,
    );
    expect(errorsFor(entry({ owner: { unitLeaders: ['enhet', 'avdeling'] } }))[0]).toMatch(
      /^activities\[1\] \(id "tertial"\)\.owner\.unitLeaders\[1\]: Invalid enum value/,
    );
    expect(errorsFor(entry({ owner: { unitLeaders: [] } }))[0]).toMatch(
      /^activities\[1\] \(id "tertial"\)\.owner\.unitLeaders: /,
    );
    expect(errorsFor(entry({ owner: { unit: 'a/b' } }))).toEqual([
      'activities[1] (id "tertial").owner.unit: must not contain / \\ # ? or control characters',
    ]);
  });

  test('lead days: out of range, not whole, twice', () => {
    expect(errorsFor(entry({ leadDays: [400, 2.5, 7, 7] }))).toEqual([
      'activities[1] (id "tertial").leadDays[0]: Number must be less than or equal to 365',
      'activities[1] (id "tertial").leadDays[1]: Expected integer, received float',
      'activities[1] (id "tertial").leadDays[3]: duplicate lead day "7"',
    ]);
    expect(errorsFor(entry({ leadDays: [30, 7, 30] }))).toEqual([
      'activities[1] (id "tertial").leadDays[2]: duplicate lead day "30"',
    ]);
  });

  test('a legal basis that does not link to Lovdata', () => {
    const legalBasis = { law: 'kommuneloven', section: '§ 14-6', url: 'https://example.org/§14-6' };
    expect(errorsFor(entry({ legalBasis }))).toEqual([
      'activities[1] (id "tertial").legalBasis.url: must be a Lovdata address (https://lovdata.no/...)',
    ]);
  });

  test('audience roles that are not roles', () => {
    expect(errorsFor(entry({ audience: { roles: ['rådmann', 'ordfører'] } }))[0]).toMatch(
      /^activities\[1\] \(id "tertial"\)\.audience\.roles\[1\]: Invalid enum value/,
    );
  });

  test('a misspelt field is refused rather than silently defaulted', () => {
    const errors = errorsFor(entry({ leadDay: [14] }));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^activities\[1\] \(id "tertial"\): Unrecognized key.*'leadDay'/);
  });

  test('missing names, and several errors in one entry', () => {
    const errors = errorsFor(
      entry({ name: { nb: 'Tertial' }, recurrence: { kind: 'yearly', date: '2026-06-15' } }),
    );
    expect(errors).toEqual([
      'activities[1] (id "tertial").name.en: Required',
      'activities[1] (id "tertial").recurrence.date: must be MM-DD',
    ]);
  });

  test('file-level errors: elections, municipality, not an object', () => {
    expect(
      errorsOf(
        parseArshjulFile({ municipality: '', elections: { firstYear: 2023 }, activities: [] }),
      ),
    ).toEqual([
      'municipality: String must contain at least 1 character(s)',
      'elections.everyYears: Required',
    ]);
    expect(errorsOf(parseArshjulFile([]))).toEqual(['(file): Expected object, received array']);
  });
});

describe('checkAgainstOrg', () => {
  const org = makeOrganisation(
    [
      { id: 'p1', name: 'Rådmann', role: 'rådmann', unitId: 'top' },
      { id: 'p2', name: 'Enhetsleder', role: 'enhetsleder', unitId: 'skole' },
    ],
    [
      { id: 'top', name: 'Rådmannen', kind: 'rådmannsnivå', leaderId: 'p1' },
      { id: 'skole', name: 'Skole', kind: 'enhet', parentId: 'top', leaderId: 'p2' },
    ],
  );

  test('no warnings when every owner is found', () => {
    const file = okFile(
      parseArshjulFile(
        fileWith(
          entry({ id: 'act-a', owner: { role: 'rådmann' }, audience: { roles: ['enhetsleder'] } }),
          entry({ id: 'act-b', owner: { unit: 'skole' } }),
          entry({ id: 'act-c', owner: { unitLeaders: ['enhet'] } }),
        ),
      ),
    );
    expect(checkAgainstOrg(file, org)).toEqual([]);
  });

  test('an unknown unit, a role no one holds, a kind with no units, an audience no one is in', () => {
    const file = okFile(
      parseArshjulFile(
        fileWith(
          entry({ id: 'act-a', owner: { unit: 'okonomi' } }),
          entry({ id: 'act-b', owner: { role: 'kommunalsjef' } }),
          entry({ id: 'act-c', owner: { unitLeaders: ['enhet', 'stab'] } }),
          entry({ id: 'act-d', owner: { role: 'rådmann' }, audience: { roles: ['stabsleder'] } }),
        ),
      ),
    );
    expect(checkAgainstOrg(file, org)).toEqual([
      'activities[0] (id "act-a").owner.unit: the unit "okonomi" is not in the organisation',
      'activities[1] (id "act-b").owner.role: no one in the organisation has the role "kommunalsjef"',
      'activities[2] (id "act-c").owner.unitLeaders: the organisation has no units of kind "stab"',
      'activities[3] (id "act-d").audience.roles: no one in the organisation has the role "stabsleder"',
    ]);
  });

  test('a unit with no leader anywhere in its line', () => {
    const leaderless = makeOrganisation(
      [],
      [{ id: 'top', name: 'Rådmannen', kind: 'rådmannsnivå' }],
    );
    const file = okFile(parseArshjulFile(fileWith(entry({ owner: { unit: 'top' } }))));
    expect(checkAgainstOrg(file, leaderless)).toEqual([
      'activities[0] (id "tertial").owner.unit: no leader in the line of the unit "top"',
    ]);
  });
});
