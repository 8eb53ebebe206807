import fs from 'node:fs';
import path from 'node:path';
import type { Language } from '../i18n';
import type { Organisation } from '../org/organisation';
import type { PoliticalDecision } from './vedtak';
import { vedtakCsv, vedtakHtml, vedtakMarkdown } from './vedtak-report';

/**
 * `npm run report:vedtak -- --per 2026-06-30`: the status report to the political committees
 * as Markdown, HTML and CSV files in a folder, named by the date.
 */
export function writeVedtakReport(
  decisions: readonly PoliticalDecision[],
  org: Organisation,
  options: { per: string; out: string; language: Language },
): string[] {
  fs.mkdirSync(options.out, { recursive: true });
  const base = path.join(options.out, `vedtak-${options.per}`);
  const files: [string, string][] = [
    [`${base}.md`, vedtakMarkdown(decisions, org, options.per, options.language)],
    [`${base}.html`, vedtakHtml(decisions, org, options.per, options.language)],
    [`${base}.csv`, vedtakCsv(decisions, org, options.per)],
  ];
  for (const [file, text] of files) fs.writeFileSync(file, text);
  return files.map(([file]) => file);
}
