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
import { digestData, nudgeData } from '../../bot/deviations/deviation-nudge-views';
import { validateReport } from '../../bot/deviations/report-form';
import {
  endPickerData,
  subscribedData,
  subscribePickerData,
  subscriptionListData,
} from '../../bot/channels/subscription-views';
import { subscribableUnits } from '../../bot/channels/subscriptions';
import { CardSigner } from '../../bot/kernel/card-signing';
import { renderCard, type Card } from '../../bot/kernel/card-templates';
import fs from 'node:fs';
import { delegationScenarios } from './delegations-card-fixtures';
import { taskScenarios } from './tasks-card-fixtures';
import path from 'node:path';
import type { Occurrence } from '../../bot/arshjul/arshjul';
import { parseArshjulFile } from '../../bot/arshjul/arshjul-file';
import {
  arshjulScene,
  listCard,
  listRow,
  occurrenceCard,
  ownerLabel,
  statusCard,
  statusRows,
} from '../../bot/arshjul/arshjul-views';
import { fill, strings, type Language } from '../../bot/i18n';
import { sampleDeviation } from '../support/sample-deviation';
import { sampleOccurrence } from '../support/sample-occurrence';
import { DEMO, demoOrg, NOW } from './fixtures';

/**
 * Shared setup of the card suites (tests/unit/cards-*.test.ts): the demo org, the signer, sample
 * deviations, every template rendered in realistic situations, and helpers that look into cards.
 * No tests here.
 */

// Plain require('adaptivecards') fails on Node 20; the UMD bundle works in plain Node.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const AC = require('adaptivecards/dist/adaptivecards.js');

export const org = demoOrg();
export const signer = new CardSigner('unit-test-card-signing-secret-0123456789');
export const ctxFor = (language: Language, now: Date = NOW): ViewContext => ({
  org,
  categories: DEFAULT_CATEGORIES,
  language,
  now,
});

export const DESCRIPTION = 'UNIK-BESKRIVELSE-7f3a: barnet klemte fingeren i døra på Blåbær.';
export const IMMEDIATE = 'UNIK-STRAKSTILTAK-91c2: kjølte fingeren.';
export const SUGGESTION = 'UNIK-FORSLAG-5d0e: klemsikring på alle dører.';

export const deviation = (overrides: Partial<Deviation> = {}) =>
  sampleDeviation({
    description: DESCRIPTION,
    immediateAction: IMMEDIATE,
    suggestion: SUGGESTION,
    ...overrides,
  });

export const closed = (overrides: Partial<Deviation> = {}) =>
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

export const rejected = (overrides: Partial<Deviation> = {}) =>
  deviation({
    status: 'avvist',
    rev: 3,
    rejectReason: 'Gjelder en privat hendelse',
    closedAt: '2026-11-27T09:00:00.000Z',
    ...overrides,
  });

export function events(d: Deviation): DeviationEvent[] {
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

export function rows(count: number): IndexRow[] {
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

export const handlerCard = (d: Deviation, o: HandlerViewOptions, language: Language = 'nb') =>
  renderCard('deviations/handler', handlerData(ctxFor(language), d, signer, o));

/** Every template rendered in realistic situations: [template, situation, card]. */
export function scenarios(language: Language): [string, string, Card][] {
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
  const privacyCase = deviation({
    status: 'under_behandling',
    rev: 2,
    categoryId: 'informasjonssikkerhet',
    measures: closed().measures,
  });
  const nudges: [string, Deviation, Parameters<typeof nudgeData>[3]][] = [
    ['not taken', deviation(), { reason: 'not-taken', viewerId: DEMO.barnehageLeader, days: 5 }],
    [
      'overdue',
      deviation({ dueAt: '2026-11-20T08:00:00.000Z' }),
      { reason: 'overdue', viewerId: DEMO.barnehageLeader },
    ],
    [
      'measure due',
      privacyCase,
      { reason: 'measure-due', viewerId: DEMO.barnehageLeader, measure: 0 },
    ],
    [
      'measure overdue',
      privacyCase,
      { reason: 'measure-overdue', viewerId: DEMO.barnehageLeader, measure: 0 },
    ],
    [
      '72-hour clock, handler',
      privacyCase,
      { reason: 'privacy', viewerId: DEMO.barnehageLeader, hours: 48 },
    ],
    [
      '72-hour clock, personvernombud',
      privacyCase,
      { reason: 'privacy', viewerId: DEMO.personvernombud, hours: 60 },
    ],
  ];
  for (const [what, d, nudge] of nudges)
    list.push([
      'deviations/nudge',
      what,
      renderCard('deviations/nudge', nudgeData(ctx, d, signer, nudge)),
    ]);
  const counts = { reported: 3, open: 7, overdue: 2, closed: 4 };
  list.push(
    [
      'deviations/digest',
      'to a leader',
      renderCard('deviations/digest', digestData(language, counts, '2026-W50', { personal: true })),
    ],
    [
      'deviations/digest',
      'to a channel',
      renderCard(
        'deviations/digest',
        digestData(language, counts, '2026-W50', {
          unitName: 'Sentrum barnehage',
          personal: false,
          chatUrl:
            'https://teams.microsoft.com/l/chat/0/0?users=28:00000000-0000-0000-0000-000000000000',
        }),
      ),
    ],
  );
  const sub = {
    topic: 'avvik' as const,
    teamId: 't',
    channelId: 'c',
    unitId: 'sentrum-barnehage',
    subscribedBy: DEMO.barnehageLeader,
    at: NOW.toISOString(),
  };
  const channelCtx = { org, language };
  list.push(
    [
      'channels/picker',
      'subscribe',
      renderCard(
        'channels/picker',
        subscribePickerData(channelCtx, 'avvik', subscribableUnits(org, DEMO.radmann)),
      ),
    ],
    ['channels/picker', 'end', renderCard('channels/picker', endPickerData(channelCtx, [sub]))],
    ['channels/list', 'one', renderCard('channels/list', subscriptionListData(channelCtx, [sub]))],
    [
      'channels/subscribed',
      'new',
      renderCard('channels/subscribed', subscribedData(channelCtx, sub, true)),
    ],
  );
  list.push(...arshjulScenarios(language));
  list.push(...delegationScenarios(language, org, signer));
  list.push(...taskScenarios(language, org, signer));
  return list;
}

/** What the official renderer complains about: parse events and property validation failures. */
export function rendererProblems(card: Card): string[] {
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
export function walk(
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

export const executeActions = (card: Card) => {
  const found: { path: string; action: Record<string, any> }[] = [];
  walk(card, (node, path) => {
    if (node.type === 'Action.Execute') found.push({ path, action: node });
  });
  return found;
};
export const userActions = (card: Card) =>
  executeActions(card).filter((a) => a.path !== 'refresh.action');
export const inputsOf = (card: Card) => {
  const found: Record<string, any>[] = [];
  walk(card, (node) => {
    if (typeof node.type === 'string' && node.type.startsWith('Input.')) found.push(node);
  });
  return found;
};
export const textsOf = (card: Card) => {
  const found: string[] = [];
  walk(card, (node) => {
    if (node.type === 'TextBlock') found.push(node.text);
  });
  return found;
};
export const json = (card: Card) => JSON.stringify(card);

/** The årshjul's cards with the default file of Heim kommune. */
function arshjulScenarios(language: Language): [string, string, Card][] {
  const parsed = parseArshjulFile(
    JSON.parse(
      fs.readFileSync(path.join(__dirname, '../../bot/arshjul/demo/heim-arshjul.json'), 'utf8'),
    ),
  );
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  const scene = arshjulScene(org, parsed.file, language, NOW);
  const t = strings(language).arshjul;
  const open = sampleOccurrence();
  const done: Occurrence = {
    ...open,
    rev: 2,
    status: 'done',
    doneAt: NOW.toISOString(),
    doneBy: DEMO.barnehageLeader,
    doneNote: 'Vedtatt [i møte](https://example.org)',
  };
  const legal: Occurrence = {
    ...open,
    ref: 'AH-2027-arsregnskap-1-okonomi',
    activityId: 'arsregnskap',
    unitId: 'okonomi',
    nominal: '2027-02-22',
    deadline: '2027-02-22',
  };
  const card = (o: Occurrence, options: Partial<Parameters<typeof occurrenceCard>[2]> = {}) =>
    occurrenceCard(scene, o, { signer, mayAct: true, ...options });
  const rowsOf = [open, legal].map((o) => listRow(scene, o, ownerLabel(scene, o)));
  return [
    [
      'arshjul/occurrence',
      'reminder',
      card(open, { headline: fill(t.headlines.remind, { days: 7 }) }),
    ],
    ['arshjul/occurrence', 'with legal basis', card(legal, { headline: t.headlines.due })],
    [
      'arshjul/occurrence',
      'done',
      card(done, { headline: t.headlines.done, headlineColor: 'Good' }),
    ],
    ['arshjul/occurrence', 'seen by another', card(open, { mayAct: false })],
    [
      'arshjul/occurrence',
      'help asked',
      card(open, { headline: fill(t.headlines.help, { name: 'Ingrid' }), helpText: 'Trenger mal' }),
    ],
    [
      'arshjul/list',
      'two months',
      listCard(
        fill(t.monthTitle, { months: 'januar 2027 og februar 2027' }),
        '',
        [
          { heading: 'januar 2027', empty: fill(t.monthEmpty, { month: 'januar 2027' }), rows: [] },
          { heading: 'februar 2027', empty: '', rows: rowsOf },
        ],
        language,
      ),
    ],
    ['arshjul/status', 'a year', statusCard(scene, 2027, statusRows(scene, [open, done, legal]))],
    [
      'arshjul/calendar',
      'two feeds',
      renderCard('arshjul/calendar', {
        title: t.calendarTitle,
        intro: t.calendarIntro,
        feeds: [
          { name: t.calendarOrg, url: 'https://ik.heim.no/calendar/' + 'a'.repeat(43) + '.ics' },
          {
            name: 'Sentrum barnehage',
            url: 'https://ik.heim.no/calendar/' + 'b'.repeat(43) + '.ics',
          },
        ],
      }),
    ],
  ];
}
