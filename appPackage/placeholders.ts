import fs from 'node:fs';

/** Values to put into `${{NAME}}` placeholders; undefined means "not set". */
export type PlaceholderValues = Record<string, string | undefined>;

export interface FilledText {
  text: string;
  /** Placeholder names without a value, sorted, each once. Empty when the text is complete. */
  missing: string[];
}

// The Agents Toolkit's own syntax, so the same files work with `atk provision` and with us.
const PLACEHOLDER = /\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/**
 * Placeholders that may legitimately be empty: production has no name suffix. Every other one
 * must have a non-empty value, because an empty id or domain only fails later, and less clearly,
 * in the schema check.
 */
export const MAY_BE_EMPTY: ReadonlySet<string> = new Set(['APP_NAME_SUFFIX']);

/** Replaces every `${{NAME}}` in `template`; reports every name that has no usable value. */
export function fillPlaceholders(template: string, values: PlaceholderValues): FilledText {
  const missing = new Set<string>();
  const text = template.replace(PLACEHOLDER, (whole, name: string) => {
    const value = values[name];
    if (value === undefined || (value === '' && !MAY_BE_EMPTY.has(name))) {
      missing.add(name);
      return whole;
    }
    return value;
  });
  return { text, missing: [...missing].sort() };
}

/** Every placeholder name used in `template`, sorted, each once. */
export function placeholderNames(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1]))].sort();
}

/**
 * Reads the KEY=VALUE lines of an Agents Toolkit env file (`env/.env.dev`). Comments (#) and
 * blank lines are skipped; surrounding single or double quotes are removed.
 */
export function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) continue;
    let value = match[2].trim();
    const quoted = /^(['"])(.*)\1$/.exec(value);
    value = quoted ? quoted[2] : value.replace(/\s+#.*$/, '');
    values[match[1]] = value;
  }
  return values;
}

/**
 * Env file values overlaid with the process environment. As in the Agents Toolkit, an
 * environment variable wins when it is non-empty; an empty one leaves the file's value.
 */
export function mergeValues(
  fileValues: Record<string, string>,
  environment: NodeJS.ProcessEnv,
): PlaceholderValues {
  const merged: PlaceholderValues = { ...fileValues };
  for (const [key, value] of Object.entries(environment)) {
    if (value) merged[key] = value;
    else if (value === '' && !(key in merged)) merged[key] = value;
  }
  return merged;
}

/** The env file's values, or an empty set when the file does not exist. */
export function readEnvFile(file: string): Record<string, string> {
  return fs.existsSync(file) ? parseEnvFile(fs.readFileSync(file, 'utf8')) : {};
}
