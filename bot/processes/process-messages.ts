import type { ActionSource } from '../kernel/card-action';
import type { Message } from '../messaging/outbox';
import { updateCopies } from '../messaging/posted-card-messages';
import type { Process, ProcessEvent } from './process';

/**
 * What a process decides to send (pure), stored with the change and drawn at send time by
 * process-feature.ts: the anchoring card to the rådmann (or the kommunalsjef in the line), the
 * release request to the nominee's leader, and the outcome to the nominee and the owner. Every
 * card is remembered, so each later change updates it.
 */
export const PROCESS_KIND = 'process';
export const processCardKey = (ref: string) => ({ kind: PROCESS_KIND, id: ref });

/** Why a card is sent: it picks the headline, and for a release request whom it is about. */
export type CardReason =
  | 'anchor'
  | 'anchored'
  | 'release'
  | 'released'
  | 'declined'
  | 'joined'
  | 'nominated'
  | 'measure'
  | 'measureDeclined'
  | 'escalated'
  | 'ruled';

export function processCardTo(
  p: Pick<Process, 'ref' | 'rev'>,
  personId: string,
  why: CardReason,
  now: Date,
  about?: string,
): Message {
  return {
    key: `card:${p.rev}:${why}:${personId}`,
    type: 'process.card',
    to: { kind: 'person', id: personId },
    params: { ref: p.ref, why, ...(about ? { about } : {}) },
    dueAt: now.toISOString(),
    // A card about a nominee keeps them in its view: a release request keeps its buttons, an
    // outcome its reason, when the copy is drawn again.
    remember: { card: processCardKey(p.ref), view: about ? `${why}:${about}` : why },
  };
}

export function afterProcessChange(
  before: Process,
  after: Process,
  event: ProcessEvent,
  now: Date,
  source: ActionSource,
  people: { leaderOf(unitId: string): string | undefined; radmenn: readonly string[] },
): Message[] {
  const messages: Message[] = [
    updateCopies(processCardKey(after.ref), after.rev, now, {
      conversationId: source.conversationId,
      activityId: source.activityId,
    }),
  ];
  const nominee = event.targetId;
  switch (event.kind) {
    case 'anchored':
      messages.push(processCardTo(after, after.ownerId, 'anchored', now));
      break;
    case 'nominated': {
      const nomination = after.nominations.find(
        (n) => n.personId === nominee && n.status === 'pending',
      );
      if (nomination && nominee)
        messages.push(processCardTo(after, nomination.releaserId, 'release', now, nominee));
      break;
    }
    case 'joined':
      if (nominee) messages.push(processCardTo(after, nominee, 'joined', now));
      break;
    case 'released':
    case 'release_declined': {
      const why = event.kind === 'released' ? 'released' : 'declined';
      if (nominee) messages.push(processCardTo(after, nominee, why, now, nominee));
      if (after.ownerId !== event.actorId)
        messages.push(processCardTo(after, after.ownerId, why, now, nominee));
      break;
    }
    default:
      messages.push(...measureMessages(before, after, event, now, people));
      break;
  }
  return messages;
}

/** Measures for the line: the unit leaders, then the owner, then the rådmann, then all of them. */
function measureMessages(
  before: Process,
  after: Process,
  event: ProcessEvent,
  now: Date,
  people: { leaderOf(unitId: string): string | undefined; radmenn: readonly string[] },
): Message[] {
  // The measure this change touched: the one that differs from before (or the new one).
  const measure = after.measures.find(
    (m) => JSON.stringify(m) !== JSON.stringify(before.measures.find((b) => b.number === m.number)),
  );
  if (!measure) return [];
  const leaders = Object.keys(measure.acks)
    .map((unitId) => people.leaderOf(unitId))
    .filter((id): id is string => Boolean(id));
  const to = (ids: readonly string[], why: CardReason) =>
    [...new Set(ids)]
      .filter((id) => id !== event.actorId)
      .map((id) => processCardTo(after, id, why, now, String(measure.number)));
  switch (event.kind) {
    case 'measure_decided':
      return to(leaders, 'measure');
    case 'measure_declined':
      return to([after.ownerId], 'measureDeclined');
    case 'measure_escalated':
      return to(people.radmenn, 'escalated');
    case 'measure_decided_by_radmann':
      return to([after.ownerId, ...leaders], 'ruled');
    default:
      return [];
  }
}
