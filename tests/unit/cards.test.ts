import {
  DEFAULT_CATEGORIES,
  type Deviation,
  type DeviationEvent,
  type DeviationStatus,
} from '../../bot/deviations/deviation';
import type { IndexRow } from '../../bot/deviations/ports';
import {
  handlerData,
  historyData,
  listData,
  outcomeData,
  PAGE_SIZE,
  receiptData,
  reportFormData,
  type HandlerViewOptions,
  type ViewContext,
} from '../../bot/deviations/deviation-views';
import { REPORT_FIELDS, validateReport } from '../../bot/deviations/report-form';
import { CardSigner } from '../../bot/kernel/card-signing';
import { listCardTemplates, renderCard, type Card } from '../../bot/kernel/card-templates';
import { strings, type Language } from '../../bot/i18n';
import { DEMO, demoOrg, NOW, sampleDeviation } from './fixtures';

// Plain require('adaptivecards') fails on Node 20; the UMD bundle works in plain Node.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const AC = require('adaptivecards/dist/adaptivecards.js');

const org = demoOrg();
const signer = new CardSigner('unit-test-card-signing-secret-0123456789');
const ctxFor = (language: Language, now: Date = NOW): ViewContext => ({
  org,
  categories: DEFAULT_CATEGORIES,
  language,
  now,
});

const DESCRIPTION = 'UNIK-BESKRIVELSE-7f3a: barnet klemte fingeren i døra på Blåbær.';
const IMMEDIATE = 'UNIK-STRAKSTILTAK-91c2: kjølte fingeren.';
const SUGGESTION = 'UNIK-FORSLAG-5d0e: klemsikring på alle dører.';

const deviation = (overrides: Partial<Deviation> = {}) =>
  sampleDeviation({
    description: DESCRIPTION,
    immediateAction: IMMEDIATE,
    suggestion: SUGGESTION,
    ...overrides,
  });

const closed = (overrides: Partial<Deviation> = {}) =>
  deviation({
    status: 'lukket',
    rev: 5,
    cause: 'Manglende klemsikring',
    closingMeasures: 'Klemsikring montert',
    closedAt: '2026-11-27T09:00:00.000Z',
    measures: [
      {
        text: 'Montere klemsikring',
        dueDate: '2026-12-01',
        byId: DEMO.barnehageLeader,
        at: '2026-11-27T08:30:00.000Z',
      },
    ],
    ...overrides,
  });

const rejected = (overrides: Partial<Deviation> = {}) =>
  deviation({
    status: 'avvist',
    rev: 3,
    rejectReason: 'Gjelder en privat hendelse',
    closedAt: '2026-11-27T09:00:00.000Z',
    ...overrides,
  });

function events(d: Deviation): DeviationEvent[] {
  return [
    {
      ref: d.ref,
      seq: 1,
      at: '2026-11-27T08:00:00.000Z',
      kind: 'reported',
      actorId: d.reporterId,
      toStatus: 'registrert',
    },
    {
      ref: d.ref,
      seq: 2,
      at: '2026-11-27T08:10:00.000Z',
      kind: 'take',
      actorId: DEMO.barnehageLeader,
      fromStatus: 'registrert',
      toStatus: 'under_behandling',
    },
    {
      ref: d.ref,
      seq: 3,
      at: '2026-11-27T08:20:00.000Z',
      kind: 'assign',
      actorId: DEMO.barnehageLeader,
      fromStatus: 'under_behandling',
      toStatus: 'under_behandling',
      targetId: DEMO.barnehageSubLeader,
    },
    {
      ref: d.ref,
      seq: 4,
      at: '2026-11-27T08:30:00.000Z',
      kind: 'measure',
      actorId: DEMO.barnehageSubLeader,
      fromStatus: 'under_behandling',
      toStatus: 'tiltak_iverksatt',
      note: 'Montere klemsikring (2026-12-01)',
    },
    {
      ref: d.ref,
      seq: 5,
      at: '2026-11-27T09:00:00.000Z',
      kind: 'close',
      actorId: DEMO.barnehageLeader,
      fromStatus: 'tiltak_iverksatt',
      toStatus: 'lukket',
      note: 'Manglende klemsikring',
    },
  ];
}

function rows(count: number): IndexRow[] {
  const statuses: DeviationStatus[] = ['registrert', 'under_behandling', 'tiltak_iverksatt'];
  return Array.from({ length: count }, (_, i) => ({
    ref: `AVV-2026-${String(i + 1).padStart(4, '0')}`,
    status: statuses[i % 3],
    type: i % 4 === 0 ? 'forbedringsforslag' : 'avvik',
    categoryId: DEFAULT_CATEGORIES[i % DEFAULT_CATEGORIES.length].id,
    severity: 'middels',
    unitId: i % 2 ? 'sentrum-barnehage' : 'heim-skole',
    handlerId: DEMO.barnehageLeader,
    createdAt: `2026-11-${String((i % 26) + 1).padStart(2, '0')}T08:00:00.000Z`,
    dueAt: i % 5 === 0 ? '2026-11-20T08:00:00.000Z' : '2026-12-20T08:00:00.000Z',
  }));
}

const handlerCard = (d: Deviation, o: HandlerViewOptions, language: Language = 'nb') =>
  renderCard('deviations/handler', handlerData(ctxFor(language), d, signer, o));

/** Every template rendered in realistic situations: [template, situation, card]. */
function scenarios(language: Language): [string, string, Card][] {
  const ctx = ctxFor(language);
  const t = strings(language);
  const bad = validateReport(
    {
      type: 'avvik',
      occurredOn: '2026-02-30',
      occurredTime: '25:00',
      description: 'x'.repeat(4001),
      severity: 'ekstrem',
    },
    { categories: DEFAULT_CATEGORIES, unitIds: new Set(org.units.keys()), now: NOW },
  );
  if (bad.ok) throw new Error('expected the bad report to be refused');
  const list: [string, string, Card][] = [
    ['common/help', 'help', renderCard('common/help', { t: t.help })],
    [
      'common/notice',
      'with title',
      renderCard('common/notice', {
        title: 'AVV-2026-0042',
        text: t.refusals.stale,
        color: 'Warning',
      }),
    ],
    [
      'common/notice',
      'without title',
      renderCard('common/notice', { title: '', text: t.refusals.forged, color: 'Attention' }),
    ],
    [
      'deviations/report-form',
      'empty',
      renderCard(
        'deviations/report-form',
        reportFormData(
          ctx,
          { type: 'avvik', unitId: 'sentrum-barnehage', anonymous: 'false' },
          {},
          'form-0001-abcd',
        ),
      ),
    ],
    [
      'deviations/report-form',
      'with errors',
      renderCard(
        'deviations/report-form',
        reportFormData(ctx, bad.draft, bad.errors, 'form-0002-abcd'),
      ),
    ],
    [
      'deviations/report-form',
      'from a message, in a dialog',
      renderCard(
        'deviations/report-form',
        reportFormData(ctx, { description: DESCRIPTION }, {}, 'form-0003-abcd', {
          fromMessage: true,
          dialog: true,
        }),
      ),
    ],
    [
      'deviations/receipt',
      'new',
      renderCard('deviations/receipt', receiptData(ctx, deviation(), signer)),
    ],
    [
      'deviations/receipt',
      'routed up, anonymous',
      renderCard(
        'deviations/receipt',
        receiptData(ctx, deviation({ anonymous: true }), signer, { routedUpTo: 'Per Kristiansen' }),
      ),
    ],
    [
      'deviations/receipt',
      'closed',
      renderCard('deviations/receipt', receiptData(ctx, closed(), signer)),
    ],
    [
      'deviations/history',
      'closed',
      renderCard(
        'deviations/history',
        historyData(ctx, closed(), events(closed()), DEMO.barnehageLeader),
      ),
    ],
    [
      'deviations/history',
      'anonymous, seen by the handler',
      renderCard(
        'deviations/history',
        historyData(ctx, closed({ anonymous: true }), events(closed()), DEMO.barnehageLeader),
      ),
    ],
    ['deviations/list', 'empty', renderCard('deviations/list', listData(ctx, 'mine', [], 1))],
    [
      'deviations/list',
      'one page',
      renderCard('deviations/list', listData(ctx, 'mine', rows(3), 1)),
    ],
    [
      'deviations/list',
      'middle page',
      renderCard('deviations/list', listData(ctx, 'open', rows(PAGE_SIZE * 3), 2)),
    ],
    ['deviations/outcome', 'closed', renderCard('deviations/outcome', outcomeData(ctx, closed()))],
    [
      'deviations/outcome',
      'rejected',
      renderCard('deviations/outcome', outcomeData(ctx, rejected())),
    ],
  ];
  const viewers = {
    handler: DEMO.barnehageLeader,
    radmann: DEMO.radmann,
    otherLeader: DEMO.barnehageSubLeader,
    reporter: DEMO.barnehageEmployee,
  };
  const states: [string, Deviation][] = [
    ['registrert', deviation()],
    [
      'under_behandling, assigned',
      deviation({ status: 'under_behandling', rev: 2, assigneeId: DEMO.barnehageSubLeader }),
    ],
    [
      'tiltak_iverksatt, overdue, privacy',
      deviation({
        status: 'tiltak_iverksatt',
        rev: 4,
        categoryId: 'informasjonssikkerhet',
        dueAt: '2026-11-20T08:00:00.000Z',
        measures: closed().measures,
      }),
    ],
    ['escalated to the rådmann', deviation({ handlerId: DEMO.radmann, escalations: 1 })],
    ['lukket', closed()],
    ['avvist', rejected()],
  ];
  for (const [state, d] of states) {
    for (const [who, viewerId] of Object.entries(viewers)) {
      list.push([
        'deviations/handler',
        `${state}, seen by ${who}`,
        handlerCard(d, { viewerId }, language),
      ]);
    }
  }
  const last = events(closed())[3];
  list.push([
    'deviations/handler',
    'after an action, with notice and headline',
    handlerCard(
      deviation({ status: 'tiltak_iverksatt', rev: 4 }),
      {
        viewerId: DEMO.barnehageLeader,
        headline: t.handler.newForYou,
        notice: t.refusals.stale,
        noticeColor: 'Warning',
        lastEvent: last,
      },
      language,
    ),
  ]);
  return list;
}

/** What the official renderer complains about: parse events and property validation failures. */
function rendererProblems(card: Card): string[] {
  const adaptiveCard = new AC.AdaptiveCard();
  const context = new AC.SerializationContext();
  adaptiveCard.parse(card, context);
  const problems: string[] = [];
  for (let i = 0; i < context.eventCount; i++) {
    const e = context.getEventAt(i);
    problems.push(`parse: ${AC.ValidationEvent[e.event]}: ${e.message}`);
  }
  for (const e of adaptiveCard.validateProperties().validationEvents)
    problems.push(`validate: ${AC.ValidationEvent[e.event]}: ${e.message}`);
  return problems;
}

/** Every object in the card with its path, for structural checks. */
function walk(
  value: unknown,
  visit: (node: Record<string, any>, path: string) => void,
  path = '',
): void {
  if (Array.isArray(value)) value.forEach((v, i) => walk(v, visit, `${path}[${i}]`));
  else if (value && typeof value === 'object') {
    visit(value as Record<string, any>, path);
    for (const [k, v] of Object.entries(value)) walk(v, visit, path ? `${path}.${k}` : k);
  }
}

const executeActions = (card: Card) => {
  const found: { path: string; action: Record<string, any> }[] = [];
  walk(card, (node, path) => {
    if (node.type === 'Action.Execute') found.push({ path, action: node });
  });
  return found;
};
const userActions = (card: Card) => executeActions(card).filter((a) => a.path !== 'refresh.action');
const inputsOf = (card: Card) => {
  const found: Record<string, any>[] = [];
  walk(card, (node) => {
    if (typeof node.type === 'string' && node.type.startsWith('Input.')) found.push(node);
  });
  return found;
};
const textsOf = (card: Card) => {
  const found: string[] = [];
  walk(card, (node) => {
    if (node.type === 'TextBlock') found.push(node.text);
  });
  return found;
};
const json = (card: Card) => JSON.stringify(card);

describe.each(['nb', 'en'] as const)('cards in %s', (language) => {
  const all = scenarios(language);

  test('every template in cards/ is rendered by a scenario', () => {
    const templates = listCardTemplates();
    expect(templates.length).toBeGreaterThanOrEqual(8);
    expect(templates.filter((name) => !all.some(([n]) => n === name))).toEqual([]);
  });

  test.each(all)(
    '%s (%s): the official renderer accepts it without events',
    (_name, _situation, card) => {
      expect(rendererProblems(card)).toEqual([]);
    },
  );

  test.each(all)(
    '%s (%s): schema version 1.5, also in ShowCard cards',
    (_name, _situation, card) => {
      expect(card.type).toBe('AdaptiveCard');
      expect(card.version).toBe('1.5');
      walk(card, (node, path) => {
        if (node.type === 'Action.ShowCard')
          expect({ path, version: node.card?.version }).toEqual({ path, version: '1.5' });
      });
    },
  );

  test.each(all)('%s (%s): no unexpanded ${...} placeholder', (_name, _situation, card) => {
    expect(json(card)).not.toContain('${');
    expect(json(card)).not.toContain('$data');
    expect(json(card)).not.toContain('$when');
  });

  test.each(all)('%s (%s): no empty TextBlock', (_name, _situation, card) => {
    for (const text of textsOf(card))
      expect(typeof text === 'string' && text.trim().length > 0).toBe(true);
  });

  test.each(all.filter(([, , card]) => executeActions(card).some((a) => a.action.data?.sig)))(
    '%s (%s): signed actions carry a number rev and a signature that verifies',
    (_name, _situation, card) => {
      for (const { action } of executeActions(card)) {
        expect(typeof action.data.rev).toBe('number');
        const signed = { kind: 'deviation', id: action.data.ref, rev: action.data.rev };
        expect(signer.verify({ ...signed, verb: action.verb }, action.data.sig)).toBe(true);
        // Bound to its button: the same signature is refused for another verb.
        expect(signer.verify({ ...signed, verb: 'deviation.other' }, action.data.sig)).toBe(false);
      }
    },
  );
});

describe('handler card: actions follow the workflow and the viewer', () => {
  const verbs = (card: Card) =>
    userActions(card)
      .map((a) => a.action.verb)
      .sort();

  test.each([
    [
      'registrert',
      deviation(),
      ['deviation.assign', 'deviation.escalate', 'deviation.reject', 'deviation.take'],
    ],
    [
      'under_behandling',
      deviation({ status: 'under_behandling' }),
      [
        'deviation.assign',
        'deviation.close',
        'deviation.escalate',
        'deviation.measure',
        'deviation.reject',
      ],
    ],
    [
      'tiltak_iverksatt',
      deviation({ status: 'tiltak_iverksatt' }),
      ['deviation.assign', 'deviation.close', 'deviation.escalate', 'deviation.measure'],
    ],
    ['lukket', closed(), []],
    ['avvist', rejected(), []],
  ] as [string, Deviation, string[]][])('%s, seen by the handler', (_status, d, expected) => {
    expect(verbs(handlerCard(d, { viewerId: DEMO.barnehageLeader }))).toEqual(expected);
  });

  test('the rådmann at the top of the line is offered no escalation', () => {
    const card = handlerCard(deviation({ handlerId: DEMO.radmann, status: 'under_behandling' }), {
      viewerId: DEMO.radmann,
    });
    expect(verbs(card)).not.toContain('deviation.escalate');
    expect(verbs(card)).toContain('deviation.close');
  });

  test.each([
    ['the reporter (an employee)', DEMO.barnehageEmployee],
    ['a leader in the unit it is not assigned to', DEMO.barnehageSubLeader],
    ['the leader of another unit', DEMO.skoleLeader],
    ['an employee of another unit', DEMO.skoleEmployee],
  ])('a viewer who may not handle (%s) gets no actions except refresh', (_who, viewerId) => {
    for (const d of [
      deviation(),
      deviation({ status: 'under_behandling' }),
      deviation({ status: 'tiltak_iverksatt' }),
    ]) {
      const card = handlerCard(d, { viewerId });
      expect(userActions(card)).toEqual([]);
      expect(json(card)).not.toContain('Action.ShowCard');
      expect(inputsOf(card)).toEqual([]);
      expect(executeActions(card).map((a) => a.path)).toEqual(['refresh.action']);
      expect(textsOf(card)).toContain(strings('nb').handler.readOnly);
    }
  });

  test('the inputs are the fields the service reads', () => {
    const ids = inputsOf(
      handlerCard(deviation({ status: 'under_behandling' }), { viewerId: DEMO.barnehageLeader }),
    )
      .map((i) => i.id)
      .sort();
    expect(ids).toEqual([
      'assigneeId',
      'cause',
      'closingMeasures',
      'measureDue',
      'measureText',
      'rejectReason',
    ]);
  });

  test('assign offers the other leaders of the unit, not the holder', () => {
    const card = handlerCard(deviation({ status: 'under_behandling' }), {
      viewerId: DEMO.barnehageLeader,
    });
    const choiceSet = inputsOf(card).find((i) => i.id === 'assigneeId')!;
    expect(choiceSet.choices.map((c: { value: string }) => c.value)).toEqual([
      DEMO.barnehageSubLeader,
    ]);
  });

  test('the measure due date cannot be before today in Oslo', () => {
    const lateEvening = new Date('2026-11-27T23:30:00Z'); // 00:30 on 28 November in Oslo
    const card = renderCard(
      'deviations/handler',
      handlerData(ctxFor('nb', lateEvening), deviation({ status: 'under_behandling' }), signer, {
        viewerId: DEMO.barnehageLeader,
      }),
    );
    expect(inputsOf(card).find((i) => i.id === 'measureDue')?.min).toBe('2026-11-28');
  });
});

describe('user text stays literal', () => {
  test('${1+1} in the description is shown as typed, not as 2', () => {
    const card = handlerCard(
      deviation({ description: '${1+1}', immediateAction: '${t.take}', cause: undefined }),
      { viewerId: DEMO.barnehageLeader },
    );
    const texts = textsOf(card);
    expect(texts).toContain('${1+1}');
    expect(texts).toContain('${t.take}');
    expect(texts).not.toContain('2');
    expect(json(card)).toContain('${1+1}');
    expect(rendererProblems(card)).toEqual([]);
  });

  test('template syntax in the reporter name, cause and measures stays literal too', () => {
    const d = closed({
      reporterName: '${ownerId}',
      cause: '${sig}',
      closingMeasures: '${$root.ref}',
      measures: [
        {
          text: '${rev}',
          dueDate: '2026-12-01',
          byId: DEMO.barnehageLeader,
          at: '2026-11-27T08:30:00.000Z',
        },
      ],
    });
    const card = handlerCard(d, { viewerId: DEMO.barnehageLeader });
    const texts = textsOf(card);
    expect(texts).toContain('${sig}');
    expect(texts).toContain('${$root.ref}');
    expect(texts.some((x) => x.includes('${rev}'))).toBe(true);
    expect(json(card)).toContain('"value":"${ownerId}"');
    const outcome = renderCard('deviations/outcome', outcomeData(ctxFor('nb'), d));
    expect(json(outcome)).toContain('${sig}');
    expect(json(outcome)).toContain('${$root.ref}');
  });

  test('the report form shows a typed ${1+1} back literally', () => {
    const card = renderCard(
      'deviations/report-form',
      reportFormData(
        ctxFor('nb'),
        { description: '${1+1}', occurredTime: '${today}' },
        {},
        'form-0004-abcd',
      ),
    );
    expect(inputsOf(card).find((i) => i.id === 'description')?.value).toBe('${1+1}');
    expect(inputsOf(card).find((i) => i.id === 'occurredTime')?.value).toBe('${today}');
  });
});

describe('report form', () => {
  test('its inputs are exactly the fields validateReport reads', () => {
    const card = renderCard(
      'deviations/report-form',
      reportFormData(ctxFor('nb'), {}, {}, 'form-0005-abcd'),
    );
    expect(
      inputsOf(card)
        .map((i) => i.id)
        .sort(),
    ).toEqual([...REPORT_FIELDS].sort());
  });

  test('after errors every typed value is back in its input and each error is shown', () => {
    const typed = {
      type: 'forbedringsforslag',
      categoryId: 'miljo',
      unitId: 'heim-skole',
      occurredOn: '2026-02-30',
      occurredTime: '25:00',
      description: 'Noe skjedde',
      immediateAction: 'Ryddet',
      suggestion: 'Rutine',
      severity: 'lav',
      anonymous: 'true',
    };
    const result = validateReport(typed, {
      categories: DEFAULT_CATEGORIES,
      unitIds: new Set(org.units.keys()),
      now: NOW,
    });
    if (result.ok) throw new Error('expected errors');
    const card = renderCard(
      'deviations/report-form',
      reportFormData(ctxFor('nb'), result.draft, result.errors, 'form-0006-abcd'),
    );
    for (const input of inputsOf(card))
      expect({ id: input.id, value: input.value }).toEqual({
        id: input.id,
        value: typed[input.id as keyof typeof typed],
      });
    const t = strings('nb').form;
    expect(textsOf(card)).toEqual(
      expect.arrayContaining([t.errorsTitle, t.errors.invalid_date, t.errors.invalid_time]),
    );
    expect(rendererProblems(card)).toEqual([]);
  });

  test('the date cannot be after today in Oslo', () => {
    const card = renderCard(
      'deviations/report-form',
      reportFormData(ctxFor('nb', new Date('2026-11-27T23:30:00Z')), {}, {}, 'form-0007-abcd'),
    );
    expect(inputsOf(card).find((i) => i.id === 'occurredOn')?.max).toBe('2026-11-28');
  });

  test('the unit choices are the enheter and staber, not rådmannsnivå', () => {
    const card = renderCard(
      'deviations/report-form',
      reportFormData(ctxFor('nb'), {}, {}, 'form-0008-abcd'),
    );
    const values = inputsOf(card)
      .find((i) => i.id === 'unitId')!
      .choices.map((c: { value: string }) => c.value);
    expect(values).toContain('sentrum-barnehage');
    expect(values).toContain('ikt');
    expect(values).not.toContain('radmann');
  });
});

describe('privacy', () => {
  const secretTexts = [DESCRIPTION, IMMEDIATE, SUGGESTION];
  const leaks = (card: Card) => secretTexts.filter((s) => json(card).includes(s.slice(0, 20)));

  test.each(['nb', 'en'] as const)(
    'receipt, list and outcome cards never contain the description (%s)',
    (language) => {
      const ctx = ctxFor(language);
      for (const d of [deviation(), closed(), rejected(), deviation({ anonymous: true })]) {
        expect(leaks(renderCard('deviations/receipt', receiptData(ctx, d, signer)))).toEqual([]);
        expect(
          leaks(
            renderCard(
              'deviations/receipt',
              receiptData(ctx, d, signer, { routedUpTo: 'Per Kristiansen' }),
            ),
          ),
        ).toEqual([]);
      }
      for (const d of [closed(), rejected()])
        expect(leaks(renderCard('deviations/outcome', outcomeData(ctx, d)))).toEqual([]);
      expect(leaks(renderCard('deviations/list', listData(ctx, 'open', rows(20), 1)))).toEqual([]);
    },
  );

  test('the handler card does show the description to a handler (the check above can fail)', () => {
    expect(json(handlerCard(deviation(), { viewerId: DEMO.barnehageLeader }))).toContain(
      DESCRIPTION,
    );
  });

  test.each([
    ['the handler', DEMO.barnehageLeader],
    ['the rådmann (line above)', DEMO.radmann],
    ['the assignee', DEMO.barnehageSubLeader],
  ])('an anonymous report never shows the reporter to %s', (_who, viewerId) => {
    const states = [
      deviation({ anonymous: true, assigneeId: DEMO.barnehageSubLeader }),
      deviation({
        anonymous: true,
        status: 'under_behandling',
        assigneeId: DEMO.barnehageSubLeader,
      }),
      closed({ anonymous: true }),
    ];
    for (const d of states) {
      for (const language of ['nb', 'en'] as const) {
        const card = handlerCard(d, { viewerId, lastEvent: events(d)[2] }, language);
        expect(json(card)).not.toContain(DEMO.barnehageEmployeeName);
        expect(json(card)).not.toContain(DEMO.barnehageEmployee);
        expect(json(card)).toContain(strings(language).handler.anonymousReporter);
        const history = renderCard(
          'deviations/history',
          historyData(ctxFor(language), d, events(d), viewerId),
        );
        expect(json(history)).not.toContain(DEMO.barnehageEmployeeName);
        expect(json(history)).not.toContain(DEMO.barnehageEmployee);
      }
    }
  });

  test('a named report shows the reporter to the handler, and an anonymous one to the reporter', () => {
    expect(json(handlerCard(deviation(), { viewerId: DEMO.barnehageLeader }))).toContain(
      DEMO.barnehageEmployeeName,
    );
    expect(
      json(handlerCard(deviation({ anonymous: true }), { viewerId: DEMO.barnehageEmployee })),
    ).toContain(DEMO.barnehageEmployeeName);
  });
});

describe('size: every card stays under 40 KB with maximum-length texts', () => {
  const LIMIT = 40 * 1024;
  // Norwegian text with quotes, line breaks and æøå: what real long reports look like.
  const long = (n: number) =>
    'Barnet «Ola» falt\nfra klatrestativet – sår på kneet; æøå ÆØÅ. '
      .repeat(Math.ceil(n / 60))
      .slice(0, n);
  const bytes = (card: Card) => Buffer.byteLength(json(card), 'utf8');

  const maxDeviation = closed({
    description: long(4000),
    immediateAction: long(2000),
    suggestion: long(2000),
    cause: long(2000),
    closingMeasures: long(2000),
    reporterName: long(100),
    measures: [1, 2, 3].map((i) => ({
      text: long(2000),
      dueDate: `2026-12-0${i}`,
      byId: DEMO.barnehageLeader,
      at: '2026-11-27T08:30:00.000Z',
    })),
  });

  test('the long text really is at the limits', () => {
    expect(long(4000)).toHaveLength(4000);
    expect(
      validateReport(
        {
          type: 'avvik',
          categoryId: 'hms',
          unitId: 'heim-skole',
          occurredOn: '2026-11-27',
          description: long(4000),
          immediateAction: long(2000),
          suggestion: long(2000),
          severity: 'lav',
        },
        { categories: DEFAULT_CATEGORIES, unitIds: new Set(['heim-skole']), now: NOW },
      ).ok,
    ).toBe(true);
  });

  test.each(['nb', 'en'] as const)(
    'handler, history, outcome, receipt and form (%s)',
    (language) => {
      const ctx = ctxFor(language);
      const open = {
        ...maxDeviation,
        status: 'tiltak_iverksatt' as const,
        closedAt: undefined,
        cause: undefined,
        closingMeasures: undefined,
      };
      const hist = [
        ...events(maxDeviation).slice(0, 3),
        ...maxDeviation.measures.map((m, i) => ({
          ref: maxDeviation.ref,
          seq: 4 + i,
          at: m.at,
          kind: 'measure' as const,
          actorId: DEMO.barnehageLeader,
          toStatus: 'tiltak_iverksatt' as const,
          note: m.text,
        })),
        {
          ref: maxDeviation.ref,
          seq: 7,
          at: '2026-11-27T09:00:00.000Z',
          kind: 'close' as const,
          actorId: DEMO.barnehageLeader,
          toStatus: 'lukket' as const,
          note: maxDeviation.cause,
        },
      ];
      const cards: [string, Card][] = [
        [
          'handler (closed)',
          renderCard(
            'deviations/handler',
            handlerData(ctx, maxDeviation, signer, {
              viewerId: DEMO.barnehageLeader,
              notice: long(300),
              headline: long(100),
            }),
          ),
        ],
        [
          'handler (open)',
          renderCard(
            'deviations/handler',
            handlerData(ctx, open, signer, { viewerId: DEMO.barnehageLeader }),
          ),
        ],
        [
          'history',
          renderCard(
            'deviations/history',
            historyData(ctx, maxDeviation, hist, DEMO.barnehageLeader),
          ),
        ],
        ['outcome', renderCard('deviations/outcome', outcomeData(ctx, maxDeviation))],
        ['receipt', renderCard('deviations/receipt', receiptData(ctx, maxDeviation, signer))],
        [
          'report form',
          renderCard(
            'deviations/report-form',
            reportFormData(
              ctx,
              { description: long(4000), immediateAction: long(2000), suggestion: long(2000) },
              {},
              'form-0009-abcd',
            ),
          ),
        ],
        ['list', renderCard('deviations/list', listData(ctx, 'open', rows(500), 3))],
      ];
      for (const [name, card] of cards) {
        expect({ name, tooBig: bytes(card) >= LIMIT, bytes: bytes(card) }).toMatchObject({
          name,
          tooBig: false,
        });
        expect(rendererProblems(card)).toEqual([]);
      }
      // The texts really are in the handler card: the size check measured them.
      expect(bytes(cards[0][1])).toBeGreaterThan(4000 + 2000 * 7);
    },
  );
});

describe('list card', () => {
  const t = strings('nb').lists;

  test('pages hold at most PAGE_SIZE rows with previous/next as the page requires', () => {
    const verbsData = (card: Card) =>
      userActions(card)
        .filter((a) => a.action.verb === 'deviation.list')
        .map((a) => a.action.data);
    const first = renderCard(
      'deviations/list',
      listData(ctxFor('nb'), 'open', rows(PAGE_SIZE * 2 + 1), 1),
    );
    expect(userActions(first).filter((a) => a.action.verb === 'deviation.show')).toHaveLength(
      PAGE_SIZE,
    );
    expect(verbsData(first)).toEqual([{ list: 'open', page: 2 }]);
    const middle = renderCard(
      'deviations/list',
      listData(ctxFor('nb'), 'open', rows(PAGE_SIZE * 2 + 1), 2),
    );
    expect(verbsData(middle)).toEqual([
      { list: 'open', page: 1 },
      { list: 'open', page: 3 },
    ]);
    const last = renderCard(
      'deviations/list',
      listData(ctxFor('nb'), 'open', rows(PAGE_SIZE * 2 + 1), 99),
    );
    expect(userActions(last).filter((a) => a.action.verb === 'deviation.show')).toHaveLength(1);
    expect(verbsData(last)).toEqual([{ list: 'open', page: 2 }]);
    expect(textsOf(last)).toContain('Side 3 av 3');
  });

  test('an empty list says so and has no buttons', () => {
    const card = renderCard('deviations/list', listData(ctxFor('nb'), 'mine', [], 1));
    expect(textsOf(card)).toContain(t.empty);
    expect(userActions(card)).toEqual([]);
  });

  test('overdue open rows are marked (relative to the passed now)', () => {
    const overdueRow = { ...rows(1)[0], dueAt: '2026-11-27T09:59:59.000Z' };
    const notYet = { ...rows(1)[0], ref: 'AVV-2026-0002', dueAt: '2026-11-27T10:00:01.000Z' };
    const card = renderCard(
      'deviations/list',
      listData(ctxFor('nb'), 'open', [overdueRow, notYet], 1),
    );
    expect(textsOf(card).filter((x) => x === t.overdue)).toHaveLength(1);
  });

  // deviation.show answers with the list again (bot/teams/routes/deviation-cards.ts reads
  // data.list and data.page); without them, "Vis" in "Åpne avvik" page 2 jumps to "Mine avvik" page 1.
  test('the show button carries the list and page it was pressed on', () => {
    const card = renderCard(
      'deviations/list',
      listData(ctxFor('nb'), 'open', rows(PAGE_SIZE * 2 + 1), 2),
    );
    const show = userActions(card).filter((a) => a.action.verb === 'deviation.show');
    expect(show.length).toBeGreaterThan(0);
    for (const { action } of show) expect(action.data).toMatchObject({ list: 'open', page: 2 });
  });
});

describe('user text is shown as text, not as Markdown links', () => {
  test('a [text](url) link in a description cannot hide where it leads', () => {
    const d = deviation({
      description: 'Se [vedlegget](https://evil.example/login) og svar',
      cause: 'x](y',
    });
    const json = JSON.stringify(
      renderCard(
        'deviations/handler',
        handlerData(ctxFor('nb'), d, signer, { viewerId: DEMO.barnehageLeader }),
      ),
    );
    expect(json).not.toMatch(/\]\s*\(https:\/\/evil/);
    expect(json).toContain('https://evil.example/login'); // the address itself stays visible
    expect(json).toContain('vedlegget');
  });
});
