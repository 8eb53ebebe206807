import fs from 'node:fs';
import path from 'node:path';
import JSZip from 'jszip';
import { appPackageDir } from './app-package-dir';
import { validateLocalization, validateManifest } from './manifest-schema';
import { fillPlaceholders, mergeValues, readEnvFile, type PlaceholderValues } from './placeholders';

export { fillPlaceholders } from './placeholders';
export { validateLocalization, validateManifest } from './manifest-schema';

export interface BuildOptions {
  /** Folder with manifest.json, its icons and language files. */
  sourceDir: string;
  /** Where the zip goes; created when missing. */
  outDir: string;
  /** Names the zip: appPackage.<envName>.zip, like the Agents Toolkit. */
  envName: string;
  values: PlaceholderValues;
}

export type BuildResult =
  { ok: true; zipPath: string; files: string[] } | { ok: false; problems: string[] };

type Json = Record<string, unknown>;

/** Files the manifest points at, in the order Teams documents them: icons, then languages. */
function referencedFiles(manifest: Json): { icons: string[]; languages: string[] } {
  const icons = manifest.icons as { color: string; outline: string };
  const localization = manifest.localizationInfo as
    { defaultLanguageFile?: string; additionalLanguages?: { file: string }[] } | undefined;
  const languages = [
    ...(localization?.defaultLanguageFile ? [localization.defaultLanguageFile] : []),
    ...(localization?.additionalLanguages ?? []).map((l) => l.file),
  ];
  return { icons: [icons.color, icons.outline], languages };
}

/**
 * Fills the manifest and its language files, validates them against the bundled schemas and
 * zips them with the icons. Nothing is written unless everything is valid.
 */
export async function buildPackage(options: BuildOptions): Promise<BuildResult> {
  const read = (name: string) => fs.readFileSync(path.join(options.sourceDir, name), 'utf8');
  const filledManifest = fillPlaceholders(read('manifest.json'), options.values);
  // Parse the unfilled manifest too: it names the files even when values are missing.
  const { icons, languages } = referencedFiles(JSON.parse(read('manifest.json')) as Json);
  const filledLanguages = languages.map((file) => ({
    file,
    ...fillPlaceholders(read(file), options.values),
  }));

  const missing = [
    ...new Set([...filledManifest.missing, ...filledLanguages.flatMap((l) => l.missing)]),
  ].sort();
  if (missing.length > 0) {
    return { ok: false, problems: missing.map((name) => `${name} is not set`) };
  }

  const manifest = JSON.parse(filledManifest.text) as Json;
  const problems = (await validateManifest(manifest)).map((p) => `manifest.json: ${p}`);
  for (const language of filledLanguages) {
    const errors = await validateLocalization(JSON.parse(language.text) as Json, manifest);
    problems.push(...errors.map((p) => `${language.file}: ${p}`));
  }
  for (const icon of icons) {
    if (!fs.existsSync(path.join(options.sourceDir, icon))) problems.push(`${icon}: not found`);
  }
  if (problems.length > 0) return { ok: false, problems };

  const zip = new JSZip();
  zip.file('manifest.json', JSON.stringify(manifest, null, 2));
  for (const icon of icons) zip.file(icon, fs.readFileSync(path.join(options.sourceDir, icon)));
  for (const language of filledLanguages) zip.file(language.file, language.text);

  fs.mkdirSync(options.outDir, { recursive: true });
  const zipPath = path.join(options.outDir, `appPackage.${options.envName}.zip`);
  const bytes = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
  fs.writeFileSync(zipPath, bytes);
  return { ok: true, zipPath, files: Object.keys(zip.files).sort() };
}

/** `--env <name>` from the arguments; otherwise TEAMSFX_ENV; otherwise "dev". */
export function envNameFrom(argv: string[], environment: NodeJS.ProcessEnv): string {
  const at = argv.indexOf('--env');
  if (at >= 0 && argv[at + 1]) return argv[at + 1];
  return environment.TEAMSFX_ENV || 'dev';
}

/** The command line: returns the exit code instead of exiting, so tests can call it. */
export async function main(
  argv: string[],
  environment: NodeJS.ProcessEnv,
  print: (line: string) => void = console.log,
): Promise<number> {
  const sourceDir = appPackageDir();
  const envName = envNameFrom(argv, environment);
  const envFile = path.resolve(sourceDir, '..', 'env', `.env.${envName}`);
  const fileValues = readEnvFile(envFile);
  if (argv.includes('--env') && Object.keys(fileValues).length === 0) {
    print(`Note: ${envFile} not found or empty; using environment variables only.`);
  }
  const result = await buildPackage({
    sourceDir,
    outDir: path.join(sourceDir, 'build'),
    envName,
    values: mergeValues(fileValues, environment),
  });
  if (!result.ok) {
    print(`App package for "${envName}" NOT built:`);
    for (const problem of result.problems) print(`  - ${problem}`);
    print(`Values come from the environment, then ${path.relative(process.cwd(), envFile)}.`);
    return 1;
  }
  print(`Built ${result.zipPath} (${result.files.join(', ')})`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2), process.env).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
