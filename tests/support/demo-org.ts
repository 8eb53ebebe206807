import fs from 'node:fs';
import path from 'node:path';
import { parseOrgFile, type OrgFile } from '../../bot/org/org-file';
import type { Organisation } from '../../bot/org/organisation';

/** The demo organisation of Heim kommune, bot/org/demo/heim-kommune.json, for every test suite. */

/** Found by walking up, so it works from tests/support and from dist/tests/support (tsc copies no JSON). */
function findUp(relative: string): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, relative);
    if (fs.existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error(`${relative} not found above ${__dirname}`);
}

export const DEMO_ORG_FILE = findUp(path.join('bot', 'org', 'demo', 'heim-kommune.json'));

let demoText: string | undefined;

/** The demo file as JSON: read once, a fresh copy each call (tests may change what they get). */
export function readDemoOrgJson(): Record<string, any> {
  demoText ??= fs.readFileSync(DEMO_ORG_FILE, 'utf8');
  return JSON.parse(demoText);
}

function parseDemoOrg(): { file: OrgFile; org: Organisation } {
  const result = parseOrgFile(readDemoOrgJson());
  if (!result.ok) throw new Error(`demo organisation invalid: ${result.errors.join('; ')}`);
  return result;
}

/** The demo file as parsed, ready for OrgStore.importFile (a fresh copy each call). */
export function demoOrgFile(): OrgFile {
  return parseDemoOrg().file;
}

/** The demo organisation as the domain sees it (a fresh copy each call). */
export function demoOrg(): Organisation {
  return parseDemoOrg().org;
}
