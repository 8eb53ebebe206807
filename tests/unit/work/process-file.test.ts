import fs from 'node:fs';
import path from 'node:path';
import {
  checkProcessesAgainstOrg,
  parseProcessFile,
  processFromEntry,
} from '../../../bot/processes/process-file';
import { demoOrg } from '../../support/demo-org';
import { DEMO_PEOPLE } from '../../support/demo-people';

const org = demoOrg();
const demo = JSON.parse(
  fs.readFileSync(path.join(__dirname, '../../../bot/processes/demo/heim-prosesser.json'), 'utf8'),
);

test('the demo catalogue holds the seven processes of section 5 and agrees with the demo org', () => {
  const parsed = parseProcessFile(demo);
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  expect(parsed.file.processes.map((p) => p.name.nb)).toEqual([
    'Barn og unge',
    'Folkehelse',
    'Digitalisering',
    'Aldersvennlig samfunn',
    'Brukermedvirkning/involvering',
    'Kommuneplan',
    'Økonomiplan / budsjett',
  ]);
  expect(checkProcessesAgainstOrg(parsed.file, org)).toEqual([]);
});

test('Aldersvennlig samfunn is anchored with Ingrid in the group; unanchored ones are drafts', () => {
  const parsed = parseProcessFile(demo);
  if (!parsed.ok) throw new Error();
  const processes = parsed.file.processes.map((e) => processFromEntry(e, org));
  const aldersvennlig = processes.find((p) => p.ref === 'aldersvennlig-samfunn')!;
  expect(aldersvennlig.status).toBe('active');
  expect(aldersvennlig.members.map((m) => m.personId)).toContain(DEMO_PEOPLE.ingrid.id);
  expect(processes.filter((p) => p.status === 'draft').map((p) => p.ref)).toEqual([
    'folkehelse',
    'brukermedvirkning',
  ]);
});

test('errors name the entry and the field, and every error is reported at once', () => {
  const bad = structuredClone(demo);
  bad.processes[2].owner = 'a/b';
  delete bad.processes[3].mandate;
  bad.processes[5].colour = 'blue';
  const parsed = parseProcessFile(bad);
  expect(parsed.ok).toBe(false);
  if (parsed.ok) return;
  expect(parsed.errors).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^processes\[2\] \(id "digitalisering"\)\.owner: must not contain/),
      expect.stringMatching(/^processes\[3\] \(id "aldersvennlig-samfunn"\)\.mandate: Required/),
      expect.stringMatching(/^processes\[5\] \(id "kommuneplan"\): Unrecognized key.*colour/),
    ]),
  );
});

test('across entries (once every entry is well formed): duplicate ids, creators outside the group', () => {
  const bad = structuredClone(demo);
  bad.processes[3].creators = [DEMO_PEOPLE.anders.id];
  bad.processes[4].id = 'barn-og-unge';
  const parsed = parseProcessFile(bad);
  expect(parsed).toEqual({
    ok: false,
    errors: [
      'processes[3] (id "aldersvennlig-samfunn").creators[0]: must be the owner or a member',
      'processes[4] (id "barn-og-unge").id: duplicate id "barn-og-unge"',
    ],
  });
});

test('people the organisation does not know, and an owner who leads nothing, are named', () => {
  const bad = structuredClone(demo);
  bad.processes[0].owner = DEMO_PEOPLE.emil.id;
  bad.processes[1].members = ['ghost'];
  const parsed = parseProcessFile(bad);
  if (!parsed.ok) throw new Error(parsed.errors.join());
  expect(checkProcessesAgainstOrg(parsed.file, org)).toEqual([
    'processes[0] (id "barn-og-unge").owner: must be an enhetsleder or stabsleder (is ansatt)',
    'processes[1] (id "folkehelse").members[0]: not in the organisation',
  ]);
});
