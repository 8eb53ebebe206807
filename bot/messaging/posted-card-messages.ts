import type { Language } from '../i18n';
import type { Card } from '../kernel/card-templates';
import type { Composer, DrawContext, Message, Outbox, StoredMessage } from './outbox';
import type { CardKey, PostedCard, PostedCards } from './posted-cards';

/**
 * Posted cards through the outbox, the same for every feature:
 * - `posted.copies` (a job in the change's transaction): every copy of a record's card is
 *   queued for an update, except the one the action came from;
 * - `posted.copy`: one copy's update, mode 'latest', so three quick changes send one update
 *   that shows the state at send time;
 * - `posted.remember` (a job): a card posted in a turn (a receipt) is remembered.
 * A feature says how to draw a copy of its cards (`CopyDrawer`).
 */
export type CopyDrawer = (
  id: string,
  copy: PostedCard,
  language: Language,
  now: Date,
  /** From the dispatcher (outbox.ts): lets a drawer share a read of the record. */
  context?: DrawContext,
) => Promise<Card | undefined>;

export function updateCopies(
  card: CardKey,
  rev: number,
  dueAt: Date,
  except: { conversationId?: string; activityId?: string } = {},
): Message {
  const params: Message['params'] = { kind: card.kind, id: card.id };
  if (except.conversationId) params.exceptConversationId = except.conversationId;
  if (except.activityId) params.exceptActivityId = except.activityId;
  return {
    key: `copies:${rev}`,
    type: 'posted.copies',
    to: { kind: 'job' },
    params,
    dueAt: dueAt.toISOString(),
  };
}

export function rememberPosted(card: CardKey, copy: PostedCard, dueAt: Date): Message {
  const params: Message['params'] = { kind: card.kind, id: card.id, ...copy };
  return {
    key: `remember:${copy.conversationId}:${copy.activityId}`,
    type: 'posted.remember',
    to: { kind: 'job' },
    params,
    dueAt: dueAt.toISOString(),
  };
}

const text = (m: StoredMessage, name: string) => String(m.params[name] ?? '');

export function postedCardComposers(deps: {
  postedCards: PostedCards;
  outbox: Outbox;
  drawers: Record<string, CopyDrawer>;
}): Composer[] {
  return [
    {
      type: 'posted.copies',
      async run(m, now) {
        const card = { kind: text(m, 'kind'), id: text(m, 'id') };
        const copies = (await deps.postedCards.list(card)).filter(
          (c) =>
            !(
              c.conversationId === text(m, 'exceptConversationId') &&
              c.activityId === text(m, 'exceptActivityId')
            ),
        );
        await deps.outbox.enqueue(
          copies.map((copy) => ({
            key: `copy:${card.kind}:${card.id}:${copy.conversationId}:${copy.view}`,
            type: 'posted.copy',
            to: { kind: 'copy', card, copy },
            params: {},
            dueAt: now.toISOString(),
            mode: 'latest',
          })),
        );
      },
    },
    {
      type: 'posted.copy',
      async compose(m, language, now, context) {
        if (m.to.kind !== 'copy') return { skip: 'not a copy' };
        const draw = deps.drawers[m.to.card.kind];
        const card = draw && (await draw(m.to.card.id, m.to.copy, language, now, context));
        return card ? { card } : { skip: 'nothing to show in this copy' };
      },
    },
    {
      type: 'posted.remember',
      async run(m) {
        const locale = text(m, 'locale');
        await deps.postedCards.remember(
          { kind: text(m, 'kind'), id: text(m, 'id') },
          {
            ownerId: text(m, 'ownerId'),
            view: text(m, 'view'),
            conversationId: text(m, 'conversationId'),
            activityId: text(m, 'activityId'),
            reference: text(m, 'reference'),
            ...(locale ? { locale } : {}),
          },
        );
      },
    },
  ];
}
