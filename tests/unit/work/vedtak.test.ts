import {
  decisionAsOf,
  registerDecision,
  reportStatus,
  type DecisionDraft,
} from '../../../bot/vedtak/vedtak-rules';
import {
  markdownText,
  vedtakCsv,
  vedtakHtml,
  vedtakMarkdown,
  vedtakRows,
} from '../../../bot/vedtak/vedtak-report';
import type { PoliticalDecision } from '../../../bot/vedtak/vedtak';
import { DEMO_PEOPLE } from '../../support/demo-people';
import { demoOrg } from '../../support/demo-org';

const org = demoOrg();
const { marte, ingrid, emil } = DEMO_PEOPLE;
const kari = '00000000-0000-0000-0000-0000000000022';
const NOW = new Date('2027-03-10T09:00:00Z');

const draft = (over: Partial<DecisionDraft> = {}): DecisionDraft => ({
  body: 'Kommunestyret',
  caseNumber: 'PS 12/27',
  date: '2027-02-14',
  summary: 'Skolen skal tilby leksehjelp to dager i uka.',
  responsibleUnitId: 'heim-skole',
  deadline: '2027-08-15',
  ...over,
});

function registered(over: Partial<DecisionDraft> = {}, ref = 'VED-2027-0001'): PoliticalDecision {
  const r = registerDecision({
    org,
    actorId: kari,
    draft: draft(over),
    ref,
    taskRef: ref.replace('VED', 'OPG'),
    now: NOW,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.refusal));
  return r.decision;
}

describe('registering a decision', () => {
  test("the rådmann's staff registers it; it becomes a task for the responsible unit's leader", () => {
    const r = registerDecision({
      org,
      actorId: kari,
      draft: draft(),
      ref: 'VED-2027-0001',
      taskRef: 'OPG-2027-0009',
      now: NOW,
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.decision).toMatchObject({
      status: 'not_started',
      taskRef: 'OPG-2027-0009',
      registeredBy: kari,
    });
    expect(r.task).toEqual({
      title: 'Kommunestyret PS 12/27',
      description: 'Skolen skal tilby leksehjelp to dager i uka.',
      assignee: { kind: 'unitLeader', unitId: 'heim-skole' },
      due: '2027-08-15',
    });
    expect(r.event).toMatchObject({ kind: 'registered', targetId: marte.id });
  });

  test('others may not register', () => {
    for (const actorId of [ingrid.id, emil.id, marte.id])
      expect(
        registerDecision({ org, actorId, draft: draft(), ref: 'R', taskRef: 'T', now: NOW }),
      ).toEqual({
        ok: false,
        refusal: { code: 'not-radmann-staff' },
      });
  });

  test.each([
    [{ body: ' ' }, { code: 'empty', field: 'body' }],
    [{ caseNumber: 'x'.repeat(41) }, { code: 'too-long', field: 'caseNumber', max: 40 }],
    [{ date: '2027-02-30' }, { code: 'bad-date', field: 'date' }],
    [{ date: '2027-03-11' }, { code: 'date-in-future' }],
    [{ deadline: '2027-02-13' }, { code: 'deadline-before-date' }],
    [{ responsibleUnitId: 'nope' }, { code: 'unknown-unit' }],
  ] as [Partial<DecisionDraft>, unknown][])('%j is refused: %j', (over, refusal) => {
    expect(
      registerDecision({
        org,
        actorId: kari,
        draft: draft(over),
        ref: 'R',
        taskRef: 'T',
        now: NOW,
      }),
    ).toEqual({ ok: false, refusal });
  });
});

describe('status from the card', () => {
  test('the responsible leader reports; the status and comment are kept in order', () => {
    const d = registered();
    expect(
      reportStatus({ org, decision: d, actorId: ingrid.id, status: 'done', now: NOW }),
    ).toEqual({ ok: false, refusal: { code: 'not-responsible' } });
    expect(
      reportStatus({ org, decision: d, actorId: marte.id, status: 'finished', now: NOW }),
    ).toEqual({ ok: false, refusal: { code: 'bad-status' } });
    expect(
      reportStatus({ org, decision: d, actorId: marte.id, status: 'not_started', now: NOW }),
    ).toEqual({ ok: false, refusal: { code: 'unchanged' } });
    const r = reportStatus({
      org,
      decision: d,
      actorId: marte.id,
      status: 'in_progress',
      comment: 'Avtale med frivillige',
      now: NOW,
    });
    if (!r.ok) throw new Error();
    expect(r.decision).toMatchObject({ status: 'in_progress', rev: 2 });
    expect(r.event).toMatchObject({
      kind: 'status_reported',
      fromStatus: 'not_started',
      toStatus: 'in_progress',
      note: 'Avtale med frivillige',
    });
  });

  test('as of a date: the last report by the end of that day (Europe/Oslo), else not started', () => {
    const d: PoliticalDecision = {
      ...registered(),
      status: 'done',
      updates: [
        { at: '2027-03-01T10:00:00Z', byId: marte.id, status: 'in_progress', comment: 'I gang' },
        { at: '2027-06-30T22:30:00Z', byId: marte.id, status: 'done' },
      ],
    };
    expect(decisionAsOf(d, '2027-02-13')).toBeUndefined();
    expect(decisionAsOf(d, '2027-02-20')).toEqual({ status: 'not_started' });
    expect(decisionAsOf(d, '2027-06-30')).toMatchObject({
      status: 'in_progress',
      comment: 'I gang',
    });
    // 22:30 UTC on 30 June is 00:30 on 1 July in Oslo.
    expect(decisionAsOf(d, '2027-07-01')).toMatchObject({ status: 'done', comment: 'I gang' });
  });
});

describe('the report to the political committees', () => {
  const decisions = [
    registered(
      { body: 'Formannskapet', caseNumber: 'PS 3/27', deadline: '2027-04-01' },
      'VED-2027-0002',
    ),
    registered({ summary: '=HYPERLINK("http://x")', date: '2027-01-10' }, 'VED-2027-0003'),
    registered({ summary: '<script>alert(1)</script> og [lenke](http://evil)' }, 'VED-2027-0001'),
  ];

  test('grouped by body, oldest first, overdue marked as of the date', () => {
    const groups = vedtakRows(decisions, '2027-06-30');
    expect(
      groups.map(([body, rows]) => [body, rows.map((r) => [r.decision.ref, r.overdue])]),
    ).toEqual([
      ['Formannskapet', [['VED-2027-0002', true]]],
      [
        'Kommunestyret',
        [
          ['VED-2027-0003', false],
          ['VED-2027-0001', false],
        ],
      ],
    ]);
    expect(vedtakRows(decisions, '2027-01-31').map(([b, r]) => [b, r.length])).toEqual([
      ['Kommunestyret', 1],
    ]);
  });

  test('Markdown and HTML show typed text as text, never as markup', () => {
    const md = vedtakMarkdown(decisions, org, '2027-06-30', 'nb');
    expect(md).toContain('# Oppfølging av politiske vedtak');
    expect(md).toContain('1 forfalt');
    expect(md).not.toContain('[lenke](http://evil)');
    expect(md).toContain('\\[lenke\\]\\(http://evil\\)');
    const html = vedtakHtml(decisions, org, '2027-06-30', 'en');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('<h2>Formannskapet</h2>');
    expect(html).toContain('class="overdue"');
  });

  test('CSV: one row per decision, a formula is made inert, æøå survive with a BOM', () => {
    const csv = vedtakCsv(decisions, org, '2027-06-30');
    const lines = csv
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines).toHaveLength(4);
    expect(lines[0].split(';')[0]).toBe('ref');
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv).not.toMatch(/;=HYPERLINK/);
    expect(csv).toContain(';"\'=HYPERLINK(""http://x"")";');
    expect(markdownText('a|b\nc')).toBe('a\\|b c');
  });
});
