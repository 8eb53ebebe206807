import { fill, formatDate, strings, type Language } from '../i18n';
import { asShownText } from '../kernel/card-templates';
import { pageOf } from '../kernel/paging';
import type { Organisation, Unit } from '../org/organisation';
import type { Subscription, Topic } from './ports';
import { choiceOf, unitAndBelow } from './subscriptions';

/** Turns subscriptions into the data the cards/channels templates bind. Pure. */

/** The card verbs of the channels feature (routed in bot/teams/routes/channels.ts). */
export const CHANNEL_VERBS = {
  subscribe: 'subscription.create',
  end: 'subscription.remove',
} as const;

export interface ChannelViewContext {
  org: Organisation;
  language: Language;
}

const unitName = (org: Organisation, id: string) => org.units.get(id)?.name ?? id;
const personName = (ctx: ChannelViewContext, id: string) =>
  ctx.org.people.get(id)?.name || strings(ctx.language).channels.unknownPerson;

/** Text the user typed, echoed back: Markdown links broken, length bounded. */
export const echoed = (text: string) => asShownText(text.slice(0, 100));

const byTopicThenUnit = (ctx: ChannelViewContext) => (a: Subscription, b: Subscription) =>
  a.topic.localeCompare(b.topic) ||
  unitName(ctx.org, a.unitId).localeCompare(unitName(ctx.org, b.unitId), 'nb');

/** The picker behind "abonner avvik" without a unit (or with one that named none). */
export function subscribePickerData(
  ctx: ChannelViewContext,
  topic: Topic,
  units: readonly Unit[],
  notice = '',
) {
  const t = strings(ctx.language).channels;
  return {
    title: fill(t.pickerTitle, { topic: t.topics[topic] }),
    intro: t.pickerIntro,
    notice,
    inputId: 'unitId',
    label: t.unitLabel,
    placeholder: t.unitPlaceholder,
    required: t.chooseRequired,
    choices: units.map((u) => ({ title: u.name, value: u.id })),
    verb: CHANNEL_VERBS.subscribe,
    button: t.subscribeButton,
    topic,
  };
}

/** The picker behind "avslutt abonnement" without a unit: the subscriptions the actor may end. */
export function endPickerData(
  ctx: ChannelViewContext,
  subscriptions: readonly Subscription[],
  notice = '',
) {
  const t = strings(ctx.language).channels;
  return {
    title: t.endTitle,
    intro: t.endIntro,
    notice,
    inputId: 'subscription',
    label: t.subscriptionLabel,
    placeholder: t.subscriptionLabel,
    required: t.chooseRequired,
    choices: [...subscriptions].sort(byTopicThenUnit(ctx)).map((s) => ({
      title: `${unitName(ctx.org, s.unitId)} (${t.topics[s.topic]})`,
      value: choiceOf(s),
    })),
    verb: CHANNEL_VERBS.end,
    button: t.endButton,
    topic: '',
  };
}

/** The most subscriptions "abonnementer" lists on one card. */
export const LIST_MAX_ROWS = 50;

/** "abonnementer": what the channel follows, who subscribed it and when (the first 50). */
export function subscriptionListData(
  ctx: ChannelViewContext,
  subscriptions: readonly Subscription[],
) {
  const t = strings(ctx.language).channels;
  const { rows, total } = pageOf([...subscriptions].sort(byTopicThenUnit(ctx)), 1, LIST_MAX_ROWS);
  const more = rows.length < total ? fill(t.listMore, { shown: rows.length, total }) : '';
  return {
    title: t.listTitle,
    emptyText: subscriptions.length === 0 ? t.listEmpty : more,
    rows: rows.map((s) => ({
      heading: unitName(ctx.org, s.unitId),
      detail: fill(t.listDetail, {
        topic: t.topicTitles[s.topic],
        name: personName(ctx, s.subscribedBy),
        at: formatDate(s.at, ctx.language),
      }),
    })),
    hint: subscriptions.length > 0 ? t.listHint : '',
  };
}

/** The confirmation: what the channel now receives, for which units. */
export function subscribedData(ctx: ChannelViewContext, s: Subscription, created: boolean) {
  const t = strings(ctx.language).channels;
  const unit = unitName(ctx.org, s.unitId);
  const below = unitAndBelow(ctx.org, s.unitId).length - 1;
  return {
    title: fill(created ? t.subscribedTitle : t.alreadyTitle, { topic: t.topics[s.topic], unit }),
    text: fill(t.receives[s.topic], { unit }),
    facts: [
      { title: t.unitLabel, value: unit },
      { title: t.covers, value: below > 0 ? fill(t.coversBelow, { unit, count: below }) : unit },
      { title: t.subscribedBy, value: personName(ctx, s.subscribedBy) },
      { title: t.since, value: formatDate(s.at, ctx.language) },
    ],
    hint: fill(t.endHint, { unit }),
  };
}
