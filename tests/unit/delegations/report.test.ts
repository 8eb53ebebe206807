import { applyChange, type Register } from '../../../bot/delegations/delegation';
import {
  csvCell,
  escapeHtml,
  reglementCsv,
  reglementHtml,
  reportRows,
} from '../../../bot/delegations/delegation-report';
import { proposeGrant } from '../../../bot/delegations/delegation-rules';
import { DEMO_PEOPLE } from '../../support/demo-people';
import { deepFreeze, demoOrg, NOW } from '../fixtures';
import { demoRegister, passed, refOf } from './demo-register';

/** The delegeringsreglement as HTML and CSV: grouping, chains, Lovdata, escaping, as of a date. */
const org = demoOrg();
const { ingrid, sofie } = DEMO_PEOPLE;
const demo = demoRegister();
const base: Register = deepFreeze(demo.register);
const ref = (id: string) => refOf(demo.refs, id);
const options = { asOf: '2026-11-27', language: 'nb' as const, municipality: 'Heim kommune' };

/** The text of one section of the document, from its opening tag to the next of its kind. */
function section(html: string, id: string): string {
  const start = html.indexOf(`id="${id}"`);
  if (start < 0) throw new Error(`no section ${id}`);
  const end = html.indexOf('<section class="', html.indexOf('>', start) + 1);
  return html.slice(start, end < 0 ? undefined : end);
}

/** A register where user and file text tries to become markup or a formula. */
function hostileRegister(): Register {
  const areas = base.areas.map((a) =>
    a.id === 'permisjon'
      ? {
          ...a,
          name: { nb: '<script>alert("nb")</script>Permisjon', en: 'Leave' },
          notes: '"><img src=x onerror=alert(1)> & mer',
          basis: { kind: 'internal' as const, text: "Reglement 'A' <b>fet</b>" },
        }
      : a.id === 'tilsetting' && a.basis.kind === 'law'
        ? { ...a, basis: { ...a.basis, url: 'javascript:alert(1)' } }
        : a,
  );
  const register = { ...base, areas };
  const change = passed(
    proposeGrant({
      register,
      org,
      actorId: ingrid.id,
      draft: {
        areaId: 'permisjon',
        to: { kind: 'person', id: sofie.id },
        conditions: '=HYPERLINK("http://evil")<i>; "sitat"',
      },
      now: NOW,
      ref: 'DEL-2026-0900',
      origin: 'confirmation',
    }),
  ).change;
  return applyChange(register, change);
}

describe('the reglement as HTML', () => {
  const html = reglementHtml(base, org, options);

  it('is one document with the political basis and both views', () => {
    expect(html.startsWith('<!doctype html>\n<html lang="nb">')).toBe(true);
    expect(html).toContain('<h1>Delegeringsreglement – Heim kommune</h1>');
    expect(html).toContain('Slik det står 27.11.2026');
    expect(html).toContain('Politisk grunnlag: Kommunestyret, sak PS 12/24, 14.03.2024.');
    expect(html.indexOf('id="by-law"')).toBeLessThan(html.indexOf('id="by-unit"'));
  });

  it('groups by law, in alphabetical order, the internal rule books last', () => {
    const byLaw = html.slice(html.indexOf('id="by-law"'), html.indexOf('id="by-unit"'));
    const headings = [...byLaw.matchAll(/<h3>([^<]*)<\/h3>/g)].map((m) => m[1]);
    expect(headings).toEqual([
      'anskaffelsesforskriften',
      'barnevernsloven',
      'helse- og omsorgstjenesteloven',
      'kommuneloven',
      'opplæringslova',
      'plan- og bygningsloven',
      'Interne reglement',
    ]);
  });

  it('gives each paragraph its Lovdata link and the whole chain with who is responsible', () => {
    const hiring = section(html, 'law-tilsetting');
    expect(hiring).toContain(
      'kommuneloven § 13-1 sjuende ledd · <a href="https://lovdata.no/lov/2018-06-22-83/§13-1" rel="noopener noreferrer">Lovdata</a>',
    );
    expect(hiring).toContain(
      '<li>Kommunestyret <span class="decision">Kommunestyret, sak PS 12/24, 14.03.2024</span></li>' +
        '<li>rådmann, Rådmannen (Per Kristiansen) <span class="responsible">Ansvarlig: Kommunestyret</span></li>' +
        '<li>enhetsleder, Sentrum barnehage (Ingrid Haugen) <span class="responsible">Ansvarlig: rådmann, Rådmannen (Per Kristiansen)</span></li>',
    );
    expect(hiring.match(/<tr><td>DEL-/g)).toHaveLength(6); // the rådmann and five leaders
    const purchasing = section(html, 'law-innkjop');
    expect(purchasing).toContain('Beløpsgrense for området: 1\u00a0300\u00a0000 kr.');
    expect(purchasing).toContain(
      '<li>Sofie Lunde <span class="responsible">Ansvarlig: enhetsleder, Sentrum barnehage (Ingrid Haugen)</span></li>',
    );
    expect(purchasing).toContain('<td>inntil 100\u00a0000 kr</td><td>01.01.2025–30.06.2027</td>');
  });

  it('shows a sperre as «Enhetsleder / stabsleder selv» and the council’s own as not delegable', () => {
    expect(section(html, 'law-budsjettdisponering')).toContain(
      '<strong class="blocked">«Enhetsleder / stabsleder selv»</strong>',
    );
    const budget = section(html, 'law-arsbudsjett');
    expect(budget).toContain('Kommunestyret selv: kan ikke delegeres.');
    expect(budget).not.toContain('<table>');
  });

  it('groups by unit in the order of the line, each with what its people hold', () => {
    const byUnit = html.slice(html.indexOf('id="by-unit"'));
    const units = [...byUnit.matchAll(/<section class="unit" id="unit-([^"]+)"><h3>/g)].map(
      (m) => m[1],
    );
    expect(units).toEqual([
      'radmann',
      'barnevern',
      'heim-skole',
      'helse-og-mestring',
      'ikt',
      'personal',
      'sentrum-barnehage',
      'servicetorg',
      'utvikling',
      'okonomi', // Økonomi: Norwegian order puts Ø after U
    ]);
    const barnehage = section(html, 'unit-sentrum-barnehage');
    expect(barnehage).toContain('<h3>Sentrum barnehage</h3>');
    expect(section(html, 'unit-sentrum-barnehage-innkjop')).toContain(
      '<td>' + ref('innkjop-sofie'),
    );
    expect(section(html, 'unit-sentrum-barnehage-innkjop')).toContain(
      '<td>' + ref('innkjop-sentrum-barnehage'),
    );
    expect(section(html, 'unit-ikt')).toContain('Ingen delegeringer.');
  });

  it('is written in English on request', () => {
    const en = reglementHtml(base, org, { ...options, language: 'en' });
    expect(en).toContain('<html lang="en">');
    expect(en).toContain('<h2>By law</h2>');
    expect(en).toContain('Responsible: Kommunestyret'); // the council's own name for itself
    expect(en).toContain('<h4>Hiring</h4>');
  });

  it('never lets file or user text become markup', () => {
    const hostile = reglementHtml(hostileRegister(), org, options);
    expect(hostile).not.toContain('<script>');
    expect(hostile).not.toContain('<img');
    expect(hostile).not.toContain('<b>fet');
    expect(hostile).not.toContain('<i>');
    expect(hostile).not.toContain('javascript:');
    expect(hostile).toContain('&lt;script&gt;alert(&quot;nb&quot;)&lt;/script&gt;Permisjon');
    expect(hostile).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt; &amp; mer');
    expect(hostile).toContain('Reglement &#39;A&#39; &lt;b&gt;fet&lt;/b&gt;');
    expect(hostile).toContain('=HYPERLINK(&quot;http://evil&quot;)&lt;i&gt;; &quot;sitat&quot;');
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
    );
  });
});

describe('as of a date', () => {
  it('shows only what was in force that day', () => {
    expect(reportRows(base, org, '2024-03-31')).toEqual([]);
    expect(reportRows(base, org, '2024-04-15').map((r) => r.grant.level)).toEqual(
      Array(11).fill(1),
    );
    const before = reglementHtml(base, org, { ...options, asOf: '2024-04-15' });
    expect(section(before, 'law-tilsetting').match(/<tr><td>DEL-/g)).toHaveLength(1);
    expect(reportRows(base, org, '2024-12-31').some((r) => r.grant.level === 3)).toBe(false);
    expect(reportRows(base, org, '2025-01-01').filter((r) => r.grant.level === 3)).toHaveLength(2);
    expect(reportRows(base, org, '2027-07-01').filter((r) => r.grant.level === 3)).toHaveLength(1);
  });

  it('leaves out proposals nobody has accepted', () => {
    const proposed = passed(
      proposeGrant({
        register: base,
        org,
        actorId: ingrid.id,
        draft: { areaId: 'tilsetting', to: { kind: 'person', id: sofie.id } },
        now: NOW,
        ref: 'DEL-2026-0901',
      }),
    ).change;
    const rows = reportRows(applyChange(base, proposed), org, '2026-11-28');
    expect(rows.some((r) => r.grant.ref === 'DEL-2026-0901')).toBe(false);
  });
});

describe('the reglement as CSV', () => {
  const csv = reglementCsv(base, org, options);
  const lines = csv
    .replace(/^\uFEFF/, '')
    .trimEnd()
    .split('\r\n');

  it('has a byte-order mark, a header and one row per grant in force', () => {
    expect(csv.startsWith('\uFEFFref;level;area_id;area;law;section;ledd;lovdata_url;')).toBe(true);
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(lines).toHaveLength(1 + reportRows(base, org, options.asOf).length);
  });

  it('writes the chain and who is responsible', () => {
    const row = lines.find((l) => l.startsWith(`${ref('innkjop-sofie')};`))!;
    expect(row).toBe(
      [
        ref('innkjop-sofie'),
        '3',
        'innkjop',
        'Innkjøp inntil nasjonal terskelverdi',
        'anskaffelsesforskriften',
        '§ 5-1',
        '',
        'https://lovdata.no/forskrift/2016-08-12-974/§5-1',
        '',
        'Ingrid Haugen',
        'Sofie Lunde',
        'Sofie Lunde',
        'Sentrum barnehage',
        '100000',
        '2025-01-01',
        '2027-06-30',
        'false',
        'Innenfor inngåtte rammeavtaler.',
        ref('innkjop-sentrum-barnehage'),
        '"enhetsleder, Sentrum barnehage (Ingrid Haugen)"',
        '"Kommunestyret (PS 12/24) → rådmann, Rådmannen (Per Kristiansen) → enhetsleder, Sentrum barnehage (Ingrid Haugen) → Sofie Lunde"',
      ].join(';'),
    );
  });

  it('never writes a formula, and quotes what needs quoting', () => {
    const hostile = reglementCsv(hostileRegister(), org, { ...options, bom: false });
    expect(hostile.startsWith('ref;')).toBe(true);
    const row = hostile.split('\r\n').find((l) => l.startsWith('DEL-2026-0900;'))!;
    expect(row).toContain(`;"'=HYPERLINK(""http://evil"")<i>; ""sitat""";`);
    expect(csvCell('+47 123')).toBe("'+47 123");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('-1')).toBe("'-1");
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('linje\nto')).toBe('"linje\nto"');
    expect(csvCell(undefined)).toBe('');
    expect(
      reglementCsv(base, org, { ...options, separator: ',', bom: false }).split('\r\n')[0],
    ).toBe(
      'ref,level,area_id,area,law,section,ledd,lovdata_url,internal_basis,delegated_by,holder,holder_people,unit,limit_nok,valid_from,valid_to,blocked,conditions,parent_ref,responsible,chain',
    );
  });
});
