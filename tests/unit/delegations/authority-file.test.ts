import {
  checkAgainstOrg,
  parseAuthorityFile,
  registerFromFile,
} from '../../../bot/delegations/authority-file';
import { DEMO_PEOPLE } from '../../support/demo-people';
import { demoOrg, NOW } from '../fixtures';
import { demoAuthorityFile, IMPORTED_AT, readDemoAuthorityJson } from './demo-register';

/** The catalogue file: the demo parses, and every error names the entry and the field. */
const { per, ingrid, sofie, lars } = DEMO_PEOPLE;

function errorsOf(change: (json: Record<string, any>) => void): string[] {
  const json = readDemoAuthorityJson();
  change(json);
  const result = parseAuthorityFile(json);
  if (result.ok) throw new Error('expected errors');
  return result.errors;
}
const grantIndex = (json: Record<string, any>, id: string) =>
  json.grants.findIndex((g: { id: string }) => g.id === id);

describe('the demo catalogue', () => {
  const file = demoAuthorityFile();

  it('covers the areas the issue asks for, one of them reserved to the council', () => {
    expect(file.areas.map((a) => a.id)).toEqual([
      'budsjettdisponering',
      'attestasjon',
      'anvisning',
      'innkjop',
      'innkjop-eos',
      'tilsetting',
      'permisjon',
      'barnevern-hjelpetiltak',
      'tilrettelagt-opplaering',
      'helse-omsorgstjenester',
      'byggesak',
      'arsbudsjett',
    ]);
    expect(file.areas.filter((a) => a.councilOnly).map((a) => a.id)).toEqual(['arsbudsjett']);
    const laws = new Set(file.areas.flatMap((a) => (a.basis.kind === 'law' ? [a.basis.law] : [])));
    expect([...laws].sort()).toEqual([
      'anskaffelsesforskriften',
      'barnevernsloven',
      'helse- og omsorgstjenesteloven',
      'kommuneloven',
      'opplæringslova',
      'plan- og bygningsloven',
    ]);
    for (const area of file.areas)
      if (area.basis.kind === 'law') expect(area.basis.url).toMatch(/^https:\/\/lovdata\.no\//);
    expect(file.political).toEqual({
      body: 'Kommunestyret',
      caseNumber: 'PS 12/24',
      date: '2024-03-14',
    });
  });

  it('keeps the rules against the demo organisation', () => {
    expect(checkAgainstOrg(file, demoOrg(), NOW)).toEqual([]);
  });

  it('registers its grants with references, levels and inherited limits', () => {
    const { register, refs } = registerFromFile(file, { at: IMPORTED_AT, by: 'import' });
    expect(refs.get('budsjettdisponering-radmann')).toBe('DEL-2026-0001');
    const byId = (id: string) => register.grants.find((g) => g.ref === refs.get(id))!;
    expect(byId('innkjop-radmann')).toMatchObject({
      level: 1,
      fromId: 'kommunestyret',
      limitNok: 1_300_000,
      politicalBasis: file.political,
      origin: 'registered',
      status: 'active',
    });
    expect(byId('tilsetting-sentrum-barnehage')).toMatchObject({
      level: 2,
      fromId: per.id,
      to: { kind: 'role', role: 'enhetsleder', unitId: 'sentrum-barnehage' },
      parentRef: refs.get('tilsetting-radmann'),
    });
    expect(byId('innkjop-sofie')).toMatchObject({
      level: 3,
      fromId: ingrid.id,
      to: { kind: 'person', id: sofie.id },
      limitNok: 100_000,
    });
    expect(byId('attestasjon-sofie').limitNok).toBeUndefined();
    expect(byId('budsjett-sentrum-barnehage').blocked).toBe(true);
    expect(register.events).toHaveLength(register.grants.length);
    expect(register.events.every((e) => e.kind === 'registered' && e.seq === 1)).toBe(true);
  });
});

describe('errors name the entry and the field', () => {
  it('in an area', () => {
    expect(
      errorsOf((json) => {
        json.areas[3].basis.url = 'http://example.com/§5-1';
        json.areas[0].limitNok = 12.5;
        json.areas[1].name = { nb: 'Attestasjon' };
        json.areas[2].colour = 'red';
      }),
    ).toEqual([
      'areas[0] (id "budsjettdisponering").limitNok: must be a whole number of kroner',
      'areas[1] (id "attestasjon").name.en: Required',
      'areas[2] (id "anvisning"): Unrecognized key(s) in object: \'colour\'',
      'areas[3] (id "innkjop").basis.url: must be a Lovdata address (https://lovdata.no/...)',
    ]);
    expect(
      errorsOf((json) => {
        json.areas[4].basis = { kind: 'statute', text: 'x' };
        json.areas[5].id = 'Tilsetting';
      }),
    ).toEqual([
      "areas[4] (id \"innkjop-eos\").basis.kind: Invalid discriminator value. Expected 'law' | 'internal'",
      'areas[5] (id "Tilsetting").id: lower-case letters, digits and dashes, 2–40 characters',
    ]);
  });

  it('in the political basis', () => {
    expect(
      errorsOf((json) => {
        json.political.date = '2024-02-30';
        delete json.political.caseNumber;
      }),
    ).toEqual(['political.caseNumber: Required', 'political.date: must be a date YYYY-MM-DD']);
  });

  it('in a grant, field by field', () => {
    expect(
      errorsOf((json) => {
        const i = grantIndex(json, 'innkjop-sofie');
        json.grants[i].validFrom = '1.1.2025';
        json.grants[i].to = { person: sofie.id, role: 'leder', unit: 'sentrum-barnehage' };
        json.grants[i + 1].to = { role: 'leder' };
      }),
    ).toEqual([
      'grants[27] (id "innkjop-sofie").to: give either { "person": id } or { "role": role, "unit": unit id }',
      'grants[27] (id "innkjop-sofie").validFrom: must be a date YYYY-MM-DD',
      'grants[28] (id "attestasjon-sofie").to: give either { "person": id } or { "role": role, "unit": unit id }',
    ]);
  });

  it('for ids that must exist or must be unique, even beside field errors', () => {
    expect(
      errorsOf((json) => {
        json.areas[1].id = 'budsjettdisponering';
        json.grants[1].id = json.grants[0].id;
        json.grants[2].validFrom = 'soon';
      }),
    ).toEqual([
      'grants[2] (id "anvisning-radmann").validFrom: must be a date YYYY-MM-DD',
      'areas[1] (id "budsjettdisponering").id: duplicate area id "budsjettdisponering"',
      'grants[1] (id "budsjettdisponering-radmann").id: duplicate grant id "budsjettdisponering-radmann"',
    ]);
    expect(
      errorsOf((json) => {
        json.grants[grantIndex(json, 'innkjop-sofie')].parent = 'no-such-grant';
        json.grants[grantIndex(json, 'attestasjon-sofie')].area = 'no-such-area';
      }),
    ).toEqual([
      'grants[27] (id "innkjop-sofie").parent: unknown grant "no-such-grant"',
      'grants[28] (id "attestasjon-sofie").area: unknown area "no-such-area"',
      'grants[28] (id "attestasjon-sofie").parent: "attestasjon-sentrum-barnehage" is for area "attestasjon", not "no-such-area"',
    ]);
  });

  it('for the chain: roots, parents, order, sperre, areas, the council’s own, dates', () => {
    expect(
      errorsOf((json) => {
        const root = json.grants[0];
        root.parent = 'tilsetting-radmann';
        root.validFrom = '2024-01-01';
        const sofieGrant = json.grants[grantIndex(json, 'innkjop-sofie')];
        delete sofieGrant.parent;
        const attest = json.grants[grantIndex(json, 'attestasjon-sofie')];
        attest.validTo = '2024-12-31';
        json.grants.push(
          {
            id: 'budsjett-sofie',
            area: 'budsjettdisponering',
            from: ingrid.id,
            to: { person: sofie.id },
            parent: 'budsjett-sentrum-barnehage',
            validFrom: '2025-01-01',
          },
          {
            id: 'arsbudsjett-radmann',
            area: 'arsbudsjett',
            from: 'kommunestyret',
            to: { role: 'rådmann', unit: 'radmann' },
            validFrom: '2024-04-01',
          },
          {
            id: 'early',
            area: 'permisjon',
            from: per.id,
            to: { role: 'stabsleder', unit: 'personal' },
            parent: 'late',
            validFrom: '2024-05-01',
          },
          {
            id: 'late',
            area: 'permisjon',
            from: 'kommunestyret',
            to: { role: 'rådmann', unit: 'radmann' },
            validFrom: '2024-05-01',
          },
        );
      }),
    ).toEqual([
      'grants[0] (id "budsjettdisponering-radmann").parent: a grant from "kommunestyret" is the root of its chain and has no parent',
      'grants[0] (id "budsjettdisponering-radmann").validFrom: starts before the council\'s decision (2024-03-14)',
      'grants[27] (id "innkjop-sofie").parent: required: the grant this one derives from (only "kommunestyret" gives a root grant)',
      'grants[28] (id "attestasjon-sofie").validTo: before validFrom (2025-01-01)',
      'grants[29] (id "budsjett-sofie").parent: "budsjett-sentrum-barnehage" has a delegeringssperre (blocked): nothing may derive from it',
      'grants[30] (id "arsbudsjett-radmann").area: "arsbudsjett" is reserved to the council (councilOnly) and cannot be delegated',
      'grants[31] (id "early").parent: grant "late" must come before this one',
    ]);
  });
});

describe('the rules against the organisation', () => {
  it('names the grant and the rule it breaks, with the file’s ids', () => {
    const json = readDemoAuthorityJson();
    json.grants.push(
      {
        id: 'tilsetting-lars',
        area: 'tilsetting',
        from: ingrid.id,
        to: { person: lars.id },
        parent: 'tilsetting-sentrum-barnehage',
        limitNok: 10,
        validFrom: '2025-01-01',
      },
      {
        id: 'innkjop-ghost',
        area: 'innkjop',
        from: 'ghost',
        to: { person: sofie.id },
        parent: 'innkjop-sentrum-barnehage',
        limitNok: 900_000,
        validFrom: '2025-01-01',
      },
      {
        id: 'permisjon-council',
        area: 'permisjon',
        from: 'kommunestyret',
        to: { role: 'enhetsleder', unit: 'barnevern' },
        validFrom: '2025-01-01',
      },
    );
    const parsed = parseAuthorityFile(json);
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    expect(checkAgainstOrg(parsed.file, demoOrg(), NOW)).toEqual([
      'grants[29] (id "tilsetting-lars"): Rule 1 (only in the line): Lars Moen is not below Ingrid Haugen in the line.',
      'grants[30] (id "innkjop-ghost").from: unknown person "ghost"',
      'grants[30] (id "innkjop-ghost"): Rule 2 (nobody gives more than they hold): Grant "innkjop-sentrum-barnehage" is not yours.',
      'grants[30] (id "innkjop-ghost"): Rule 1 (only in the line): Sofie Lunde is not below ghost in the line.',
      'grants[30] (id "innkjop-ghost"): Rule 2 (nobody gives more than they hold): The limit NOK 900,000 is higher than your own (NOK 500,000).',
      'grants[31] (id "permisjon-council").to: the council delegates to the rådmann ({ "role": "rådmann", "unit": … })',
    ]);
  });
});
