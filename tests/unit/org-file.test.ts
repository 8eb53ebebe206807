import fs from 'node:fs';
import path from 'node:path';
import { parseOrgFile, type OrgFileResult } from '../../bot/org/org-file';
import {
  isLeaderRole,
  responsibleLeader,
  type Person,
  type Unit,
} from '../../bot/org/organisation';
import { readDemoOrgJson } from './fixtures';

const PLAYGROUND_IDS = [20, 21, 22, 23, 24, 25].map(
  (n) => `00000000-0000-0000-0000-00000000000${n}`,
);

function okResult(result: OrgFileResult) {
  if (!result.ok) throw new Error(`expected a valid file, got:\n${result.errors.join('\n')}`);
  return result;
}

function errorsOf(result: OrgFileResult): string[] {
  if (result.ok) throw new Error('expected errors, the file was accepted');
  return result.errors;
}

describe('the demo organisation bot/org/demo/heim-kommune.json', () => {
  const json = readDemoOrgJson();
  const { file, org } = okResult(parseOrgFile(json));
  const people = file.people as Person[];
  const units = file.units as Unit[];
  const withRole = (role: Person['role']) => people.filter((p) => p.role === role);
  const root = units.find((u) => !u.parentId)!;

  test('the Playground ids really are not strict UUIDs (13 digits in the last group)', () => {
    for (const id of PLAYGROUND_IDS) expect(id.split('-')[4]).toHaveLength(13);
  });

  test('exactly one rådmann, who leads the top unit (rådmannsnivå)', () => {
    expect(withRole('rådmann')).toHaveLength(1);
    expect(root.kind).toBe('rådmannsnivå');
    expect(root.leaderId).toBe(withRole('rådmann')[0].id);
    expect(withRole('rådmann')[0].unitId).toBe(root.id);
  });

  test('toppledelsen: one assisterende rådmann and three kommunalsjefer at rådmannsnivå', () => {
    expect(withRole('assisterende rådmann')).toHaveLength(1);
    expect(withRole('kommunalsjef')).toHaveLength(3);
    for (const p of [...withRole('assisterende rådmann'), ...withRole('kommunalsjef')])
      expect(p.unitId).toBe(root.id);
  });

  test.each([/barnehage/i, /skole/i, /helse og mestring/i, /barnevern/i])(
    'an enhet %s, under the rådmann, led by its enhetsleder',
    (name) => {
      const unit = units.find((u) => name.test(u.name));
      expect(unit).toBeDefined();
      expect(unit!.kind).toBe('enhet');
      expect(unit!.parentId).toBe(root.id);
      const leader = org.people.get(unit!.leaderId ?? '');
      expect(leader?.role).toBe('enhetsleder');
      expect(leader?.unitId).toBe(unit!.id);
    },
  );

  test.each([/økonomi/i, /personal/i, /servicetorg/i, /ikt/i, /utvikling/i])(
    'a fagstab %s, under the rådmann, led by its stabsleder',
    (name) => {
      const unit = units.find((u) => name.test(u.name));
      expect(unit).toBeDefined();
      expect(unit!.kind).toBe('stab');
      expect(unit!.parentId).toBe(root.id);
      const leader = org.people.get(unit!.leaderId ?? '');
      expect(leader?.role).toBe('stabsleder');
      expect(leader?.unitId).toBe(unit!.id);
    },
  );

  test('every unit has a leader with a leader role', () => {
    for (const unit of units) {
      const leader = responsibleLeader(org, unit.id);
      expect(leader).toBeDefined();
      expect(unit.leaderId).toBeDefined();
      expect(isLeaderRole(org.people.get(unit.leaderId!)!.role)).toBe(true);
    }
  });

  test('the Playground users ...020 to ...025 are all people in the organisation', () => {
    for (const id of PLAYGROUND_IDS) expect(org.people.has(id)).toBe(true);
  });

  test('the current Playground user (...020) leads the unit they belong to', () => {
    const me = org.people.get(PLAYGROUND_IDS[0])!;
    expect(org.units.get(me.unitId)?.leaderId).toBe(me.id);
  });

  test('the names in .m365agentsplayground.yml match the organisation file', () => {
    const yml = fs.readFileSync(
      path.join(__dirname, '..', '..', '.m365agentsplayground.yml'),
      'utf8',
    );
    const pairs = [...yml.matchAll(/name: (.+)\n(?:\s+\w+: .+\n)*?\s+aadObjectId: (\S+)/g)].map(
      (m) => [m[1].trim(), m[2].trim()],
    );
    expect(pairs.length).toBeGreaterThanOrEqual(6);
    for (const [name, id] of pairs) expect(org.people.get(id)?.name).toBe(name);
    expect(yml).toMatch(/currentUser:[\s\S]*?aadObjectId: 00000000-0000-0000-0000-0000000000020/);
  });
});

/** A small valid file; each error test changes one thing. */
function minimalFile() {
  return {
    municipality: 'Testvik kommune',
    units: [
      { id: 'top', name: 'Rådmannen', kind: 'rådmannsnivå', leaderId: 'p-radmann' },
      { id: 'skole', name: 'Testvik skole', kind: 'enhet', parentId: 'top', leaderId: 'p-rektor' },
      { id: 'ikt', name: 'IKT', kind: 'stab', parentId: 'top' },
    ],
    people: [
      { id: 'p-radmann', name: 'Rådmann', role: 'rådmann', unitId: 'top' },
      { id: 'p-rektor', name: 'Rektor', role: 'enhetsleder', unitId: 'skole' },
      { id: 'p-laerer', name: 'Lærer', role: 'ansatt', unitId: 'skole' },
    ],
  };
}

describe('parseOrgFile: errors name the entry and the field', () => {
  test('the minimal file is valid', () => {
    const { org } = okResult(parseOrgFile(minimalFile()));
    expect(org.units.size).toBe(3);
    expect(org.people.size).toBe(3);
  });

  test('Playground-style ids (13 digits in the last group) are accepted', () => {
    const f = minimalFile();
    f.people[2].id = '00000000-0000-0000-0000-0000000000022';
    f.units[2].leaderId = '00000000-0000-0000-0000-0000000000022';
    const { org } = okResult(parseOrgFile(f));
    expect(org.people.has('00000000-0000-0000-0000-0000000000022')).toBe(true);
  });

  test('duplicate unit id', () => {
    const f = minimalFile();
    f.units.push({ id: 'skole', name: 'Skole nummer to', kind: 'enhet', parentId: 'top' } as never);
    const errors = errorsOf(parseOrgFile(f));
    expect(
      errors.some(
        (e) =>
          e.includes('units[3]') &&
          e.includes('"skole"') &&
          /\.id\b/.test(e) &&
          /duplicate/i.test(e),
      ),
    ).toBe(true);
  });

  test('duplicate person id', () => {
    const f = minimalFile();
    f.people.push({ id: 'p-laerer', name: 'Lærer 2', role: 'ansatt', unitId: 'skole' });
    const errors = errorsOf(parseOrgFile(f));
    expect(
      errors.some(
        (e) => e.includes('people[3]') && e.includes('"p-laerer"') && /duplicate/i.test(e),
      ),
    ).toBe(true);
  });

  test('unknown parentId', () => {
    const f = minimalFile();
    f.units[1].parentId = 'ghost';
    const errors = errorsOf(parseOrgFile(f));
    expect(
      errors.some((e) => e.includes('units[1] (id "skole").parentId') && e.includes('ghost')),
    ).toBe(true);
  });

  // An unknown parent is not a circle: the message must not send the editor looking for one.
  test('an unknown parentId is not also reported as a circle', () => {
    const f = minimalFile();
    f.units[1].parentId = 'ghost';
    const errors = errorsOf(parseOrgFile(f));
    expect(errors.filter((e) => /circle/i.test(e))).toEqual([]);
  });

  test('unknown leaderId', () => {
    const f = minimalFile();
    f.units[2].leaderId = 'p-nobody';
    const errors = errorsOf(parseOrgFile(f));
    expect(
      errors.some((e) => e.includes('units[2] (id "ikt").leaderId') && e.includes('p-nobody')),
    ).toBe(true);
  });

  test('person with an unknown unitId', () => {
    const f = minimalFile();
    f.people[2].unitId = 'barnehage';
    const errors = errorsOf(parseOrgFile(f));
    expect(
      errors.some((e) => e.includes('people[2] (id "p-laerer").unitId') && e.includes('barnehage')),
    ).toBe(true);
  });

  test('bad role', () => {
    const f = minimalFile();
    f.people[2].role = 'sjef';
    const errors = errorsOf(parseOrgFile(f));
    expect(errors.some((e) => e.includes('people[2] (id "p-laerer").role'))).toBe(true);
  });

  test('bad unit kind', () => {
    const f = minimalFile();
    f.units[2].kind = 'avdeling';
    expect(errorsOf(parseOrgFile(f)).some((e) => e.includes('units[2] (id "ikt").kind'))).toBe(
      true,
    );
  });

  test('two roots are refused and the extra top is named', () => {
    const f = minimalFile();
    delete (f.units[2] as { parentId?: string }).parentId;
    const errors = errorsOf(parseOrgFile(f));
    expect(errors.some((e) => /the top/i.test(e))).toBe(true);
    // Which unit has to change? In a file of hundreds of units the error must say.
    expect(errors.some((e) => e.includes('ikt') && e.includes('parentId'))).toBe(true);
  });

  test('no root at all is refused', () => {
    const f = minimalFile();
    f.units[0] = { ...f.units[0], parentId: 'skole' } as never;
    expect(errorsOf(parseOrgFile(f)).some((e) => /the top/i.test(e))).toBe(true);
  });

  test('a cycle in the line names each unit in it', () => {
    const f = minimalFile();
    f.units.push(
      { id: 'a', name: 'A', kind: 'enhet', parentId: 'b' } as never,
      { id: 'b', name: 'B', kind: 'enhet', parentId: 'a' } as never,
    );
    const errors = errorsOf(parseOrgFile(f));
    expect(errors.some((e) => e.includes('units[3] (id "a").parentId') && /circle/i.test(e))).toBe(
      true,
    );
    expect(errors.some((e) => e.includes('units[4] (id "b").parentId') && /circle/i.test(e))).toBe(
      true,
    );
    expect(errors.some((e) => e.includes('"skole"'))).toBe(false);
  });

  test('a unit that is its own parent is a cycle', () => {
    const f = minimalFile();
    f.units[2].parentId = 'ikt';
    expect(
      errorsOf(parseOrgFile(f)).some(
        (e) => e.includes('units[2] (id "ikt").parentId') && /circle/i.test(e),
      ),
    ).toBe(true);
  });

  test.each(['skole/1', 'a\\b', 'a#b', 'a?b', 'a\u0000b', ''])('unit id %j is refused', (id) => {
    const f = minimalFile();
    f.units[2].id = id;
    const errors = errorsOf(parseOrgFile(f));
    expect(errors.some((e) => e.startsWith('units[2]') && e.includes('.id'))).toBe(true);
  });

  test('a person id with "/" is refused and named', () => {
    const f = minimalFile();
    f.people[2].id = 'tenant/../p';
    const errors = errorsOf(parseOrgFile(f));
    expect(errors.some((e) => e.includes('people[2] (id "tenant/../p").id'))).toBe(true);
  });

  test('duplicate category ids', () => {
    const f = {
      ...minimalFile(),
      deviationCategories: [
        { id: 'hms', nb: 'HMS', en: 'HSE' },
        { id: 'hms', nb: 'HMS 2', en: 'HSE 2' },
      ],
    };
    expect(
      errorsOf(parseOrgFile(f)).some((e) => e.includes('deviationCategories[1] (id "hms").id')),
    ).toBe(true);
  });

  test.each([null, undefined, 'heim', 42, [], {}])(
    '%p is not an organisation file, and does not throw',
    (input) => {
      expect(() => parseOrgFile(input)).not.toThrow();
      expect(parseOrgFile(input).ok).toBe(false);
    },
  );
});
