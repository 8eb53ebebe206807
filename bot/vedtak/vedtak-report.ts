import type { Language } from '../i18n';
import { csvDocument, escapeHtml, type CsvOptions } from '../kernel/export-format';
import type { Organisation } from '../org/organisation';
import type { FollowUpStatus, PoliticalDecision } from './vedtak';
import { decisionAsOf } from './vedtak-rules';

/**
 * The status report to the political committees (`npm run report:vedtak -- --per 2026-06-30`):
 * decisions made by the date, grouped by body, each with its status and last comment as they
 * stood at the end of that day, as Markdown, HTML and CSV. Every text a person typed is data:
 * escaped for HTML, made inert for Markdown, never a formula in CSV.
 */

export interface VedtakRow {
  decision: PoliticalDecision;
  status: FollowUpStatus;
  comment?: string;
  /** Past the deadline on the date and not done. */
  overdue: boolean;
}

const WORDS = {
  nb: {
    title: 'Oppfølging av politiske vedtak',
    per: 'Status per',
    none: 'Ingen vedtak registrert per denne datoen.',
    columns: ['Sak', 'Dato', 'Vedtak', 'Ansvarlig enhet', 'Frist', 'Status', 'Kommentar'],
    overdue: 'forfalt',
    status: {
      not_started: 'Ikke startet',
      in_progress: 'Under arbeid',
      done: 'Utført',
      delayed: 'Forsinket',
    },
    summary: (done: number, total: number, overdue: number) =>
      `${done} av ${total} utført, ${overdue} forfalt.`,
  },
  en: {
    title: 'Follow-up of political decisions',
    per: 'Status as of',
    none: 'No decisions registered as of this date.',
    columns: ['Case', 'Date', 'Decision', 'Responsible unit', 'Deadline', 'Status', 'Comment'],
    overdue: 'overdue',
    status: {
      not_started: 'Not started',
      in_progress: 'In progress',
      done: 'Done',
      delayed: 'Delayed',
    },
    summary: (done: number, total: number, overdue: number) =>
      `${done} of ${total} done, ${overdue} overdue.`,
  },
} as const;

/** Decisions made by `per`, grouped by body (alphabetically), oldest decision first in each. */
export function vedtakRows(
  decisions: readonly PoliticalDecision[],
  per: string,
): [string, VedtakRow[]][] {
  const groups = new Map<string, VedtakRow[]>();
  for (const decision of decisions) {
    const then = decisionAsOf(decision, per);
    if (!then) continue;
    const row: VedtakRow = {
      decision,
      status: then.status,
      ...(then.comment ? { comment: then.comment } : {}),
      overdue: then.status !== 'done' && decision.deadline < per,
    };
    const list = groups.get(decision.body) ?? [];
    list.push(row);
    groups.set(decision.body, list);
  }
  for (const list of groups.values())
    list.sort(
      (a, b) =>
        a.decision.date.localeCompare(b.decision.date) ||
        a.decision.ref.localeCompare(b.decision.ref),
    );
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b, 'nb'));
}

function cells(row: VedtakRow, org: Organisation, language: Language): string[] {
  const w = WORDS[language];
  const d = row.decision;
  return [
    d.caseNumber,
    d.date,
    d.summary,
    org.units.get(d.responsibleUnitId)?.name ?? d.responsibleUnitId,
    d.deadline,
    w.status[row.status] + (row.overdue ? ` (${w.overdue})` : ''),
    row.comment ?? '',
  ];
}

function totals(groups: [string, VedtakRow[]][], language: Language): string {
  const rows = groups.flatMap(([, r]) => r);
  const done = rows.filter((r) => r.status === 'done').length;
  return WORDS[language].summary(done, rows.length, rows.filter((r) => r.overdue).length);
}

/** Markdown text: every character that could start markup is escaped, line breaks flattened. */
export function markdownText(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').replace(/[\\`*_{}[\]()#+\-.!|<>~&]/g, (c) => `\\${c}`);
}

export function vedtakMarkdown(
  decisions: readonly PoliticalDecision[],
  org: Organisation,
  per: string,
  language: Language,
): string {
  const w = WORDS[language];
  const groups = vedtakRows(decisions, per);
  const lines = [`# ${w.title}`, '', `${w.per} ${per}. ${totals(groups, language)}`, ''];
  if (groups.length === 0) lines.push(w.none, '');
  for (const [body, rows] of groups) {
    lines.push(`## ${markdownText(body)}`, '');
    lines.push(`| ${w.columns.join(' | ')} |`, `|${w.columns.map(() => ' --- ').join('|')}|`);
    for (const row of rows)
      lines.push(`| ${cells(row, org, language).map(markdownText).join(' | ')} |`);
    lines.push('');
  }
  return lines.join('\n');
}

export function vedtakHtml(
  decisions: readonly PoliticalDecision[],
  org: Organisation,
  per: string,
  language: Language,
): string {
  const w = WORDS[language];
  const groups = vedtakRows(decisions, per);
  const parts = [
    '<!doctype html>',
    `<html lang="${language}">`,
    '<head><meta charset="utf-8">',
    `<title>${escapeHtml(`${w.title} ${per}`)}</title>`,
    '<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:72rem}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3rem .5rem;vertical-align:top;text-align:left}.overdue{color:#a00}</style>',
    '</head><body>',
    `<h1>${escapeHtml(w.title)}</h1>`,
    `<p>${escapeHtml(`${w.per} ${per}. ${totals(groups, language)}`)}</p>`,
  ];
  if (groups.length === 0) parts.push(`<p>${escapeHtml(w.none)}</p>`);
  for (const [body, rows] of groups) {
    parts.push(`<h2>${escapeHtml(body)}</h2>`, '<table>');
    parts.push(`<tr>${w.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr>`);
    for (const row of rows) {
      const tds = cells(row, org, language).map((c) => `<td>${escapeHtml(c)}</td>`);
      parts.push(`<tr${row.overdue ? ' class="overdue"' : ''}>${tds.join('')}</tr>`);
    }
    parts.push('</table>');
  }
  parts.push('</body></html>', '');
  return parts.join('\n');
}

export const VEDTAK_CSV_COLUMNS = [
  'ref',
  'body',
  'case_number',
  'date',
  'summary',
  'responsible_unit',
  'deadline',
  'status',
  'overdue',
  'comment',
  'task_ref',
] as const;

export function vedtakCsv(
  decisions: readonly PoliticalDecision[],
  org: Organisation,
  per: string,
  options: CsvOptions = {},
): string {
  const rows = vedtakRows(decisions, per).flatMap(([, r]) => r);
  return csvDocument(
    VEDTAK_CSV_COLUMNS,
    rows.map((r) => [
      r.decision.ref,
      r.decision.body,
      r.decision.caseNumber,
      r.decision.date,
      r.decision.summary,
      org.units.get(r.decision.responsibleUnitId)?.name ?? r.decision.responsibleUnitId,
      r.decision.deadline,
      r.status,
      r.overdue,
      r.comment,
      r.decision.taskRef,
    ]),
    options,
  );
}
