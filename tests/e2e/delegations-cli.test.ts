import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { delegationStores } from '../../bot/delegations/delegation-store';
import { OutboxStore } from '../../bot/store/outbox-store';
import { startTestAzurite, type TestAzurite } from '../support/azurite';
import { SIGNING_SECRET, startBotUnderTest, type BotUnderTest } from '../support/bot-under-test';
import { compiled } from '../support/compiled';

/**
 * The delegation register's operator commands as real processes against Azurite, as `npm run
 * authority:import -- <file>` and `npm run report:fullmakter` run them: validation names the
 * entry and the field, a rule broken against the organisation stores nothing, an import twice
 * registers nothing new, an area left out is kept; the reglement as HTML and CSV as of a date.
 */
jest.setTimeout(180_000);
const DEMO = path.join(__dirname, '../../bot/delegations/demo/heim-fullmakter.json');
let azurite: TestAzurite;
let t: BotUnderTest;
let cli = '';
let dir = '';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function authority(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, ...args],
      {
        env: {
          PATH: process.env.PATH,
          TABLE_PREFIX: t.prefix,
          AZURITE_URL: azurite.url,
          CARD_SIGNING_SECRET: SIGNING_SECRET,
          LOG_LEVEL: 'silent',
        },
      },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const demo = () => JSON.parse(fs.readFileSync(DEMO, 'utf8'));
function writeFile(name: string, json: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(json));
  return file;
}
const stored = () => delegationStores(t.bot.tables, new OutboxStore(t.bot.tables)).register.read();

beforeAll(async () => {
  cli = compiled('cli-build', 'bot/app/authority-cli.ts');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fullmakter-'));
  azurite = await startTestAzurite();
  t = await startBotUnderTest({ azurite });
  await t.bot.close(200);
});
afterAll(async () => {
  await t?.stop();
  await azurite?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('an invalid file: every error names the entry and the field; nothing is stored', async () => {
  const file = demo();
  file.areas[3].basis.url = 'https://example.com/innkjop';
  const run = await authority('import', writeFile('bad.json', file));
  expect(run.code).toBe(1);
  expect(run.stderr).toContain('areas[3] (id "innkjop").basis.url: must be a Lovdata address');
  const other = demo();
  const sofie = other.grants.findIndex((g: { id: string }) => g.id === 'innkjop-sofie');
  other.grants[sofie].parent = 'x';
  const second = await authority('import', writeFile('bad-parent.json', other));
  expect(second.code).toBe(1);
  expect(second.stderr).toContain(
    `grants[${sofie}] (id "innkjop-sofie").parent: unknown grant "x"`,
  );
  expect((await stored()).areas).toHaveLength(0);
});

test('a grant that breaks a rule against the organisation: the rule is named, nothing stored', async () => {
  const file = demo();
  // Lars leads barnevern: not below Ingrid (rule 1).
  file.grants.push({
    id: 'attestasjon-lars',
    area: 'attestasjon',
    from: '00000000-0000-0000-0000-0000000000020',
    to: { person: '00000000-0000-0000-0000-0000000000025' },
    parent: 'attestasjon-sentrum-barnehage',
    validFrom: '2025-01-01',
  });
  const run = await authority('import', writeFile('outside.json', file));
  expect(run.code).toBe(1);
  expect(run.stderr).toMatch(
    /grants\[\d+\] \(id "attestasjon-lars"\): Rule 1 \(only in the line\)/,
  );
  expect((await stored()).grants).toHaveLength(0);
});

test('the demo file imports; a second import registers nothing new; a missing area is kept', async () => {
  const first = await authority('import', DEMO);
  expect(first.stderr).toBe('');
  expect(first.code).toBe(0);
  const count = demo().grants.length;
  expect(first.stdout).toContain(`Grants: ${count} registered, 0 imported before.`);
  const register = await stored();
  expect(register.areas).toHaveLength(12);
  expect(register.grants).toHaveLength(count);
  expect(register.grants.every((g) => g.status === 'active' && g.origin === 'registered')).toBe(
    true,
  );

  const file = demo();
  const removed = file.areas.findIndex((a: { id: string }) => a.id === 'byggesak');
  file.areas.splice(removed, 1);
  file.grants = file.grants.filter((g: { area: string }) => g.area !== 'byggesak');
  file.areas[0].notes = 'Endret i filen';
  const second = await authority('import', writeFile('changed.json', file));
  expect(second.code).toBe(0);
  expect(second.stdout).toContain('Areas: 0 new, 1 changed');
  expect(second.stdout).toContain('0 registered');
  expect(second.stdout).toContain('were kept: byggesak');
  const after = await stored();
  expect(after.grants).toHaveLength(count);
  expect(after.areas.map((a) => a.id)).toContain('byggesak');
});

test('report:fullmakter writes the reglement as HTML and CSV, as of a date', async () => {
  const out = path.join(dir, 'out');
  const now = await authority('report', '--as-of', '2026-12-01', '--out', out);
  expect(now.code).toBe(0);
  const html = fs.readFileSync(path.join(out, 'delegeringsreglement-2026-12-01.html'), 'utf8');
  expect(html).toContain('Delegeringsreglement – Heim kommune');
  expect(html).toContain('Ingrid Haugen');
  expect(html).toContain('href="https://lovdata.no/');
  const csv = fs.readFileSync(path.join(out, 'delegeringsreglement-2026-12-01.csv'), 'utf8');
  expect(csv.charCodeAt(0)).toBe(0xfeff);
  const rowsNow = csv.trim().split('\r\n').length;

  // Before the rådmann passed anything on (2024-05-01), only the council's grants applied.
  const then = await authority('report', '--as-of', '2024-04-15', '--out', out);
  expect(then.code).toBe(0);
  const early = fs.readFileSync(path.join(out, 'delegeringsreglement-2024-04-15.csv'), 'utf8');
  const rowsThen = early.trim().split('\r\n').length;
  expect(rowsThen).toBeLessThan(rowsNow);
  expect(early).not.toContain('Sofie Lunde');

  const bad = await authority('report', '--as-of', '2026-02-30');
  expect(bad.code).toBe(2);
});
