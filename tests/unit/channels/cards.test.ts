import type { Subscription } from '../../../bot/channels/ports';
import { subscribableUnits } from '../../../bot/channels/subscriptions';
import {
  endPickerData,
  subscribedData,
  subscribePickerData,
  subscriptionListData,
} from '../../../bot/channels/subscription-views';
import { listCardTemplates, renderCard, type Card } from '../../../bot/kernel/card-templates';
import type { Language } from '../../../bot/i18n';
import { json, rendererProblems, textsOf, walk } from '../card-fixtures';
import { DEMO, demoOrg } from '../fixtures';

/** The cards/channels templates, in realistic situations, through the official renderer. */
const org = demoOrg();
const subscription = (unitId: string, subscribedBy: string = DEMO.radmann): Subscription => ({
  topic: 'avvik',
  teamId: '19:team@thread.tacv2',
  channelId: '19:kanal@thread.tacv2',
  unitId,
  subscribedBy,
  at: '2026-11-27T10:00:00.000Z',
});
const several = [
  subscription('sentrum-barnehage', DEMO.barnehageLeader),
  subscription('radmann'),
  subscription('nedlagt-enhet', 'someone-who-left'),
];

function scenarios(language: Language): [string, string, Card][] {
  const ctx = { org, language };
  const all = subscribableUnits(org, DEMO.radmann);
  return [
    [
      'channels/picker',
      'subscribe, every unit',
      renderCard('channels/picker', subscribePickerData(ctx, 'avvik', all)),
    ],
    [
      'channels/picker',
      'subscribe, with a note',
      renderCard('channels/picker', subscribePickerData(ctx, 'avvik', all.slice(0, 1), 'Velg')),
    ],
    ['channels/picker', 'end', renderCard('channels/picker', endPickerData(ctx, several))],
    ['channels/list', 'empty', renderCard('channels/list', subscriptionListData(ctx, []))],
    ['channels/list', 'three', renderCard('channels/list', subscriptionListData(ctx, several))],
    [
      'channels/subscribed',
      'a unit',
      renderCard('channels/subscribed', subscribedData(ctx, several[0], true)),
    ],
    [
      'channels/subscribed',
      'the top, already',
      renderCard('channels/subscribed', subscribedData(ctx, several[1], false)),
    ],
  ];
}

describe.each(['nb', 'en'] as const)('channel cards in %s', (language) => {
  const all = scenarios(language);

  test('every template in cards/channels has a scenario', () => {
    const templates = listCardTemplates().filter((n) => n.startsWith('channels/'));
    expect(templates.sort()).toEqual([...new Set(all.map(([n]) => n))].sort());
  });

  test.each(all)('%s (%s): the official renderer accepts it', (_n, _s, card) => {
    expect(rendererProblems(card)).toEqual([]);
  });

  test.each(all)('%s (%s): version 1.5, fully expanded, no empty text', (_n, _s, card) => {
    expect(card.version).toBe('1.5');
    expect(json(card)).not.toMatch(/\$\{|\$data|\$when/);
    for (const text of textsOf(card)) expect(String(text).trim()).not.toBe('');
  });

  test.each(all)('%s (%s): actions are Action.Execute with a channel verb', (_n, _s, card) => {
    walk(card, (node) => {
      if (typeof node.type === 'string' && node.type.startsWith('Action.')) {
        expect(node.type).toBe('Action.Execute');
        expect(['subscription.create', 'subscription.remove']).toContain(node.verb);
      }
    });
  });
});

test('the pickers: a required choice set of units, or of subscriptions', () => {
  const ctx = { org, language: 'nb' as const };
  const subscribe = renderCard(
    'channels/picker',
    subscribePickerData(ctx, 'avvik', subscribableUnits(org, DEMO.barnehageLeader)),
  );
  const choiceSet = (card: Card) => {
    let found: Record<string, any> | undefined;
    walk(card, (node) => {
      if (node.type === 'Input.ChoiceSet') found = node;
    });
    return found!;
  };
  expect(choiceSet(subscribe)).toMatchObject({
    id: 'unitId',
    isRequired: true,
    choices: [{ title: 'Sentrum barnehage', value: 'sentrum-barnehage' }],
  });
  const end = renderCard('channels/picker', endPickerData(ctx, several.slice(0, 2)));
  expect(choiceSet(end)).toMatchObject({
    id: 'subscription',
    choices: [
      { title: 'Rådmannen (avvik)', value: 'avvik:radmann' },
      { title: 'Sentrum barnehage (avvik)', value: 'avvik:sentrum-barnehage' },
    ],
  });
});

test('a unit or person no longer in the organisation still shows, by id and as unknown', () => {
  const text = json(
    renderCard('channels/list', subscriptionListData({ org, language: 'nb' }, several)),
  );
  expect(text).toContain('nedlagt-enhet');
  expect(text).toContain('abonnert av ukjent person');
});
