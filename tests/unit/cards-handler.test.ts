import type { Deviation } from '../../bot/deviations/deviation';
import { handlerData } from '../../bot/deviations/deviation-views';
import { renderCard, type Card } from '../../bot/kernel/card-templates';
import { strings } from '../../bot/i18n';
import {
  closed,
  ctxFor,
  deviation,
  executeActions,
  handlerCard,
  inputsOf,
  json,
  rejected,
  signer,
  textsOf,
  userActions,
} from './card-fixtures';
import { DEMO } from './fixtures';

/** The handler card: which actions and inputs each viewer gets. */

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
