import type { ActionSource } from '../kernel/card-action';
import type { Message } from '../messaging/outbox';
import { rememberPosted, updateCopies } from '../messaging/posted-card-messages';
import type { PostedCard } from '../messaging/posted-cards';
import type { Organisation, Role } from '../org/organisation';
import type { Grant, GrantChange, GrantEvent } from './delegation';
import { holdersOf, mustReport, reportRecipients } from './delegation-rules';
import { GRANT_KIND, REQUEST_KIND } from './delegation-views';
import type { ConfirmationRequest, RequestEvent } from './ports';

/**
 * What the delegation feature decides to send, as outbox messages (pure): stored with the change
 * that decided them and drawn at send time by delegation-time.ts, from the grant as it is then.
 */
export const grantCardKey = (ref: string) => ({ kind: GRANT_KIND, id: ref });
export const requestCardKey = (ref: string) => ({ kind: REQUEST_KIND, id: ref });

const person = (id: string) => ({ kind: 'person' as const, id });

/** The register row follows the record (a job, so a crash cannot leave it behind). */
export function syncMessage(grant: Grant, now: Date): Message {
  return {
    key: `sync:${grant.rev}`,
    type: 'delegation.sync',
    to: { kind: 'job' },
    params: { ref: grant.ref },
    dueAt: now.toISOString(),
  };
}

/** Every copy of the record's card is updated, except the one the action answered. */
function copies(card: { kind: string; id: string }, rev: number, now: Date, source?: ActionSource) {
  return updateCopies(card, rev, now, {
    conversationId: source?.conversationId,
    activityId: source?.activityId,
  });
}

/** Rule 7: the rådmann's office is told of every new grant below level 2, once it applies. */
export function reportMessages(org: Organisation, grant: Grant, role: Role, now: Date): Message[] {
  if (!mustReport(grant) || grant.status !== 'active') return [];
  return reportRecipients(org, role).map((p) => ({
    key: `reported:${grant.ref}:${p.id}`,
    type: 'delegation.reported',
    to: person(p.id),
    params: { ref: grant.ref },
    dueAt: now.toISOString(),
  }));
}

/**
 * A new proposal: every holder of the recipient gets the card to accept or decline; the
 * delegator's copy (where the form was) is remembered, so both follow every change.
 */
export function proposalMessages(
  org: Organisation,
  grant: Grant,
  now: Date,
  delegatorCopy?: PostedCard,
): Message[] {
  const card = grantCardKey(grant.ref);
  return [
    syncMessage(grant, now),
    ...holdersOf(org, grant.to).map((id) => ({
      key: `offer:${id}`,
      type: 'delegation.offer',
      to: person(id),
      params: { ref: grant.ref },
      dueAt: now.toISOString(),
      remember: { card, view: 'recipient' },
    })),
    ...(delegatorCopy ? [rememberPosted(card, delegatorCopy, now)] : []),
  ];
}

/** Those who lose authority (or a proposal) when a grant ends, each told once. */
export function lostMessages(
  org: Organisation,
  grant: Grant,
  why: 'withdrawn' | 'cascade' | 'expired',
  now: Date,
  exceptId?: string,
): Message[] {
  return holdersOf(org, grant.to)
    .filter((id) => id !== exceptId)
    .map((id) => ({
      key: `lost:${grant.ref}:${id}`,
      type: 'delegation.lost',
      to: person(id),
      params: { ref: grant.ref, why },
      dueAt: now.toISOString(),
    }));
}

/** A grant changed from a card (accept, decline, withdraw): copies, answers, notices, cascade. */
export function afterGrantChange(
  org: Organisation,
  after: Grant,
  event: GrantEvent,
  now: Date,
  reportRole: Role,
  source?: ActionSource,
): Message[] {
  const messages = [
    syncMessage(after, now),
    copies(grantCardKey(after.ref), after.rev, now, source),
  ];
  const decided = (): Message => ({
    key: `decided:${after.ref}`,
    type: 'delegation.decided',
    to: person(after.fromId),
    params: { ref: after.ref },
    dueAt: now.toISOString(),
  });
  if (event.kind === 'accepted')
    messages.push(decided(), ...reportMessages(org, after, reportRole, now));
  if (event.kind === 'declined') messages.push(decided());
  if (event.kind === 'revoked') {
    messages.push(...lostMessages(org, after, 'withdrawn', now, event.actorId), {
      // Rule 5, durably: stored with the withdrawal, run by the dispatcher right after.
      key: `cascade:${after.ref}`,
      type: 'delegation.cascade',
      to: { kind: 'job' },
      params: { ref: after.ref, actorId: event.actorId },
      dueAt: now.toISOString(),
    });
  }
  return messages;
}

/** A grant a cascade or the expiry job ended: its register row, its copies, its holders. */
export function endedMessages(org: Organisation, change: GrantChange, now: Date): Message[] {
  const why = change.event.kind === 'cascaded' ? 'cascade' : 'expired';
  return [
    syncMessage(change.after, now),
    copies(grantCardKey(change.after.ref), change.after.rev, now),
    ...lostMessages(org, change.after, why, now),
  ];
}

/** A new request: the leader gets the card to confirm or decline; the requester's copy is kept. */
export function requestMessages(
  request: ConfirmationRequest,
  now: Date,
  requesterCopy?: PostedCard,
): Message[] {
  const card = requestCardKey(request.ref);
  return [
    {
      key: `request:${request.leaderId}`,
      type: 'delegation.request-card',
      to: person(request.leaderId),
      params: { ref: request.ref },
      dueAt: now.toISOString(),
      remember: { card, view: 'leader' },
    },
    ...(requesterCopy ? [rememberPosted(card, requesterCopy, now)] : []),
  ];
}

/** The leader decided: confirmed becomes a grant (a job); either way the requester is told. */
export function afterRequestChange(
  after: ConfirmationRequest,
  event: RequestEvent,
  now: Date,
  source?: ActionSource,
): Message[] {
  const messages = [copies(requestCardKey(after.ref), after.rev, now, source)];
  if (event.kind === 'confirmed')
    messages.push({
      key: `grant:${after.ref}`,
      type: 'delegation.grant-confirmed',
      to: { kind: 'job' },
      params: { ref: after.ref },
      dueAt: now.toISOString(),
    });
  if (event.kind === 'refused') messages.push(answerMessage(after, now));
  return messages;
}

export function answerMessage(request: ConfirmationRequest, now: Date): Message {
  return {
    key: `answer:${request.ref}`,
    type: 'delegation.request-answer',
    to: person(request.requesterId),
    params: { ref: request.ref },
    dueAt: now.toISOString(),
  };
}
