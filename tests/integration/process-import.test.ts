import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importProcessFile } from '../../bot/processes/process-import';
import { ProcessStore } from '../../bot/processes/process-store';
import { OutboxStore } from '../../bot/store/outbox-store';
import { openTables, type Tables } from '../../bot/store/tables';
import { startTestAzurite, type TestAzurite } from '../support/azurite';
import { demoOrg } from '../support/demo-org';

/**
 * `npm run processes:import`: the catalogue file into Azurite. Errors name the entry and the
 * field and store nothing; people the organisation does not know are warnings; importing twice
 * changes nothing; an edit updates the process and keeps its group.
 */
const DEMO = path.join(__dirname, '../../bot/processes/demo/heim-prosesser.json');
const NOW = new Date('2027-03-08T09:00:00Z');
let azurite: TestAzurite;
let tables: Tables;
let store: ProcessStore;
let dir: string;

beforeAll(async () => {
  azurite = await startTestAzurite();
  tables = openTables(azurite.location, 'pimp');
  await tables.ensure();
  store = new ProcessStore(tables, new OutboxStore(tables));
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'processes-'));
});
afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  await azurite?.stop();
});

const write = (name: string, json: unknown) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof json === 'string' ? json : JSON.stringify(json));
  return file;
};
const demo = () => JSON.parse(fs.readFileSync(DEMO, 'utf8'));

test('a broken file is refused whole, every error named, nothing stored', async () => {
  const bad = demo();
  bad.processes[1].owner = 'a/b';
  bad.processes[2].colour = 'red';
  const outcome = await importProcessFile(write('bad.json', bad), store, demoOrg(), NOW);
  expect(outcome.ok).toBe(false);
  if (outcome.ok) return;
  expect(outcome.errors).toEqual([
    expect.stringMatching(/^processes\[1\] \(id "folkehelse"\)\.owner: /),
    expect.stringMatching(/^processes\[2\] \(id "digitalisering"\): Unrecognized key/),
  ]);
  expect(await store.list()).toEqual([]);
  const notJson = await importProcessFile(write('x.json', '{'), store, demoOrg(), NOW);
  expect(notJson).toMatchObject({
    ok: false,
    errors: [expect.stringContaining('not readable JSON')],
  });
});

test('the demo imports; twice changes nothing; an edit updates and keeps the group', async () => {
  const first = await importProcessFile(write('demo.json', demo()), store, demoOrg(), NOW);
  expect(first).toMatchObject({ ok: true, warnings: [] });
  if (!first.ok) return;
  expect(first.result.added).toHaveLength(7);
  const again = await importProcessFile(write('demo.json', demo()), store, demoOrg(), NOW);
  expect(again.ok && again.result.unchanged).toHaveLength(7);
  const edited = demo();
  edited.processes[3].mandate = 'Nytt mandat';
  edited.processes[3].members = [];
  edited.processes[3].creators = [];
  const third = await importProcessFile(write('edited.json', edited), store, demoOrg(), NOW);
  expect(third.ok && third.result.changed).toEqual(['aldersvennlig-samfunn']);
  const stored = (await store.get('aldersvennlig-samfunn'))!.record;
  expect(stored.mandate).toBe('Nytt mandat');
  expect(stored.members).toHaveLength(2);
});

test('someone the organisation does not know is a warning naming the entry and field', async () => {
  const file = demo();
  file.processes[0].members = ['ghost'];
  const outcome = await importProcessFile(write('ghost.json', file), store, demoOrg(), NOW);
  expect(outcome.ok && outcome.warnings).toEqual([
    'processes[0] (id "barn-og-unge").members[0]: not in the organisation',
  ]);
});
