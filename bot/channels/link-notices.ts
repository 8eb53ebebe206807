import { fill, type Language } from '../i18n';
import { workTexts } from '../i18n/work';
import { notice } from '../kernel/card-templates';
import type { Composer, Message, Outbox, Params, StoredMessage } from '../messaging/outbox';
import type { ChannelLinks, LinkKind, LinkTargetRef, LinkTargets } from './links';
import { channelKeyOf } from './subscriptions';

/**
 * Notices to linked channels. The change (a new task, a phase decision, a closing) stores one
 * job in its own transaction; when it runs it reads which channels are linked then and queues
 * one notice per channel, under a key unique across the outbox (it holds the reference). The
 * notice is drawn at send time from names and counts only: never a description, note, comment
 * or the name of a person.
 */
export type LinkNoticeEvent = 'task_created' | 'gate_approved' | 'gate_sent_back' | 'closed';

const FANOUT = 'channel-link.fanout';
const NOTICE = 'channel-link.notice';

/**
 * The job for the change's transaction. `occurrence` tells this change apart from every other
 * of the same target (a task reference, a project reference and revision); `facts` are counts
 * and phase names known when it was decided.
 */
export function linkedChannelsJob(
  target: LinkTargetRef,
  what: LinkNoticeEvent,
  occurrence: string,
  now: Date,
  facts: Params = {},
): Message {
  return {
    key: `channels:${what}:${occurrence}`,
    type: FANOUT,
    to: { kind: 'job' },
    params: { ...facts, kind: target.kind, id: target.id, what, occurrence },
    dueAt: now.toISOString(),
  };
}

export interface LinkNoticeDeps {
  links: ChannelLinks;
  targets: LinkTargets;
  outbox: Outbox;
}

const targetIn = (m: StoredMessage): LinkTargetRef => ({
  kind: String(m.params.kind) as LinkKind,
  id: String(m.params.id),
});

export function linkNoticeComposers(deps: LinkNoticeDeps): Composer[] {
  async function text(m: StoredMessage, language: Language): Promise<string | undefined> {
    const target = targetIn(m);
    const found = (await deps.targets.list(language)).find(
      (x) => x.kind === target.kind && x.id === target.id,
    );
    if (!found) return undefined;
    const w = workTexts(language);
    const t = w.channelLinks;
    const what = String(m.params.what) as LinkNoticeEvent;
    const phase = (key: unknown) => w.phases[String(key) as keyof typeof w.phases] ?? '';
    const counts =
      what === 'task_created' || what === 'closed'
        ? await deps.targets.progress(target, String(m.params.task ?? ''))
        : {};
    return fill(t[what], {
      ...m.params,
      ...counts,
      kind: t.kinds[target.kind],
      name: found.name,
      ref: found.id,
      from: phase(m.params.from),
      to: phase(m.params.to),
    });
  }

  return [
    {
      type: FANOUT,
      async run(m, now) {
        const links = await deps.links.forTarget(targetIn(m));
        await deps.outbox.enqueue(
          links.map((l) => ({
            key: `link:${l.kind}:${l.id}:${m.params.what}:${m.params.occurrence}:${channelKeyOf(l)}`,
            type: NOTICE,
            to: { kind: 'channel', teamId: l.teamId, channelId: l.channelId },
            params: m.params,
            dueAt: now.toISOString(),
          })),
        );
      },
    },
    {
      type: NOTICE,
      async compose(m, language) {
        if (m.to.kind !== 'channel') return { skip: 'not a channel' };
        const to = m.to;
        const linked = await deps.links.forTarget(targetIn(m));
        if (!linked.some((l) => channelKeyOf(l) === channelKeyOf(to)))
          return { skip: 'unlinked meanwhile' };
        const body = await text(m, language);
        if (!body) return { skip: 'gone' };
        const title =
          workTexts(language).channelLinks.titles[String(m.params.what) as LinkNoticeEvent];
        return { card: notice(body, title, 'Default') };
      },
    },
  ];
}
