import { DEFAULT_CATEGORIES } from '../../bot/deviations/deviation';
import {
  handlerData,
  historyData,
  listData,
  outcomeData,
  receiptData,
  reportFormData,
} from '../../bot/deviations/deviation-views';
import { validateReport } from '../../bot/deviations/report-form';
import { listCardTemplates, renderCard, type Card } from '../../bot/kernel/card-templates';
import { strings } from '../../bot/i18n';
import {
  closed,
  ctxFor,
  DESCRIPTION,
  deviation,
  events,
  executeActions,
  handlerCard,
  IMMEDIATE,
  inputsOf,
  json,
  rejected,
  rendererProblems,
  rows,
  scenarios,
  signer,
  SUGGESTION,
  textsOf,
  walk,
} from './card-fixtures';
import { DEMO, NOW } from './fixtures';

/** Rules every card keeps: renderer, schema, templating safety, privacy and size. */

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
        // Every feature's verbs are `<kind>.<verb>`: deviation.take, arshjul.done.
        const kind = String(action.verb).split('.')[0];
        const signed = { kind, id: action.data.ref, rev: action.data.rev };
        expect(signer.verify({ ...signed, verb: action.verb }, action.data.sig)).toBe(true);
        // Bound to its button: the same signature is refused for another verb.
        expect(signer.verify({ ...signed, verb: `${kind}.other` }, action.data.sig)).toBe(false);
      }
    },
  );
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
