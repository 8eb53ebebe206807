import { log } from '../app/log';
import { fill, strings } from '../i18n';
import { notice, renderCard } from '../kernel/card-templates';
import { ConcurrentChangeError } from '../kernel/records';
import type { Composer, Message } from '../messaging/outbox';
import {
  leaderAbove,
  peopleWithRole,
  unitAndBelow,
  unitsLedBy,
  type Organisation,
} from '../org/organisation';
import type { Job, Timer, TimerHandler } from '../scheduling/scheduler';
import { nextSendTime } from '../time/working-time';
import { isoWeekOf } from '../time/week';
import { isOpen, isOverdue, SYSTEM_ACTOR, type Deviation, type DeviationEvent } from './deviation';
import { afterChange } from './deviation-messages';
import { sceneOf } from './deviation-scene';
import { DEVIATION_TIMER, timerName } from './deviation-timers';
import {
  digestData,
  nudgeData,
  type DigestCounts,
  type NudgeReason,
} from './deviation-nudge-views';
import { mayRecordDpaNotice } from './deviation-workflow';
import type { DeviationDeps } from './ports';

/**
 * Time for deviations: what a due timer means for a case as it is now (a reminder, an
 * escalation one step up the line, the 72-hour clock of a possible breach), the weekly digest,
 * and how those messages are drawn at send time. Reminders wait for working hours; the
 * 72-hour clock and `kritisk` cases do not.
 */
export function deviationNudges(deps: DeviationDeps, options: { chatUrl?: string } = {}) {
  const scene = async (language: Parameters<typeof strings>[0], now: Date) =>
    sceneOf(await deps.org.snapshot(), language, now);
  const current = async (ref: string) => (await deps.records.get(ref))?.record;

  const sendAt = (d: Deviation, now: Date, urgent = false) =>
    urgent || d.severity === 'kritisk' ? now : nextSendTime(now, deps.nudges.workingHours);

  const nudge = (
    d: Deviation,
    personId: string,
    reason: NudgeReason,
    key: string,
    dueAt: Date,
    extra: Record<string, number> = {},
  ): Message => ({
    key: `nudge:${d.ref}:${key}`,
    type: 'deviation.nudge',
    to: { kind: 'person', id: personId },
    params: { ref: d.ref, reason, ...extra },
    dueAt: dueAt.toISOString(),
  });

  /** One step up the line: the bot's own escalation, audited, and everybody concerned told. */
  async function escalate(ref: string, since: string, now: Date): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const found = await deps.records.get(ref);
      const d = found?.record;
      if (!found || !d || !isOpen(d) || (d.handlerSince ?? d.createdAt) !== since) return;
      const { org } = await deps.org.snapshot();
      const above = leaderAbove(org, d.unitId, d.handlerId);
      if (!above || above.id === d.handlerId) return;
      const at = now.toISOString();
      const after: Deviation = {
        ...d,
        rev: d.rev + 1,
        handlerId: above.id,
        handlerSince: at,
        assigneeId: undefined,
        escalations: d.escalations + 1,
        updatedAt: at,
      };
      const event: DeviationEvent = {
        ref,
        seq: after.rev,
        at,
        kind: 'escalate',
        actorId: SYSTEM_ACTOR,
        fromStatus: d.status,
        toStatus: d.status,
        targetId: above.id,
      };
      const messages = [
        ...afterChange(d, after, event, now),
        {
          key: `escalated-away:${after.rev}`,
          type: 'deviation.escalated-away',
          to: { kind: 'person', id: d.handlerId },
          params: { ref },
          dueAt: at,
        } satisfies Message,
        ...(await channelNotices(org, after, now)),
      ];
      try {
        await deps.records.update(d, after, found.etag, event, messages);
        log.info({ ref, rev: after.rev }, 'deviation escalated: not handled in time');
        return;
      } catch (err) {
        if (!(err instanceof ConcurrentChangeError)) throw err;
      }
    }
  }

  async function channelNotices(org: Organisation, d: Deviation, now: Date): Promise<Message[]> {
    const followers = (await deps.channels?.followersOf('avvik', d.unitId, org)) ?? [];
    return followers.map((c) => ({
      key: `channel-escalated:${d.rev}:${c.teamId}|${c.channelId}`,
      type: 'deviation.channel-notice',
      to: { kind: 'channel', teamId: c.teamId, channelId: c.channelId },
      params: { ref: d.ref, unitId: d.unitId },
      dueAt: now.toISOString(),
    }));
  }

  const timers: TimerHandler = {
    kind: DEVIATION_TIMER,
    async fire(timer: Timer, now: Date): Promise<Message[]> {
      const d = await current(timer.ref);
      if (!d || !isOpen(d)) return [];
      const { what, from } = timerName(timer.name);
      const since = d.handlerSince ?? d.createdAt;
      switch (what) {
        case 'remind-not-taken':
          if (d.status !== 'registrert' || since !== from) return [];
          return [
            nudge(d, d.handlerId, 'not-taken', `not-taken:${since}`, sendAt(d, now), {
              days: deps.nudges.escalateNotTakenDays,
            }),
          ];
        case 'escalate-not-taken':
          if (d.status === 'registrert' && since === from) await escalate(d.ref, since, now);
          return [];
        case 'remind-overdue':
          if (d.dueAt !== from || !isOverdue(d, new Date(now.getTime() + 1000))) return [];
          return [
            nudge(d, d.assigneeId ?? d.handlerId, 'overdue', `overdue:${d.dueAt}`, sendAt(d, now)),
          ];
        case 'escalate-overdue':
          if (since === from && isOverdue(d, now)) await escalate(d.ref, since, now);
          return [];
        case 'measure-due':
        case 'measure-overdue': {
          const measure = d.measures[Number(from)];
          if (!measure) return [];
          return [
            nudge(d, measure.byId, what, `${what}:${from}`, sendAt(d, now), {
              measure: Number(from),
            }),
          ];
        }
        case 'privacy': {
          if (!mayRecordDpaNotice(d)) return [];
          const { org } = await deps.org.snapshot();
          const people = new Set([
            d.assigneeId ?? d.handlerId,
            ...peopleWithRole(org, 'personvernombud').map((p) => p.id),
          ]);
          return [...people]
            .filter(Boolean)
            .map((id) =>
              nudge(d, id, 'privacy', `privacy-${from}:${id}`, now, { hours: Number(from) }),
            );
        }
        default:
          return [];
      }
    },
  };

  /** Monday morning: counts for every leader with open cases, and for every subscribed channel. */
  const digest: Job = {
    name: 'deviation-digest',
    cron: deps.nudges.digestCron,
    async run(scheduledAt: Date, now: Date): Promise<Message[]> {
      const { org } = await deps.org.snapshot();
      const week = isoWeekOf(new Date(scheduledAt.getTime() - 3 * 86_400_000));
      const counted = new Map<string, DigestCounts>();
      const countsFor = async (unitIds: string[]): Promise<DigestCounts> => {
        const key = [...unitIds].sort().join(',');
        const known = counted.get(key);
        if (known) return known;
        const [open, week_] = await Promise.all([
          deps.index.openInUnits(unitIds),
          deps.index.weekCounts(unitIds, week),
        ]);
        const counts = {
          reported: week_.reported,
          open: open.length,
          overdue: open.filter((r) => isOverdue(r, now)).length,
          closed: week_.closed,
        };
        counted.set(key, counts);
        return counts;
      };
      const messages: Message[] = [];
      const leaders = new Set(
        [...org.units.values()].map((u) => u.leaderId).filter((id): id is string => Boolean(id)),
      );
      for (const leaderId of leaders) {
        const counts = await countsFor(unitsLedBy(org, leaderId).map((u) => u.id));
        if (counts.open === 0) continue;
        messages.push({
          key: `digest:${week}:${leaderId}`,
          type: 'deviation.digest',
          to: { kind: 'person', id: leaderId },
          params: { week, ...counts },
          dueAt: scheduledAt.toISOString(),
        });
      }
      for (const s of (await deps.channels?.forTopic('avvik')) ?? []) {
        const units = unitAndBelow(org, s.unitId).map((u) => u.id);
        messages.push({
          key: `digest:${week}:${s.teamId}|${s.channelId}:${s.unitId}`,
          type: 'deviation.digest',
          to: { kind: 'channel', teamId: s.teamId, channelId: s.channelId },
          params: { week, unitId: s.unitId, ...(await countsFor(units)) },
          dueAt: scheduledAt.toISOString(),
        });
      }
      return messages;
    },
  };

  const composers: Composer[] = [
    {
      type: 'deviation.nudge',
      async compose(m, language, now) {
        const d = await current(String(m.params.ref));
        const personId = m.to.kind === 'person' ? m.to.id : '';
        const reason = m.params.reason as NudgeReason;
        if (!d || !isOpen(d)) return { skip: 'the case is closed' };
        if (reason === 'not-taken' && (d.status !== 'registrert' || d.handlerId !== personId))
          return { skip: 'taken or moved meanwhile' };
        if (reason === 'privacy' && d.dpaNotifiedAt) return { skip: 'Datatilsynet notified' };
        const view = await scene(language, now);
        return {
          card: renderCard(
            'deviations/nudge',
            nudgeData(view, d, deps.signer, {
              reason,
              viewerId: personId,
              measure: typeof m.params.measure === 'number' ? m.params.measure : undefined,
              hours: typeof m.params.hours === 'number' ? m.params.hours : undefined,
              days: typeof m.params.days === 'number' ? m.params.days : undefined,
            }),
          ),
        };
      },
    },
    {
      type: 'deviation.escalated-away',
      async compose(m, language, now) {
        const d = await current(String(m.params.ref));
        if (!d) return { skip: 'no such case' };
        const view = await scene(language, now);
        const n = strings(language).nudges;
        const name = view.org.people.get(d.handlerId)?.name ?? '';
        return {
          card: notice(
            fill(n.escalatedAwayText, { name }),
            fill(n.escalatedAwayTitle, { ref: d.ref }),
            'Default',
          ),
        };
      },
    },
    {
      type: 'deviation.channel-notice',
      async compose(m, language) {
        const ref = String(m.params.ref);
        const unitId = String(m.params.unitId);
        const { org } = await deps.org.snapshot();
        const open = (await deps.index.openInUnits([unitId])).length;
        const n = strings(language).nudges;
        const unit = org.units.get(unitId)?.name ?? unitId;
        return {
          card: notice(
            fill(n.channelEscalatedText, { ref, unit, open }),
            n.channelEscalatedTitle,
            'Default',
          ),
        };
      },
    },
    {
      type: 'deviation.digest',
      async compose(m, language) {
        const { org } = await deps.org.snapshot();
        const p = m.params;
        const counts = {
          reported: Number(p.reported),
          open: Number(p.open),
          overdue: Number(p.overdue),
          closed: Number(p.closed),
        };
        const unitId = typeof p.unitId === 'string' ? p.unitId : undefined;
        return {
          card: renderCard(
            'deviations/digest',
            digestData(language, counts, String(p.week), {
              unitName: unitId ? (org.units.get(unitId)?.name ?? unitId) : undefined,
              personal: m.to.kind === 'person',
              chatUrl: m.to.kind === 'channel' ? options.chatUrl : undefined,
            }),
          ),
        };
      },
    },
  ];

  return { timers, digest, composers };
}
