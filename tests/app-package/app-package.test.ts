import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import JSZip from 'jszip';
import { PNG } from 'pngjs';
import { appPackageDir } from '../../appPackage/app-package-dir';
import { manifestCommandTitles } from '../../appPackage/bot-commands';
import {
  buildPackage,
  fillPlaceholders,
  main,
  validateLocalization,
  validateManifest,
} from '../../appPackage/build-package';
import { mergeValues, parseEnvFile, placeholderNames } from '../../appPackage/placeholders';
import { ACCENT } from '../../appPackage/draw-icons';

// @microsoft/app-manifest requires strip-bom 5, which is ESM only. Node 20.19+ loads it through
// require(esm); jest's module loader cannot, so the suite gets a CommonJS stand-in that does the
// same thing (drop a leading byte order mark).
jest.mock('strip-bom', () => ({
  __esModule: true,
  default: (text: string) => text.replace(/^\uFEFF/, ''),
}));

type Json = Record<string, any>;

const dir = appPackageDir();
const read = (name: string) => fs.readFileSync(path.join(dir, name), 'utf8');

/** Sample values, as the Agents Toolkit would write them after provisioning. */
function sampleValues(): Record<string, string> {
  return {
    TEAMS_APP_ID: crypto.randomUUID(),
    BOT_ID: crypto.randomUUID(),
    BOT_DOMAIN: 'internkontroll-a1b2c3.azurewebsites.net',
    APP_NAME_SUFFIX: 'dev',
    PUBLISHER_NAME: 'Heim kommune',
    PUBLISHER_WEBSITE_URL: 'https://www.heim.kommune.no',
    PUBLISHER_PRIVACY_URL: 'https://www.heim.kommune.no/personvern',
    PUBLISHER_TERMS_URL: 'https://www.heim.kommune.no/vilkar',
  };
}

function filled(name: string, values = sampleValues()): Json {
  const result = fillPlaceholders(read(name), values);
  expect(result.missing).toEqual([]);
  return JSON.parse(result.text);
}

describe('placeholders', () => {
  it('uses exactly the documented placeholders', () => {
    const used = placeholderNames(read('manifest.json') + read('en.json'));
    expect(used).toEqual(Object.keys(sampleValues()).sort());
  });

  it('lists every missing variable once, and allows an empty name suffix', () => {
    const result = fillPlaceholders(read('manifest.json'), {
      APP_NAME_SUFFIX: '',
      BOT_ID: '',
    });
    expect(result.missing).toEqual([
      'BOT_DOMAIN',
      'BOT_ID',
      'PUBLISHER_NAME',
      'PUBLISHER_PRIVACY_URL',
      'PUBLISHER_TERMS_URL',
      'PUBLISHER_WEBSITE_URL',
      'TEAMS_APP_ID',
    ]);
  });

  it('lets a non-empty environment variable win over the env file, as the toolkit does', () => {
    const merged = mergeValues(
      { BOT_ID: 'from-file', APP_NAME_SUFFIX: 'dev' },
      { BOT_ID: 'from-env', APP_NAME_SUFFIX: '', BOT_DOMAIN: '' },
    );
    expect(merged).toMatchObject({ BOT_ID: 'from-env', APP_NAME_SUFFIX: 'dev', BOT_DOMAIN: '' });
  });

  it('reads toolkit env files', () => {
    const values = parseEnvFile(
      '# comment\nTEAMSFX_ENV=dev\nAPP_NAME_SUFFIX=\nPUBLISHER_NAME="Heim kommune"\nX=1 # note\n',
    );
    expect(values).toEqual({
      TEAMSFX_ENV: 'dev',
      APP_NAME_SUFFIX: '',
      PUBLISHER_NAME: 'Heim kommune',
      X: '1',
    });
  });
});

describe('manifest', () => {
  it('is valid against the bundled schema once filled', async () => {
    expect(await validateManifest(filled('manifest.json'))).toEqual([]);
  });

  it('is valid for production, where the name suffix is empty', async () => {
    const manifest = filled('manifest.json', { ...sampleValues(), APP_NAME_SUFFIX: '' });
    expect(manifest.name.short).toBe('Internkontroll');
    expect(await validateManifest(manifest)).toEqual([]);
  });

  it('reports a missing bot id', async () => {
    const manifest = filled('manifest.json');
    delete manifest.bots[0].botId;
    const errors = await validateManifest(manifest);
    expect(errors.join('\n')).toMatch(/\/bots\/0 must have required property 'botId'/);
  });

  it('reports an accent colour that is not #rrggbb', async () => {
    const manifest = filled('manifest.json');
    manifest.accentColor = 'blue';
    const errors = await validateManifest(manifest);
    expect(errors.join('\n')).toMatch(/\/accentColor must match pattern/);
  });

  it('offers every feature in personal chat, the deviation commands in group chats, the channel subscriptions in teams, and the two message actions', () => {
    const manifest = filled('manifest.json');
    const lists = manifest.bots[0].commandLists as {
      scopes: string[];
      commands: { title: string }[];
    }[];
    expect(lists.map((l) => l.scopes)).toEqual([['personal'], ['team'], ['groupChat']]);
    // Tasks, the annual cycle and authority answer in personal chat only: a group chat is not offered them.
    const deviationCommands = ['meld avvik', 'mine avvik', 'åpne avvik', 'historikk', 'hjelp'];
    expect(lists[2].commands).toEqual(
      lists[0].commands.filter((c) => deviationCommands.includes(c.title)),
    );
    expect(lists[2].commands.map((c) => c.title)).toEqual(deviationCommands);
    expect(lists[0].commands.length).toBeLessThanOrEqual(10); // Teams shows at most 10
    expect(lists[1].commands.map((c) => c.title)).toEqual([
      'abonner avvik',
      'abonnementer',
      'avslutt abonnement',
      'hjelp',
    ]);
    expect(manifest.composeExtensions[0]).toMatchObject({
      botId: manifest.bots[0].botId,
      commands: [
        {
          id: 'reportDeviationFromMessage',
          type: 'action',
          context: ['message'],
          fetchTask: true,
          title: 'Meld avvik fra denne meldingen',
        },
        {
          id: 'createTaskFromMessage',
          type: 'action',
          context: ['message'],
          fetchTask: true,
          title: 'Lag oppgave fra denne meldingen',
        },
      ],
    });
  });

  it('uses the icon colour as accent colour', () => {
    const hex = `#${ACCENT.slice(0, 3)
      .map((c) => c.toString(16).padStart(2, '0'))
      .join('')}`;
    expect(filled('manifest.json').accentColor.toLowerCase()).toBe(hex);
  });
});

describe('English strings (en.json)', () => {
  it('validate against the localization schema and cover every command', async () => {
    expect(await validateLocalization(filled('en.json'), filled('manifest.json'))).toEqual([]);
  });

  it('are checked by the schema itself (a name longer than 30 characters)', async () => {
    const english = { ...filled('en.json'), 'name.short': 'x'.repeat(31) };
    const errors = await validateLocalization(english, filled('manifest.json'));
    expect(errors.join('\n')).toMatch(/name\.short must NOT have more than 30 characters/);
  });

  it('report a key that points nowhere', async () => {
    const key = 'bots[0].commandLists[0].commands[10].title';
    const english = { ...filled('en.json'), [key]: 'x' };
    const errors = await validateLocalization(english, filled('manifest.json'));
    expect(errors).toContain(`${key}: no such string in the manifest`);
  });

  it('report an untranslated command', async () => {
    const key = 'bots[0].commandLists[2].commands[4].description';
    const english = filled('en.json');
    delete english[key];
    const errors = await validateLocalization(english, filled('manifest.json'));
    expect(errors).toContain(`${key}: missing translation`);
  });
});

describe('command titles for the bot', () => {
  it('lists each command once per language, in menu order', () => {
    expect(manifestCommandTitles()).toEqual({
      nb: [
        'meld avvik',
        'mine avvik',
        'åpne avvik',
        'historikk',
        'mine oppgaver',
        'prosesser',
        'årshjul',
        'mine fullmakter',
        'deleger fullmakt',
        'hjelp',
        'abonner avvik',
        'abonnementer',
        'avslutt abonnement',
      ],
      en: [
        'report deviation',
        'my deviations',
        'open deviations',
        'history',
        'my tasks',
        'processes',
        'annual cycle',
        'my authority',
        'delegate authority',
        'help',
        'subscribe deviations',
        'subscriptions',
        'unsubscribe',
      ],
    });
  });
});

describe('icons', () => {
  const png = (name: string) => PNG.sync.read(fs.readFileSync(path.join(dir, name)));

  it('color.png is an opaque 192x192 square', () => {
    const color = png('color.png');
    expect([color.width, color.height]).toEqual([192, 192]);
    const seeThrough = color.data.filter((_, i) => i % 4 === 3 && color.data[i] !== 255);
    expect(seeThrough.length).toBe(0); // Teams wants a solid square; it rounds the corners itself
  });

  it('outline.png is 32x32, white on fully transparent', () => {
    const outline = png('outline.png');
    expect([outline.width, outline.height]).toEqual([32, 32]);
    let white = 0;
    const offColour: string[] = [];
    for (let i = 0; i < outline.data.length; i += 4) {
      const [r, g, b, a] = outline.data.subarray(i, i + 4);
      if (a === 0) continue;
      white++;
      if (r !== 255 || g !== 255 || b !== 255) offColour.push(`pixel ${i / 4}: ${[r, g, b, a]}`);
    }
    expect(offColour).toEqual([]);
    expect(white).toBeGreaterThan(100); // there is a symbol at all
  });
});

describe('building the package', () => {
  let outDir: string;
  beforeEach(() => {
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'app-package-'));
  });
  afterEach(() => fs.rmSync(outDir, { recursive: true, force: true }));

  it('zips the filled manifest, both icons and the English strings', async () => {
    const values = sampleValues();
    const result = await buildPackage({ sourceDir: dir, outDir, envName: 'test', values });
    if (!result.ok) throw new Error(result.problems.join('\n'));
    expect(result.zipPath).toBe(path.join(outDir, 'appPackage.test.zip'));
    const zip = await JSZip.loadAsync(fs.readFileSync(result.zipPath));
    expect(Object.keys(zip.files).sort()).toEqual([
      'color.png',
      'en.json',
      'manifest.json',
      'outline.png',
    ]);
    const manifestText = await zip.file('manifest.json')!.async('string');
    expect(manifestText).not.toContain('${{');
    expect(JSON.parse(manifestText).bots[0].botId).toBe(values.BOT_ID);
    const icon = await zip.file('color.png')!.async('nodebuffer');
    expect(icon.equals(fs.readFileSync(path.join(dir, 'color.png')))).toBe(true);
  });

  it('writes nothing and names every missing variable', async () => {
    const { BOT_ID, BOT_DOMAIN, ...values } = sampleValues();
    const result = await buildPackage({ sourceDir: dir, outDir, envName: 'test', values });
    expect(result).toEqual({
      ok: false,
      problems: ['BOT_DOMAIN is not set', 'BOT_ID is not set'],
    });
    expect(fs.readdirSync(outDir)).toEqual([]);
  });

  it('writes nothing when the filled manifest is invalid', async () => {
    const values = { ...sampleValues(), BOT_ID: 'not-a-guid' };
    const result = await buildPackage({ sourceDir: dir, outDir, envName: 'test', values });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems.join('\n')).toMatch(/manifest\.json: \/bots\/0\/botId/);
    expect(fs.readdirSync(outDir)).toEqual([]);
  });

  it('exits with 1 and lists the missing variables on the command line', async () => {
    const lines: string[] = [];
    const code = await main(['--env', 'no-such-env'], {}, (line) => lines.push(line));
    expect(code).toBe(1);
    expect(lines.join('\n')).toContain('TEAMS_APP_ID is not set');
    expect(lines.join('\n')).toContain('PUBLISHER_NAME is not set');
  });
});
