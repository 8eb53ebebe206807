import type { Message } from '../messaging/outbox';
import { updateCopies } from '../messaging/posted-card-messages';
import type { PostedCard } from '../messaging/posted-cards';
import {
  DEVIATION_KIND,
  isOpen,
  SYSTEM_ACTOR,
  type Deviation,
  type DeviationEvent,
} from './deviation';

/**
 * What a deviation's report or change decides to send, as outbox messages (pure): they are
 * stored in the change's own transaction and sent by the dispatcher. The cards are drawn at
 * send time by deviation-composers.ts.
 */
export const deviationCard = (ref: string) => ({ kind: DEVIATION_KIND, id: ref });

export function handlerCardMessage(
  d: Deviation,
  personId: string,
  headline: 'newForYou' | 'assigned',
  dueAt: Date,
): Message {
  return {
    key: `handler-card:${d.rev}:${personId}`,
    type: 'deviation.handler-card',
    to: { kind: 'person', id: personId },
    params: { ref: d.ref, headline },
    dueAt: dueAt.toISOString(),
    remember: { card: deviationCard(d.ref), view: 'handler' },
  };
}

/** Index rows and timers follow the record (a job, so a crash cannot leave them behind). */
export function syncMessage(d: Deviation, dueAt: Date, previousUnitId?: string): Message {
  return {
    key: `sync:${d.rev}`,
    type: 'deviation.sync',
    to: { kind: 'job' },
    params: previousUnitId ? { ref: d.ref, previousUnitId } : { ref: d.ref },
    dueAt: dueAt.toISOString(),
  };
}

export function afterReport(
  d: Deviation,
  leaderId: string | undefined,
  now: Date,
  receipt: { posted?: PostedCard; send?: boolean },
): Message[] {
  const messages = [syncMessage(d, now)];
  if (leaderId) messages.push(handlerCardMessage(d, leaderId, 'newForYou', now));
  if (receipt.posted) {
    const card = deviationCard(d.ref);
    messages.push({
      // The receipt takes the form's place in the chat (the invoke answered the presser only),
      // and is remembered there once it does, so that later changes update it.
      key: 'receipt-in-place',
      type: 'posted.copy',
      to: { kind: 'copy', card, copy: receipt.posted },
      params: {},
      dueAt: now.toISOString(),
      mode: 'latest',
      remember: { card, view: 'receipt' },
    });
  }
  if (receipt.send)
    messages.push({
      key: 'receipt:1',
      type: 'deviation.receipt',
      to: { kind: 'person', id: d.reporterId },
      params: { ref: d.ref, locale: d.reporterLocale },
      dueAt: now.toISOString(),
      remember: { card: deviationCard(d.ref), view: 'receipt' },
    });
  return messages;
}

export function afterChange(
  before: Deviation,
  after: Deviation,
  event: DeviationEvent,
  now: Date,
): Message[] {
  const messages = [
    syncMessage(after, now, before.unitId),
    // Every copy, the pressed one too: the invoke answered the presser's screen only.
    updateCopies(deviationCard(after.ref), after.rev, now),
  ];
  const newHolder =
    (event.kind === 'assign' || event.kind === 'escalate' || event.kind === 'rerouted') &&
    event.targetId;
  if (newHolder) {
    const message = handlerCardMessage(after, newHolder, 'assigned', now);
    // Someone who already has the card gets its update instead of a second card.
    message.params.unlessPosted = true;
    messages.push(message);
  }
  // Moved by the bot (not answered in time, or the card could not be delivered): the reporter
  // is told who has the case now. A leader's own escalation shows on the receipt.
  if (newHolder && event.actorId === SYSTEM_ACTOR) {
    messages.push({
      key: `moved:${after.rev}`,
      type: 'deviation.moved',
      to: { kind: 'person', id: after.reporterId },
      params: { ref: after.ref, locale: after.reporterLocale, rev: after.rev },
      dueAt: now.toISOString(),
    });
  }
  if (isOpen(before) && !isOpen(after))
    messages.push({
      key: `outcome:${after.rev}`,
      type: 'deviation.outcome',
      to: { kind: 'person', id: after.reporterId },
      params: { ref: after.ref, locale: after.reporterLocale },
      dueAt: now.toISOString(),
    });
  return messages;
}
