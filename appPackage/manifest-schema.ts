import fs from 'node:fs';
import path from 'node:path';
import { AppManifestUtils, type AppManifest } from '@microsoft/app-manifest';

type Json = Record<string, unknown>;
type SchemaKind = 'MicrosoftTeams' | 'MicrosoftTeams.Localization';
type SchemaArgument = Parameters<typeof AppManifestUtils.validateAgainstSchema>[1];

const SCHEMA_URL =
  /\/teams\/(v\d+\.\d+|vDevPreview)\/MicrosoftTeams(?:\.Localization)?\.schema\.json$/;

/** The schema version a `$schema` URL names ("v1.22"), or undefined for any other URL. */
export function schemaVersion(schemaUrl: unknown): string | undefined {
  return typeof schemaUrl === 'string' ? SCHEMA_URL.exec(schemaUrl)?.[1] : undefined;
}

/**
 * Loads a schema from the copy bundled with @microsoft/app-manifest. We pass it explicitly to
 * validateAgainstSchema because without one the library fetches unknown URLs from the internet.
 */
export function bundledSchema(version: string, kind: SchemaKind): Json {
  const packageRoot = path.dirname(require.resolve('@microsoft/app-manifest/package.json'));
  const folder = path.join(packageRoot, 'build', 'json-schemas', 'teams', version);
  const file = path.join(folder, `${kind}.schema.json`);
  if (!fs.existsSync(file)) {
    throw new Error(`@microsoft/app-manifest has no ${kind} schema ${version} (${file})`);
  }
  return repairPatterns(JSON.parse(fs.readFileSync(file, 'utf8'))) as Json;
}

/**
 * Microsoft's localization schemas (v1.19 to v1.30 at least) contain patterns such as
 * `activityTypes\[\b(...)\b]`: a lone `]` is fine in a plain JavaScript RegExp but not with the
 * `u` flag that ajv uses, so the schema would not compile at all. Escaping such a `]` keeps the
 * meaning and lets ajv compile it; valid patterns are left untouched.
 */
export function repairPatterns(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(repairPatterns);
  if (node === null || typeof node !== 'object') return node;
  const repaired: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'pattern' && typeof value === 'string') {
      repaired[key] = repairPattern(value);
    } else if (key === 'patternProperties' && value && typeof value === 'object') {
      repaired[key] = Object.fromEntries(
        Object.entries(value).map(([p, v]) => [repairPattern(p), repairPatterns(v)]),
      );
    } else {
      repaired[key] = repairPatterns(value);
    }
  }
  return repaired;
}

function repairPattern(pattern: string): string {
  try {
    new RegExp(pattern, 'u');
    return pattern;
  } catch {
    let out = '';
    let inClass = false;
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern[i];
      if (c === '\\') {
        out += c + (pattern[++i] ?? '');
      } else if (c === ']' && !inClass) {
        out += '\\]';
      } else {
        if (c === '[') inClass = true;
        if (c === ']') inClass = false;
        out += c;
      }
    }
    return out;
  }
}

async function validateAgainst(document: Json, version: string, kind: SchemaKind) {
  // The library types its arguments per manifest kind; a localization file is validated the
  // same way (draft-04 ajv), so the casts only quieten the types.
  return AppManifestUtils.validateAgainstSchema(
    document as unknown as AppManifest,
    bundledSchema(version, kind) as unknown as SchemaArgument,
  );
}

/** Schema errors of a filled manifest, offline; an empty list means valid. */
export async function validateManifest(manifest: Json): Promise<string[]> {
  const version = schemaVersion(manifest.$schema);
  if (!version) return [`$schema is not a Teams manifest schema: ${String(manifest.$schema)}`];
  const problems: string[] = [];
  const declared = `v${String(manifest.manifestVersion)}`;
  if (declared !== version && version !== 'vDevPreview') {
    problems.push(`manifestVersion ${declared} does not match $schema ${version}`);
  }
  return [...problems, ...(await validateAgainst(manifest, version, 'MicrosoftTeams'))];
}

/**
 * Schema errors of a localization file, plus what the schema cannot see: Teams wants the same
 * schema version as the manifest, every key must point at a string the manifest has, and every
 * command must be translated (an untranslated one shows Norwegian to English users).
 */
export async function validateLocalization(localization: Json, manifest: Json): Promise<string[]> {
  const version = schemaVersion(localization.$schema);
  if (!version) {
    return [`$schema is not a Teams localization schema: ${String(localization.$schema)}`];
  }
  const problems: string[] = [];
  if (version !== schemaVersion(manifest.$schema)) {
    problems.push(`localization schema ${version} differs from the manifest's`);
  }
  for (const key of Object.keys(localization)) {
    if (key === '$schema' || key === 'localizationKeys') continue;
    if (typeof valueAt(manifest, key) !== 'string') {
      problems.push(`${key}: no such string in the manifest`);
    }
  }
  for (const key of translatableCommandKeys(manifest)) {
    if (!(key in localization)) problems.push(`${key}: missing translation`);
  }
  const schemaErrors = await validateAgainst(localization, version, 'MicrosoftTeams.Localization');
  return [...problems, ...schemaErrors];
}

/** Follows a localization key such as `bots[0].commandLists[1].commands[2].title`. */
export function valueAt(document: unknown, key: string): unknown {
  let node: unknown = document;
  for (const step of key.match(/[^.[\]]+/g) ?? []) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[step];
  }
  return node;
}

/** Localization keys of every bot command and message-action title and description. */
export function translatableCommandKeys(manifest: Json): string[] {
  const keys: string[] = [];
  const bots = (manifest.bots as Json[] | undefined) ?? [];
  ((bots[0]?.commandLists as Json[] | undefined) ?? []).forEach((list, l) => {
    ((list.commands as unknown[] | undefined) ?? []).forEach((_, c) => {
      keys.push(`bots[0].commandLists[${l}].commands[${c}].title`);
      keys.push(`bots[0].commandLists[${l}].commands[${c}].description`);
    });
  });
  const extensions = (manifest.composeExtensions as Json[] | undefined) ?? [];
  ((extensions[0]?.commands as Json[] | undefined) ?? []).forEach((command, c) => {
    const key = `composeExtensions[0].commands[${c}]`;
    keys.push(`${key}.title`);
    if (command.description !== undefined) keys.push(`${key}.description`);
  });
  return keys;
}
