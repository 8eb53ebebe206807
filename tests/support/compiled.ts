import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The project compiled by tsc into a folder of its own under dist/ (a suite that runs `tsc`
 * into dist/ at the same time cannot leave it half written), for tests that run compiled
 * entry points as real processes. Reused while it is fresh: no source under bot/ or
 * tests/support/ is newer than its compiled file. Returns the path of `entry` (a source path
 * such as 'bot/app/scheduler-tick.ts') compiled.
 */
const ROOT = path.resolve(__dirname, '..', '..');

export function compiled(folder: string, entry: string): string {
  const out = path.join(ROOT, 'dist', folder);
  const target = path.join(out, entry.replace(/\.ts$/, '.js'));
  if (staleIn(out).length === 0 && fs.existsSync(target)) return target;
  try {
    execFileSync(
      process.execPath,
      [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--outDir', out],
      { cwd: ROOT, stdio: 'pipe' },
    );
  } catch (err) {
    // tsc emits despite type errors; an error elsewhere in a shared checkout need not stop us.
    const output = String((err as { stdout?: Buffer }).stdout ?? err);
    if (staleIn(out).length > 0 || !fs.existsSync(target))
      throw new Error(`tsc failed to compile ${entry}:\n${output}`);
    console.warn(`tsc reported errors, ${entry} compiled anyway:\n${output.slice(0, 2000)}`);
  }
  return target;
}

/** Compiled files older than their sources (bot/, tests/support/) in `out`. */
function staleIn(out: string): string[] {
  const stale: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        const rel = path.relative(ROOT, full);
        const js = path.join(out, rel.replace(/\.ts$/, '.js'));
        if (!fs.existsSync(js) || fs.statSync(js).mtimeMs < fs.statSync(full).mtimeMs)
          stale.push(rel);
      }
    }
  };
  walk(path.join(ROOT, 'bot'));
  walk(path.join(ROOT, 'tests', 'support'));
  return stale;
}
