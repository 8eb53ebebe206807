import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importOrgFile } from '../../bot/app/import-org';
import { OrgStore } from '../../bot/org/org-store';
import { openTables } from '../../bot/store/tables';
import { freshTables, startTestAzurite, uniquePrefix, type TestAzurite } from '../support/azurite';
import { DEMO_ORG_FILE, demoOrgFile } from '../support/bot-under-test';

/** Importing the organisation: upsert, never wipe silently, reject invalid files before writing. */
let azurite: TestAzurite;
let folder: string;
const EMIL = '7c1a2b3d-0001-4a10-9c01-000000000401';
const INGRID = '00000000-0000-0000-0000-0000000000020';

beforeAll(async () => {
  azurite = await startTestAzurite();
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'ik-org-'));
});
afterAll(async () => {
  fs.rmSync(folder, { recursive: true, force: true });
  await azurite?.stop();
});

function writeJson(name: string, json: unknown): string {
  const file = path.join(folder, name);
  fs.writeFileSync(file, typeof json === 'string' ? json : JSON.stringify(json));
  return file;
}

test('importFile upserts; a second import without a person reports and keeps them; removeMissing removes them', async () => {
  const { tables } = await freshTables(azurite);
  const org = new OrgStore(tables, 0);
  const demo = demoOrgFile();

  const first = await org.importFile(demo, { removeMissing: false });
  expect(first).toMatchObject({
    units: demo.units.length,
    people: demo.people.length,
    missingUnits: [],
    missingPeople: [],
    removed: false,
  });
  const snapshot = await org.snapshot();
  expect(snapshot.municipality).toBe('Heim kommune');
  expect(snapshot.org.people.size).toBe(demo.people.length);
  expect(snapshot.org.units.get('sentrum-barnehage')?.leaderId).toBe(INGRID);

  // Ingrid renamed, Emil left out: upsert changes Ingrid, keeps Emil and says so.
  const without = {
    ...demo,
    people: demo.people
      .filter((p) => p.id !== EMIL)
      .map((p) => (p.id === INGRID ? { ...p, name: 'Ingrid Haugen Lie' } : p)),
  };
  const second = await org.importFile(without, { removeMissing: false });
  expect(second.missingPeople).toEqual([EMIL]);
  expect(second.missingUnits).toEqual([]);
  expect(second.removed).toBe(false);
  const kept = await org.snapshot();
  expect(kept.org.people.get(EMIL)?.name).toBe('Emil Vik');
  expect(kept.org.people.get(INGRID)?.name).toBe('Ingrid Haugen Lie');

  const third = await org.importFile(without, { removeMissing: true });
  expect(third).toMatchObject({ missingPeople: [EMIL], removed: true });
  expect((await org.snapshot()).org.people.has(EMIL)).toBe(false);
  expect((await org.snapshot()).org.people.size).toBe(demo.people.length - 1);
});

test('a unit left out of the file is kept unless removal is asked for', async () => {
  const { tables } = await freshTables(azurite);
  const org = new OrgStore(tables, 0);
  const demo = demoOrgFile();
  await org.importFile(demo, { removeMissing: false });
  const noUtvikling = {
    ...demo,
    units: demo.units.filter((u) => u.id !== 'utvikling'),
    people: demo.people.filter((p) => p.unitId !== 'utvikling'),
  };
  const summary = await org.importFile(noUtvikling, { removeMissing: false });
  expect(summary.missingUnits).toEqual(['utvikling']);
  expect((await org.snapshot()).org.units.has('utvikling')).toBe(true);
});

test('importOrgFile (npm run org:import) imports a valid file', async () => {
  const prefix = uniquePrefix();
  const summary = await importOrgFile(DEMO_ORG_FILE, azurite.location, prefix, false);
  expect(summary).toMatchObject({ units: 10, people: 19, missingPeople: [], missingUnits: [] });
  const org = new OrgStore(openTables(azurite.location, prefix), 0);
  expect((await org.snapshot()).org.people.get(EMIL)?.name).toBe('Emil Vik');
});

async function importError(
  json: unknown,
  name: string,
): Promise<{ message: string; prefix: string }> {
  const file = writeJson(name, json);
  const prefix = uniquePrefix();
  let message = '';
  await importOrgFile(file, azurite.location, prefix, false).catch(
    (err: Error) => (message = err.message),
  );
  return { message, prefix };
}

async function nothingWritten(prefix: string): Promise<boolean> {
  const tables = openTables(azurite.location, prefix);
  await tables.ensure();
  return new OrgStore(tables, 0).isEmpty();
}

test('importOrgFile rejects a file with broken references, naming entry and field, and writes nothing', async () => {
  const json = JSON.parse(fs.readFileSync(DEMO_ORG_FILE, 'utf8'));
  json.people[6].unitId = 'sentrum-bhg'; // Sofie Lunde
  json.units[2].parentId = 'nowhere'; // heim-skole
  const { message, prefix } = await importError(json, 'references.json');
  expect(message).toContain('is not a valid organisation file');
  expect(message).toContain(
    'people[6] (id "00000000-0000-0000-0000-0000000000024").unitId: unknown unit "sentrum-bhg"',
  );
  expect(message).toContain('units[2] (id "heim-skole").parentId: unknown unit "nowhere"');
  expect(await nothingWritten(prefix)).toBe(true);
});

test('importOrgFile rejects a file with a missing field, naming entry and field, and writes nothing', async () => {
  const json = JSON.parse(fs.readFileSync(DEMO_ORG_FILE, 'utf8'));
  delete json.people[7].role; // Emil Vik
  json.units[1].kind = 'barnehage'; // sentrum-barnehage
  const { message, prefix } = await importError(json, 'fields.json');
  expect(message).toContain(`people[7] (id "${EMIL}").role`);
  expect(message).toContain('units[1] (id "sentrum-barnehage").kind');
  expect(await nothingWritten(prefix)).toBe(true);
});

test('importOrgFile rejects a file that is not JSON, naming the file', async () => {
  const file = writeJson('broken.json', '{ "municipality": "Heim", ');
  await expect(importOrgFile(file, azurite.location, uniquePrefix(), false)).rejects.toThrow(
    /broken\.json: not readable JSON/,
  );
});
