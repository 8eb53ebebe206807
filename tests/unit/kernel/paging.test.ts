import {
  subscriptionListData,
  LIST_MAX_ROWS as SUBSCRIPTIONS_MAX,
} from '../../../bot/channels/subscription-views';
import { listCard, LIST_MAX_ROWS, type ListRow } from '../../../bot/arshjul/arshjul-views';
import type { Subscription } from '../../../bot/channels/ports';
import { listData, PAGE_SIZE } from '../../../bot/deviations/deviation-views';
import { strings } from '../../../bot/i18n';
import { pageOf } from '../../../bot/kernel/paging';
import { ctxFor, rows, textsOf } from '../card-fixtures';
import { demoOrg } from '../fixtures';

/** Every list a card shows is bounded (issue #11, section 2: pagination caps on every list). */
describe('pageOf', () => {
  const items = Array.from({ length: 25 }, (_, i) => i + 1);

  test.each([
    ['the first page', 1, 1, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]],
    ['the last, partial page', 3, 3, [21, 22, 23, 24, 25]],
    ['past the end: the last page', 99, 3, [21, 22, 23, 24, 25]],
    ['a huge number: the last page', 1e300, 3, [21, 22, 23, 24, 25]],
    ['zero: the first page', 0, 1, items.slice(0, 10)],
    ['negative: the first page', -5, 1, items.slice(0, 10)],
    ['a fraction: its whole part', '2.9', 2, items.slice(10, 20)],
    ['text: the first page', 'to', 1, items.slice(0, 10)],
    ['Infinity: the first page', Infinity, 1, items.slice(0, 10)],
    ['missing: the first page', undefined, 1, items.slice(0, 10)],
    ['an object: the first page', { page: 2 }, 1, items.slice(0, 10)],
  ])('%s', (_what, requested, page, shown) => {
    const result = pageOf(items, requested, 10);
    expect(result).toEqual({ rows: shown, page, pages: 3, total: 25 });
  });

  test('an empty list is one empty page', () => {
    expect(pageOf([], 7, 10)).toEqual({ rows: [], page: 1, pages: 1, total: 0 });
  });
});

describe('lists on cards', () => {
  test('mine/åpne avvik: a page number out of range shows the last page, never more than PAGE_SIZE rows', () => {
    const data = listData(ctxFor('nb'), 'mine', rows(PAGE_SIZE * 3), '1000000');
    expect(data.rows).toHaveLength(PAGE_SIZE);
    expect(data.page).toBe(3);
    expect(data.hasNext).toBe(false);
    expect(listData(ctxFor('nb'), 'mine', rows(3), 'x').page).toBe(1);
  });

  test('årshjul: a list card carries at most LIST_MAX_ROWS rows and says how many it left out', () => {
    const row = (i: number): ListRow => ({
      date: '01.03.2027',
      name: `Virksomhetsplan ${i}`,
      detail: '',
      status: 'Åpen',
      statusColor: 'Default',
    });
    const march = Array.from({ length: 70 }, (_, i) => row(i));
    const april = Array.from({ length: 30 }, (_, i) => row(100 + i));
    const card = listCard(
      'Frister',
      '',
      [
        { heading: 'mars 2027', empty: '', rows: march },
        { heading: 'april 2027', empty: '', rows: april },
      ],
      'nb',
    );
    const texts = textsOf(card);
    expect(texts.filter((x) => x.startsWith('Virksomhetsplan'))).toHaveLength(LIST_MAX_ROWS);
    expect(texts).toContain(
      strings('nb').arshjul.listMore.replace('{shown}', '60').replace('{total}', '70'),
    );
    expect(texts.join('\n')).toContain('Kortet viser 0 av 30');
    // In English when asked; a short list is untouched.
    const en = textsOf(
      listCard('Deadlines', '', [{ heading: 'March', empty: '', rows: march }], 'en'),
    );
    expect(en.join('\n')).toContain('The card shows 60 of 70');
    const short = listCard('Frister', '', [{ heading: 'mars', empty: '', rows: april }], 'nb');
    expect(textsOf(short).filter((x) => x.startsWith('Virksomhetsplan'))).toHaveLength(30);
  });

  test('abonnementer: at most 50 subscriptions on the card, with how many there are', () => {
    const subscriptions: Subscription[] = Array.from({ length: 80 }, (_, i) => ({
      topic: 'avvik',
      teamId: '19:team@thread.tacv2',
      channelId: '19:kanal@thread.tacv2',
      unitId: `enhet-${i}`,
      subscribedBy: 'someone',
      at: '2026-11-27T10:00:00.000Z',
    }));
    const data = subscriptionListData({ org: demoOrg(), language: 'nb' }, subscriptions);
    expect(data.rows).toHaveLength(SUBSCRIPTIONS_MAX);
    expect(data.emptyText).toBe('Viser 50 av 80 abonnementer.');
  });
});
