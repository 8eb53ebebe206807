import { log } from '../app/log';
import { fill, formatDate, strings, type Language } from '../i18n';
import { SYSTEM_ACTOR } from '../kernel/actor';
import type { AccessRule } from '../kernel/card-action';
import { notice, type Card } from '../kernel/card-templates';
import { ConcurrentChangeError, ReferenceTakenError } from '../kernel/records';
import type { Composer, Message, StoredMessage } from '../messaging/outbox';
import type { CopyDrawer } from '../messaging/posted-card-messages';
import { leaderAbove } from '../org/organisation';
import type { Job, Timer, TimerHandler } from '../scheduling/scheduler';
import { nextSendTime, osloDateOf } from '../time/working-time';
import type { Occurrence, OccurrencePlan } from './arshjul';
import { readArshjulScene } from './arshjul-actions';
import {
  ARSHJUL_TIMER,
  channelFanout,
  occurrenceCardKey,
  occurrenceTimers,
  syncMessage,
} from './arshjul-messages';
import {
  occurrenceCard,
  occurrenceTitle,
  type ArshjulScene,
  type OccurrenceShown,
} from './arshjul-views';
import { ownerOf, ownerUnitOf, planOccurrences, reminderTimes } from './occurrences';
import type { ArshjulDeps } from './ports';

/**
 * Time for the årshjul: materialising occurrences ahead (a daily job), what a due timer means
 * for an occurrence as it is then (a reminder to the owner, a channel notice, an escalation to
 * the owner's leader), and how those messages are drawn at send time. Nothing is sent for an
 * occurrence that was signed off meanwhile.
 */
export function arshjulTime(deps: ArshjulDeps, mayAct: AccessRule<Occurrence>) {
  const current = async (ref: string) => (await deps.records.get(ref))?.record;
  const scene = (language: Language) => readArshjulScene(deps, language);
  const hours = deps.settings.workingHours;

  /** Creates what the plan has and the store has not; moves what the file moved. */
  async function materialise(now: Date): Promise<{ created: number; moved: number }> {
    const file = await deps.catalogue.read();
    if (!file) return { created: 0, moved: 0 };
    const { org } = await deps.org.snapshot();
    const today = osloDateOf(now);
    const until = addMonths(today, deps.settings.horizonMonths);
    const plans = planOccurrences(file, org, today, until);
    const years = [...new Set(plans.map((p) => p.year))];
    const known = new Map(
      (await Promise.all(years.map((y) => deps.index.inYear(y)))).flat().map((o) => [o.ref, o]),
    );
    let created = 0;
    let moved = 0;
    for (const plan of plans) {
      const seen = known.get(plan.ref);
      if (!seen) {
        if (await create(plan, now)) created++;
      } else if (seen.status === 'open' && seen.deadline !== plan.deadline) {
        if (await move(plan, now)) moved++;
      }
    }
    if (created || moved) log.info({ created, moved }, 'årshjul materialised');
    return { created, moved };
  }

  async function create(plan: OccurrencePlan, now: Date): Promise<boolean> {
    const record: Occurrence = { ...plan, rev: 1, status: 'open', helpCount: 0, sequence: 0 };
    try {
      await deps.records.create(
        record,
        {
          ref: plan.ref,
          seq: 1,
          at: now.toISOString(),
          kind: 'created',
          actorId: SYSTEM_ACTOR,
          toStatus: 'open',
        },
        [syncMessage(record, now)],
      );
      return true;
    } catch (err) {
      // Stored already (its index row follows from its sync job).
      if (err instanceof ReferenceTakenError) return false;
      throw err;
    }
  }

  async function move(plan: OccurrencePlan, now: Date): Promise<boolean> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const found = await deps.records.get(plan.ref);
      if (!found || found.record.status !== 'open') return false;
      const before = found.record;
      if (before.deadline === plan.deadline) return false;
      const after: Occurrence = {
        ...before,
        rev: before.rev + 1,
        nominal: plan.nominal,
        deadline: plan.deadline,
        sequence: before.sequence + 1,
      };
      try {
        await deps.records.update(
          before,
          after,
          found.etag,
          {
            ref: plan.ref,
            seq: after.rev,
            at: now.toISOString(),
            kind: 'moved',
            actorId: SYSTEM_ACTOR,
            fromStatus: 'open',
            toStatus: 'open',
            note: `${before.deadline} → ${plan.deadline}`,
          },
          [syncMessage(after, now)],
        );
        return true;
      } catch (err) {
        if (!(err instanceof ConcurrentChangeError)) throw err;
      }
    }
    return false;
  }

  const materialiseJob: Job = {
    name: 'arshjul-materialise',
    cron: deps.settings.materialiseCron,
    async run(_scheduledAt, now) {
      await materialise(now);
      return [];
    },
  };

  const timers: TimerHandler = {
    kind: ARSHJUL_TIMER,
    async fire(timer: Timer, now: Date): Promise<Message[]> {
      const o = await current(timer.ref);
      const [what, from] = splitName(timer.name);
      // Signed off, or moved since the timer was set: nothing.
      if (!o || o.status !== 'open' || o.deadline !== from) return [];
      const { org } = await deps.org.snapshot();
      const sendAt = nextSendTime(now, hours).toISOString();
      if (what === 'escalate') {
        const unitId = ownerUnitOf(o, org);
        const owner = ownerOf(o, org);
        const leader = unitId && owner ? leaderAbove(org, unitId, owner.id) : undefined;
        if (!leader) return [];
        return [
          {
            key: `arshjul:${o.ref}:escalate:${o.deadline}:${leader.id}`,
            type: 'arshjul.escalation',
            to: { kind: 'person', id: leader.id },
            params: { ref: o.ref },
            dueAt: sendAt,
            remember: { card: occurrenceCardKey(o.ref), view: 'leader' },
          },
        ];
      }
      const owner = ownerOf(o, org);
      const file = await deps.catalogue.read();
      const activity = file?.activities.find((a) => a.id === o.activityId);
      // After an outage (or a tick far ahead) only the latest reminder that is due goes out.
      if (superseded(o, activity?.leadDays ?? [], what, osloDateOf(now))) return [];
      const messages: Message[] = [];
      if (owner)
        messages.push({
          key: `arshjul:${o.ref}:${what}:${o.deadline}:${owner.id}`,
          type: 'arshjul.reminder',
          to: { kind: 'person', id: owner.id },
          params: { ref: o.ref, what },
          dueAt: sendAt,
          remember: { card: occurrenceCardKey(o.ref), view: 'owner' },
        });
      if (activity?.audience.channels) messages.push(channelFanout(o, what, new Date(sendAt)));
      return messages;
    },
  };

  /** Said from the day it is sent, not the day it was decided (a reminder may wait for Monday). */
  const headline = (view: ArshjulScene, o: Occurrence): string => {
    const h = strings(view.language).arshjul.headlines;
    const days = daysUntil(view.today, o.deadline);
    if (days < 0) return fill(h.overdue, { days: -days });
    if (days === 0) return h.due;
    return days === 1 ? h.remindOne : fill(h.remind, { days });
  };

  const draw = (
    view: ArshjulScene,
    o: Occurrence,
    viewerId: string,
    extra: OccurrenceShown = {},
  ): Card =>
    occurrenceCard(view, o, {
      signer: deps.signer,
      mayAct: mayAct({ org: view.org, record: o, actorId: viewerId, now: view.now }),
      ...(o.status === 'done'
        ? { headline: strings(view.language).arshjul.headlines.done, headlineColor: 'Good' }
        : {}),
      ...extra,
    });

  const personOf = (m: StoredMessage) => (m.to.kind === 'person' ? m.to.id : '');

  const composers: Composer[] = [
    {
      type: 'arshjul.sync',
      async run(m, now) {
        const o = await current(String(m.params.ref));
        if (!o) return;
        await deps.index.put(o);
        const file = await deps.catalogue.read();
        const activity = file?.activities.find((a) => a.id === o.activityId);
        // Only what is still ahead: an occurrence made late does not send past reminders.
        const today = osloDateOf(now);
        const ahead = occurrenceTimers(o, activity, deps.settings).filter(
          (t) => osloDateOf(new Date(t.dueAt)) >= today,
        );
        if (ahead.length) await deps.timers.set(ahead);
      },
    },
    {
      type: 'arshjul.reminder',
      async compose(m, language) {
        const o = await current(String(m.params.ref));
        if (!o || o.status !== 'open') return { skip: 'signed off' };
        const view = await scene(language);
        if (ownerOf(o, view.org)?.id !== personOf(m)) return { skip: 'the owner changed' };
        const leadDays = view.activities.get(o.activityId)?.leadDays ?? [];
        if (superseded(o, leadDays, String(m.params.what), view.today))
          return { skip: 'a later reminder is due by now' };
        return {
          card: draw(view, o, personOf(m), {
            headline: headline(view, o),
            headlineColor: daysUntil(view.today, o.deadline) <= 0 ? 'Attention' : 'Warning',
          }),
        };
      },
    },
    {
      type: 'arshjul.escalation',
      async compose(m, language) {
        const o = await current(String(m.params.ref));
        if (!o || o.status !== 'open') return { skip: 'signed off' };
        const view = await scene(language);
        const owner = ownerOf(o, view.org)?.name ?? '';
        return {
          card: draw(view, o, personOf(m), {
            headline: fill(strings(language).arshjul.headlines.escalation, { owner }),
            headlineColor: 'Attention',
          }),
        };
      },
    },
    {
      type: 'arshjul.help',
      async compose(m, language) {
        const ref = String(m.params.ref);
        const o = await current(ref);
        if (!o) return { skip: 'gone' };
        const event = (await deps.records.events(ref)).find(
          (e) => e.seq === Number(m.params.seq) && e.kind === 'help',
        );
        const view = await scene(language);
        const name = (event && view.org.people.get(event.actorId)?.name) ?? '';
        return {
          card: draw(view, o, personOf(m), {
            headline: fill(strings(language).arshjul.headlines.help, { name }),
            headlineColor: 'Warning',
            helpText: event?.note ?? '',
          }),
        };
      },
    },
    {
      type: 'arshjul.done-notice',
      async compose(m, language) {
        const o = await current(String(m.params.ref));
        if (!o || o.status !== 'done') return { skip: 'not done' };
        const view = await scene(language);
        const t = strings(language).arshjul;
        return {
          card: notice(
            fill(t.doneNotice, {
              name: occurrenceTitle(view, o),
              owner: ownerWithoutName(view, o),
              date: formatDate(o.deadline, language),
            }),
            t.doneNoticeTitle,
            'Good',
          ),
        };
      },
    },
    {
      // Looks up the channels following the owning unit when it runs, and queues a notice each.
      type: 'arshjul.channels',
      async run(m, now) {
        const o = await current(String(m.params.ref));
        if (!o || !deps.channels) return;
        const { org } = await deps.org.snapshot();
        const unitId = ownerUnitOf(o, org);
        if (!unitId) return;
        const what = String(m.params.what);
        const channels = await deps.channels.followersOf('arshjul', unitId, org);
        await deps.outbox.enqueue(
          channels.map((c) => ({
            key: `arshjul:${o.ref}:channel:${what}:${o.deadline}:${c.teamId}|${c.channelId}`,
            type: 'arshjul.channel',
            to: { kind: 'channel', teamId: c.teamId, channelId: c.channelId },
            params: { ref: o.ref, what },
            dueAt: now.toISOString(),
          })),
        );
      },
    },
    {
      // Counts and names only: what is due, when, and how many have done it. No notes, no people.
      type: 'arshjul.channel',
      async compose(m, language) {
        const o = await current(String(m.params.ref));
        if (!o) return { skip: 'gone' };
        const what = String(m.params.what);
        if (what !== 'done' && o.status !== 'open') return { skip: 'signed off' };
        const view = await scene(language);
        const t = strings(language).arshjul;
        const siblings = (await deps.index.inYear(o.year)).filter(
          (s) => s.activityId === o.activityId && s.index === o.index,
        );
        const counts = {
          done: siblings.filter((s) => s.status === 'done').length,
          total: Math.max(siblings.length, 1),
        };
        const name = occurrenceTitle(view, o);
        const text =
          what === 'done'
            ? fill(t.channelDone, { name, owner: ownerWithoutName(view, o), ...counts })
            : fill(t.channelRemind, {
                name,
                date: formatDate(o.deadline, language),
                when: whenText(language, daysUntil(view.today, o.deadline)),
                ...counts,
              });
        return { card: notice(text, t.channelTitle, 'Default') };
      },
    },
  ];

  /** A posted copy, drawn for the person it was posted to. */
  const drawCopy: CopyDrawer = async (ref, copy, language) => {
    const o = await current(ref);
    if (!o) return undefined;
    return draw(await scene(language), o, copy.ownerId);
  };

  return { materialise, materialiseJob, timers, composers, drawCopy };
}

/** The owner by role or unit, never by name (channels and notices to many). */
function ownerWithoutName(view: ArshjulScene, o: Occurrence): string {
  if (o.ownerRole) return o.ownerRole;
  return (o.unitId && view.org.units.get(o.unitId)?.name) || '';
}

function whenText(language: Language, days: number): string {
  const w = strings(language).arshjul.when;
  if (days < 0) return fill(w.ago, { days: -days });
  if (days === 0) return w.today;
  return days === 1 ? w.tomorrow : fill(w.days, { days });
}

/**
 * Whether a later reminder of the occurrence is due by `today`: then this one is not sent
 * (after an outage, or a Sunday's 1-day reminder held until Monday, the deadline day).
 */
function superseded(
  o: Occurrence,
  leadDays: readonly number[],
  what: string,
  today: string,
): boolean {
  const reminders = reminderTimes(o, leadDays);
  const reminder = reminders.find((r) => r.name === what);
  return Boolean(reminder && reminders.some((r) => r.at > reminder.at && r.at <= today));
}

/** Whole calendar days from one Oslo date to another ('YYYY-MM-DD'); negative when past. */
export function daysUntil(today: string, date: string): number {
  return Math.round(
    (Date.parse(`${date}T12:00:00Z`) - Date.parse(`${today}T12:00:00Z`)) / 86_400_000,
  );
}

function splitName(name: string): [string, string] {
  const at = name.indexOf('|');
  return at === -1 ? [name, ''] : [name.slice(0, at), name.slice(at + 1)];
}

/** 'YYYY-MM-DD' plus whole months (the day is kept, or the month's last day). */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number);
  const total = y * 12 + (m - 1) + months;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${year}-${pad(month)}-${pad(Math.min(d, last))}`;
}
