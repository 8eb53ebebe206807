import type { Message } from '../messaging/outbox';
import { updateCopies } from '../messaging/posted-card-messages';
import { leaderAbove, peopleWithRole, type Organisation } from '../org/organisation';
import type { Timer } from '../scheduling/scheduler';
import { addWorkingDays, osloTime } from '../time/working-time';
import type { Activity, Occurrence, OccurrenceEvent } from './arshjul';
import { ARSHJUL_KIND } from './arshjul-rules';
import { ownerUnitOf, reminderTimes } from './occurrences';
import type { ArshjulSettings } from './ports';

/**
 * What the årshjul decides to send, as outbox messages (pure): stored with the change that
 * decided them and drawn at send time by arshjul-composers.ts.
 */
export const ARSHJUL_TIMER = 'arshjul';
export const occurrenceCardKey = (ref: string) => ({ kind: ARSHJUL_KIND, id: ref });

/** The index row and the timers follow the record (a job, so a crash cannot leave them behind). */
export function syncMessage(o: Occurrence, now: Date): Message {
  return {
    key: `sync:${o.rev}`,
    type: 'arshjul.sync',
    to: { kind: 'job' },
    params: { ref: o.ref },
    dueAt: now.toISOString(),
  };
}

/**
 * The timers of an occurrence (pure): a reminder at each lead time and on the deadline, at the
 * start of working hours, and the escalation some working days after. Names carry the deadline
 * they were computed from: a timer left from before a move is recognised as stale.
 */
export function occurrenceTimers(
  o: Occurrence,
  activity: Pick<Activity, 'leadDays'> | undefined,
  settings: Pick<ArshjulSettings, 'escalateWorkingDays' | 'workingHours'>,
): Timer[] {
  if (o.status !== 'open') return [];
  const start = settings.workingHours.start;
  const timer = (name: string, at: Date): Timer => ({
    kind: ARSHJUL_TIMER,
    ref: o.ref,
    name: `${name}|${o.deadline}`,
    dueAt: at.toISOString(),
  });
  return [
    ...reminderTimes(o, activity?.leadDays ?? []).map((r) => timer(r.name, osloTime(r.at, start))),
    timer('escalate', addWorkingDays(osloTime(o.deadline, start), settings.escalateWorkingDays)),
  ];
}

/** A change from a card: copies follow, the leader hears of a help request, the audience of a sign-off. */
export function afterChange(
  org: Organisation,
  activity: Activity | undefined,
  after: Occurrence,
  event: OccurrenceEvent,
  now: Date,
): Message[] {
  const at = now.toISOString();
  const messages: Message[] = [
    syncMessage(after, now),
    updateCopies(occurrenceCardKey(after.ref), after.rev, now),
  ];
  const unitId = ownerUnitOf(after, org);
  if (event.kind === 'help') {
    // The asker's leader in the occurrence's line (for the owner: their own leader).
    const asker = event.actorId;
    const leader = unitId ? leaderAbove(org, unitId, asker) : undefined;
    if (leader && leader.id !== asker)
      messages.push({
        key: `help:${after.rev}:${leader.id}`,
        type: 'arshjul.help',
        to: { kind: 'person', id: leader.id },
        params: { ref: after.ref, seq: after.rev },
        dueAt: at,
        remember: { card: occurrenceCardKey(after.ref), view: 'leader' },
      });
  }
  if (event.kind === 'done') {
    const audience = new Set(
      (activity?.audience.roles ?? []).flatMap((role) =>
        peopleWithRole(org, role).map((p) => p.id),
      ),
    );
    audience.delete(event.actorId);
    for (const personId of audience)
      messages.push({
        key: `done-notice:${personId}`,
        type: 'arshjul.done-notice',
        to: { kind: 'person', id: personId },
        params: { ref: after.ref },
        dueAt: at,
      });
    if (activity?.audience.channels) messages.push(channelFanout(after, 'done', now));
  }
  return messages;
}

/** Channel notices go to the channels following the owning unit, looked up when the job runs. */
export function channelFanout(o: Occurrence, what: string, now: Date): Message {
  return {
    key: `arshjul:${o.ref}:channels:${what}:${o.deadline}`,
    type: 'arshjul.channels',
    to: { kind: 'job' },
    params: { ref: o.ref, what },
    dueAt: now.toISOString(),
  };
}
