import { listData, PAGE_SIZE } from '../../bot/deviations/deviation-views';
import { renderCard, type Card } from '../../bot/kernel/card-templates';
import { strings } from '../../bot/i18n';
import { ctxFor, rows, textsOf, userActions } from './card-fixtures';

/** The list card: paging, empty lists, overdue rows, the show button. */

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
