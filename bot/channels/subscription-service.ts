import { fill, strings } from '../i18n';
import type { Actor } from '../kernel/actor';
import { stringIn } from '../kernel/card-data';
import { notice, renderCard, type Card } from '../kernel/card-templates';
import type { Organisation, Unit } from '../org/organisation';
import type { ChannelAddress, ChannelDeps, Subscription, Topic } from './ports';
import {
  channelKeyOf,
  isTopic,
  matchUnits,
  maySubscribe,
  mayUnsubscribe,
  parseChoice,
  parseSubscriptionText,
  subscribableUnits,
} from './subscriptions';
import {
  echoed,
  endPickerData,
  subscribedData,
  subscribePickerData,
  subscriptionListData,
  type ChannelViewContext,
} from './subscription-views';

export type { ChannelDeps } from './ports';

/**
 * Team-channel subscriptions as the Teams edge sees them: "abonner avvik <enhet>",
 * "abonnementer", "avslutt abonnement", the two picker cards, and the bot leaving a team. The
 * edge passes the actor, the channel the turn came from (undefined outside a team channel)
 * and the text or card data; cards come back. Channel cards never hold case content.
 */
export class SubscriptionService {
  constructor(private readonly deps: ChannelDeps) {}

  private async context(actor: Actor): Promise<ChannelViewContext> {
    const { org } = await this.deps.org.snapshot();
    return { org, language: actor.language };
  }

  private personalOnly(actor: Actor): Card {
    return notice(strings(actor.language).channels.personalOnly, '', 'Default');
  }

  /** "abonner avvik [enhet]": with a unit that names one, at once; else the picker. */
  async subscribe(actor: Actor, channel: ChannelAddress | undefined, text: string): Promise<Card> {
    if (!channel) return this.personalOnly(actor);
    const t = strings(actor.language).channels;
    const { topic, unitText } = parseSubscriptionText(text);
    if (!topic) return notice(t.usage, '', 'Default');
    const ctx = await this.context(actor);
    const allowed = subscribableUnits(ctx.org, actor.id);
    if (allowed.length === 0) return notice(t.notLeader);
    if (!unitText) return picker(ctx, topic, allowed);
    const matches = matchUnits(ctx.org, unitText);
    if (matches.length === 1) return this.create(actor, ctx, channel, topic, matches[0].id);
    if (matches.length === 0)
      return picker(ctx, topic, allowed, fill(t.noMatch, { name: echoed(unitText) }));
    const allowedMatches = allowed.filter((u) => matches.some((m) => m.id === u.id));
    return picker(
      ctx,
      topic,
      allowedMatches.length > 0 ? allowedMatches : allowed,
      fill(t.ambiguous, { name: echoed(unitText) }),
    );
  }

  /** The picker's button (`subscription.create`): card data is untrusted, the rule decides. */
  async subscribeChosen(
    actor: Actor,
    channel: ChannelAddress | undefined,
    data: Record<string, unknown>,
  ): Promise<Card> {
    if (!channel) return this.personalOnly(actor);
    const t = strings(actor.language).channels;
    const topic: Topic = isTopic(data.topic) ? data.topic : 'avvik';
    const ctx = await this.context(actor);
    const allowed = subscribableUnits(ctx.org, actor.id);
    if (allowed.length === 0) return notice(t.notLeader);
    const unitId = stringIn(data.unitId);
    if (!unitId) return picker(ctx, topic, allowed, t.chooseRequired);
    return this.create(actor, ctx, channel, topic, unitId);
  }

  private async create(
    actor: Actor,
    ctx: ChannelViewContext,
    channel: ChannelAddress,
    topic: Topic,
    unitId: string,
  ): Promise<Card> {
    const t = strings(actor.language).channels;
    const decision = maySubscribe(ctx.org, unitId, actor.id);
    if (!decision.ok) {
      switch (decision.reason) {
        case 'not_leader':
          return notice(t.notLeader);
        case 'unknown_unit':
          return picker(ctx, topic, subscribableUnits(ctx.org, actor.id), t.unknownUnit);
        case 'outside_line':
          return notice(fill(t.outsideLine, { unit: ctx.org.units.get(unitId)?.name ?? unitId }));
      }
    }
    const { subscription, created } = await this.deps.subscriptions.subscribe({
      ...channelOnly(channel),
      topic,
      unitId,
      subscribedBy: actor.id,
      at: this.deps.clock.now().toISOString(),
    });
    return renderCard('channels/subscribed', subscribedData(ctx, subscription, created));
  }

  /** "abonnementer": anyone in the channel may see what it follows. */
  async list(actor: Actor, channel: ChannelAddress | undefined): Promise<Card> {
    if (!channel) return this.personalOnly(actor);
    const subscriptions = await this.deps.subscriptions.forChannel(
      channel.teamId,
      channel.channelId,
    );
    const ctx = await this.context(actor);
    return renderCard('channels/list', subscriptionListData(ctx, subscriptions));
  }

  /** "avslutt abonnement [enhet]": with a unit, that one; else a picker of those the actor may end. */
  async unsubscribe(
    actor: Actor,
    channel: ChannelAddress | undefined,
    text: string,
  ): Promise<Card> {
    if (!channel) return this.personalOnly(actor);
    const t = strings(actor.language).channels;
    const subscriptions = await this.deps.subscriptions.forChannel(
      channel.teamId,
      channel.channelId,
    );
    if (subscriptions.length === 0) return notice(t.nothingToEnd, '', 'Default');
    const ctx = await this.context(actor);
    const { topic, unitText } = parseSubscriptionText(text);
    let candidates = subscriptions.filter((s) => !topic || s.topic === topic);
    if (unitText) {
      const named = new Set(matchUnits(ctx.org, unitText).map((u) => u.id));
      candidates = candidates.filter((s) => named.has(s.unitId) || s.unitId === unitText);
      if (candidates.length === 0)
        return notice(fill(t.notSubscribed, { name: echoed(unitText) }), '', 'Default');
      if (candidates.length === 1) return this.end(actor, ctx, candidates[0]);
    }
    const mayEnd = candidates.filter((s) => mayUnsubscribe(ctx.org, s, actor.id));
    if (mayEnd.length === 0) return notice(t.noneYouMayEnd);
    return renderCard('channels/picker', endPickerData(ctx, mayEnd));
  }

  /** The end picker's button (`subscription.remove`). */
  async unsubscribeChosen(
    actor: Actor,
    channel: ChannelAddress | undefined,
    data: Record<string, unknown>,
  ): Promise<Card> {
    if (!channel) return this.personalOnly(actor);
    const t = strings(actor.language).channels;
    const chosen = parseChoice(stringIn(data.subscription));
    const subscriptions = await this.deps.subscriptions.forChannel(
      channel.teamId,
      channel.channelId,
    );
    const found = chosen
      ? subscriptions.find((s) => s.topic === chosen.topic && s.unitId === chosen.unitId)
      : undefined;
    // Ended meanwhile (or a forged choice): nothing to end here.
    if (!found) return notice(t.nothingToEnd, '', 'Default');
    return this.end(actor, await this.context(actor), found);
  }

  private async end(actor: Actor, ctx: ChannelViewContext, s: Subscription): Promise<Card> {
    const t = strings(actor.language).channels;
    const unit = unitNameIn(ctx.org, s.unitId);
    if (!mayUnsubscribe(ctx.org, s, actor.id)) return notice(fill(t.notAllowedEnd, { unit }));
    await this.deps.subscriptions.unsubscribe(s);
    return notice(fill(t.ended, { unit, topic: t.topics[s.topic] }), t.endedTitle, 'Default');
  }

  /**
   * The bot was removed from a team: every subscription of the team ends. Returns the channels
   * that had one, so the edge can forget how to reach them.
   */
  async teamRemoved(teamId: string): Promise<ChannelAddress[]> {
    const ended = await this.deps.subscriptions.removeTeam(teamId);
    const channels = new Map(ended.map((s) => [channelKeyOf(s), channelOnly(s)]));
    return [...channels.values()];
  }
}

const channelOnly = (c: ChannelAddress): ChannelAddress => ({
  teamId: c.teamId,
  channelId: c.channelId,
});

const unitNameIn = (org: Organisation, id: string) => org.units.get(id)?.name ?? id;

function picker(ctx: ChannelViewContext, topic: Topic, units: readonly Unit[], note = ''): Card {
  return renderCard('channels/picker', subscribePickerData(ctx, topic, units, note));
}
