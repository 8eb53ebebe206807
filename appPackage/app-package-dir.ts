import fs from 'node:fs';
import path from 'node:path';

/**
 * The folder holding manifest.json and the icons. These scripts run from three places: the
 * source folder (jest), dist/appPackage (the root build) and a scratch folder (a one-off tsc
 * compile), so look next to the code first, then two levels up, then under the working folder.
 */
export function appPackageDir(): string {
  const candidates = [
    __dirname,
    path.resolve(__dirname, '../../appPackage'),
    path.resolve(process.cwd(), 'appPackage'),
  ];
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, 'manifest.json')));
  if (!found) {
    throw new Error(`appPackage/manifest.json not found; looked in:\n  ${candidates.join('\n  ')}`);
  }
  return found;
}
