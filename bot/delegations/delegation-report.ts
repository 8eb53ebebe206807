import { csvCell, escapeHtml } from '../kernel/export-format';
import { fill, formatDate, type Language } from '../i18n';
import type { Organisation, Unit } from '../org/organisation';
import type { AuthorityArea, Grant, Register } from './delegation';
import {
  grantChain,
  holdersOf,
  inForce,
  registerAsOf,
  unitOfRecipient,
  type ChainStep,
} from './delegation-rules';
import {
  delegationTexts,
  formatAmount,
  partyName,
  personName,
  recipientName,
  type NameContext,
} from './delegation-texts';

/**
 * The delegeringsreglement for publication and the auditor (pure): one HTML document grouped
 * by law and by unit, with the whole chain for every paragraph and a link to Lovdata, and the
 * same as CSV, both as the register stood on a given date. Every text that came from a file or
 * a user is escaped: it can never become markup (or, in the CSV, a formula).
 */
export interface ReportOptions {
  /** The Oslo date the register is shown as of, 'YYYY-MM-DD'. */
  asOf: string;
  language: Language;
  municipality: string;
}

/** One grant in force on the date, with its area, chain and the unit of its holder. */
export interface ReportRow {
  grant: Grant;
  area: AuthorityArea;
  steps: ChainStep[];
  unitId?: string;
}

/** The register as it stood on the date, and the grants in force that day with their chains. */
export function reportRows(register: Register, org: Organisation, asOf: string): ReportRow[] {
  const then = registerAsOf(register, asOf);
  const areas = new Map(then.areas.map((a) => [a.id, a]));
  return then.grants
    .filter((g) => areas.has(g.areaId) && inForce(then, g, asOf))
    .sort((a, b) => a.level - b.level || a.ref.localeCompare(b.ref))
    .map((grant) => ({
      grant,
      area: areas.get(grant.areaId)!,
      steps: grantChain(then, org, grant),
      unitId: unitOfRecipient(org, grant.to),
    }));
}

export { csvCell, escapeHtml } from '../kernel/export-format';

/** Only a Lovdata address becomes a link (the file format allows no other). */
function lovdataHref(url: string): string | undefined {
  return /^https:\/\/lovdata\.no\/[^\s"'<>]+$/.test(url) ? url : undefined;
}

function basisLine(area: AuthorityArea, language: Language): string {
  const t = delegationTexts(language);
  const b = area.basis;
  if (b.kind === 'internal') return `${escapeHtml(t.internalBasis)}: ${escapeHtml(b.text)}`;
  const text = [b.law, b.section, b.ledd].filter(Boolean).join(' ');
  const href = lovdataHref(b.url);
  const link = href
    ? ` · <a href="${escapeHtml(href)}" rel="noopener noreferrer">${escapeHtml(t.report.lovdata)}</a>`
    : '';
  return `${escapeHtml(text)}${link}`;
}

export function validity(grant: Pick<Grant, 'validFrom' | 'validTo'>, language: Language): string {
  const t = delegationTexts(language);
  const from = formatDate(grant.validFrom, language);
  return grant.validTo
    ? fill(t.validBetween, { from, to: formatDate(grant.validTo, language) })
    : fill(t.validFrom, { from });
}

export function limitText(limitNok: number | undefined, language: Language): string {
  const t = delegationTexts(language);
  return limitNok === undefined
    ? t.noLimit
    : fill(t.limit, { amount: formatAmount(limitNok, language) });
}

/** The chain as plain text: "Kommunestyret (PS 12/24) → rådmann, Rådmannen (Per …) → …". */
export function chainText(steps: ChainStep[], ctx: NameContext, language: Language): string {
  return steps
    .map((s) => {
      const name = partyName(s.holder, ctx, language);
      if (s.level === 0 && s.politicalBasis) return `${name} (${s.politicalBasis.caseNumber})`;
      return s.blocked ? `${name} ${delegationTexts(language).blocked}` : name;
    })
    .join(' → ');
}

function chainHtml(steps: ChainStep[], ctx: NameContext, language: Language): string {
  const t = delegationTexts(language);
  const items = steps.map((s) => {
    const name = escapeHtml(partyName(s.holder, ctx, language));
    if (s.level === 0) {
      const decision = s.politicalBasis
        ? ` <span class="decision">${escapeHtml(
            fill(t.decision, {
              body: s.politicalBasis.body,
              caseNumber: s.politicalBasis.caseNumber,
              date: formatDate(s.politicalBasis.date, language),
            }),
          )}</span>`
        : '';
      return `<li>${name}${decision}</li>`;
    }
    const responsible = s.responsible
      ? ` <span class="responsible">${escapeHtml(
          fill(t.responsible, { name: partyName(s.responsible, ctx, language) }),
        )}</span>`
      : '';
    const blocked = s.blocked ? ` <strong class="blocked">${escapeHtml(t.blocked)}</strong>` : '';
    return `<li>${name}${blocked}${responsible}</li>`;
  });
  return `<ol class="chain">${items.join('')}</ol>`;
}

function rowsTable(rows: ReportRow[], ctx: NameContext, language: Language): string {
  const t = delegationTexts(language).report;
  if (rows.length === 0) return `<p class="none">${escapeHtml(t.none)}</p>`;
  const head = [t.reference, t.chain, t.limit, t.validity, t.conditions]
    .map((h) => `<th scope="col">${escapeHtml(h)}</th>`)
    .join('');
  const body = rows
    .map(
      (r) =>
        `<tr><td>${escapeHtml(r.grant.ref)}</td><td>${chainHtml(r.steps, ctx, language)}</td>` +
        `<td>${escapeHtml(limitText(r.grant.limitNok, language))}</td>` +
        `<td>${escapeHtml(validity(r.grant, language))}</td>` +
        `<td>${escapeHtml(r.grant.conditions ?? '')}</td></tr>`,
    )
    .join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function areaSection(
  area: AuthorityArea,
  rows: ReportRow[],
  ctx: NameContext,
  language: Language,
  idPrefix: string,
): string {
  const t = delegationTexts(language);
  const parts = [
    `<section class="area" id="${escapeHtml(`${idPrefix}-${area.id}`)}">`,
    `<h4>${escapeHtml(area.name[language])}</h4>`,
    `<p class="basis">${basisLine(area, language)}</p>`,
  ];
  if (area.limitNok !== undefined)
    parts.push(
      `<p class="limit">${escapeHtml(
        fill(t.report.areaLimit, { amount: formatAmount(area.limitNok, language) }),
      )}</p>`,
    );
  if (area.notes) parts.push(`<p class="notes">${escapeHtml(area.notes)}</p>`);
  if (area.councilOnly)
    parts.push(`<p class="council-only"><strong>${escapeHtml(t.report.councilOnly)}</strong></p>`);
  else parts.push(rowsTable(rows, ctx, language));
  parts.push('</section>');
  return parts.join('\n');
}

/** Laws in alphabetical order, internal rule books last. */
function lawGroups(areas: AuthorityArea[], language: Language): [string, AuthorityArea[]][] {
  const internal = delegationTexts(language).report.internal;
  const groups = new Map<string, AuthorityArea[]>();
  for (const area of areas) {
    const key = area.basis.kind === 'law' ? area.basis.law : '';
    groups.set(key, [...(groups.get(key) ?? []), area]);
  }
  const collator = new Intl.Collator(language === 'en' ? 'en-GB' : 'nb-NO');
  return [...groups.entries()]
    .sort(([a], [b]) => (a === '' ? 1 : b === '' ? -1 : collator.compare(a, b)))
    .map(([law, list]): [string, AuthorityArea[]] => [
      law === '' ? internal : law,
      [...list].sort((x, y) => collator.compare(x.name[language], y.name[language])),
    ]);
}

/** Units in the order of the line: the top, then each unit's children by name. */
function unitsInLineOrder(org: Organisation): Unit[] {
  const children = new Map<string | undefined, Unit[]>();
  for (const u of org.units.values())
    children.set(u.parentId, [...(children.get(u.parentId) ?? []), u]);
  const ordered: Unit[] = [];
  const seen = new Set<string>();
  const visit = (parentId: string | undefined) => {
    for (const u of [...(children.get(parentId) ?? [])].sort((a, b) =>
      a.name.localeCompare(b.name, 'nb'),
    )) {
      if (seen.has(u.id)) continue;
      seen.add(u.id);
      ordered.push(u);
      visit(u.id);
    }
  };
  visit(undefined);
  return ordered;
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:2rem;max-width:72rem;color:#222}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}
th,td{border:1px solid #bbb;padding:.3rem .5rem;vertical-align:top;text-align:left}
ol.chain{margin:0;padding-left:1.2rem}.responsible,.decision{color:#555;font-size:.9em}
.blocked{color:#8a1c1c}.basis{font-style:italic}`;

/** The delegeringsreglement as one HTML document, grouped by law and by unit. */
export function reglementHtml(
  register: Register,
  org: Organisation,
  options: ReportOptions,
): string {
  const { language, asOf } = options;
  const t = delegationTexts(language);
  const then = registerAsOf(register, asOf);
  const rows = reportRows(register, org, asOf);
  const ctx: NameContext = { org, register: then };
  const title = `${t.report.title} – ${options.municipality}`;
  const parts = [
    '<!doctype html>',
    `<html lang="${language === 'en' ? 'en' : 'nb'}">`,
    `<head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>`,
    '<body>',
    `<h1>${escapeHtml(title)}</h1>`,
    `<p class="as-of">${escapeHtml(fill(t.report.asOf, { date: formatDate(asOf, language) }))}</p>`,
  ];
  if (then.political)
    parts.push(
      `<p class="political">${escapeHtml(
        fill(t.report.political, {
          decision: fill(t.decision, {
            body: then.political.body,
            caseNumber: then.political.caseNumber,
            date: formatDate(then.political.date, language),
          }),
        }),
      )}</p>`,
    );
  parts.push(
    `<nav><a href="#by-law">${escapeHtml(t.report.byLaw)}</a> · <a href="#by-unit">${escapeHtml(
      t.report.byUnit,
    )}</a></nav>`,
  );

  parts.push(`<section id="by-law"><h2>${escapeHtml(t.report.byLaw)}</h2>`);
  for (const [law, areas] of lawGroups(then.areas, language)) {
    parts.push(`<section class="law"><h3>${escapeHtml(law)}</h3>`);
    for (const area of areas)
      parts.push(
        areaSection(
          area,
          rows.filter((r) => r.area.id === area.id),
          ctx,
          language,
          'law',
        ),
      );
    parts.push('</section>');
  }
  parts.push('</section>');

  parts.push(`<section id="by-unit"><h2>${escapeHtml(t.report.byUnit)}</h2>`);
  const areaOrder = new Map(
    lawGroups(then.areas, language)
      .flatMap(([, areas]) => areas)
      .map((a, i) => [a.id, i]),
  );
  for (const unit of unitsInLineOrder(org)) {
    const unitRows = rows.filter((r) => r.unitId === unit.id);
    parts.push(
      `<section class="unit" id="${escapeHtml(`unit-${unit.id}`)}"><h3>${escapeHtml(unit.name)}</h3>`,
    );
    if (unitRows.length === 0) parts.push(`<p class="none">${escapeHtml(t.report.none)}</p>`);
    const areaIds = [...new Set(unitRows.map((r) => r.area.id))].sort(
      (a, b) => (areaOrder.get(a) ?? 0) - (areaOrder.get(b) ?? 0),
    );
    for (const areaId of areaIds) {
      const areaRows = unitRows.filter((r) => r.area.id === areaId);
      parts.push(areaSection(areaRows[0].area, areaRows, ctx, language, `unit-${unit.id}`));
    }
    parts.push('</section>');
  }
  parts.push('</section>', '</body>', '</html>', '');
  return parts.join('\n');
}

export const CSV_COLUMNS = [
  'ref',
  'level',
  'area_id',
  'area',
  'law',
  'section',
  'ledd',
  'lovdata_url',
  'internal_basis',
  'delegated_by',
  'holder',
  'holder_people',
  'unit',
  'limit_nok',
  'valid_from',
  'valid_to',
  'blocked',
  'conditions',
  'parent_ref',
  'responsible',
  'chain',
] as const;

/**
 * The grants in force on the date as CSV: one row per grant, columns CSV_COLUMNS, `;` between
 * cells (what a Norwegian spreadsheet expects), CRLF line ends, UTF-8 with a byte-order mark so
 * that Excel reads æøå (give `bom: false` for other programs).
 */
export function reglementCsv(
  register: Register,
  org: Organisation,
  options: ReportOptions & { separator?: ';' | ','; bom?: boolean },
): string {
  const { language } = options;
  const separator = options.separator ?? ';';
  const then = registerAsOf(register, options.asOf);
  const ctx: NameContext = { org, register: then };
  const lines = [CSV_COLUMNS.join(separator)];
  for (const r of reportRows(register, org, options.asOf)) {
    const b = r.area.basis;
    const last = r.steps[r.steps.length - 1];
    const cells = [
      r.grant.ref,
      r.grant.level,
      r.area.id,
      r.area.name[language],
      b.kind === 'law' ? b.law : '',
      b.kind === 'law' ? b.section : '',
      b.kind === 'law' ? b.ledd : '',
      b.kind === 'law' ? b.url : '',
      b.kind === 'internal' ? b.text : '',
      personName(r.grant.fromId, ctx, language),
      recipientName(r.grant.to, ctx, language),
      holdersOf(org, r.grant.to)
        .map((id) => personName(id, ctx, language))
        .join(', '),
      r.unitId ? (org.units.get(r.unitId)?.name ?? r.unitId) : '',
      r.grant.limitNok,
      r.grant.validFrom,
      r.grant.validTo,
      r.grant.blocked,
      r.grant.conditions,
      r.grant.parentRef,
      last.responsible ? partyName(last.responsible, ctx, language) : '',
      chainText(r.steps, ctx, language),
    ];
    lines.push(cells.map(csvCell).join(separator));
  }
  return `${options.bom === false ? '' : '\uFEFF'}${lines.join('\r\n')}\r\n`;
}
