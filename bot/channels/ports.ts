import type { Clock } from '../kernel/clock';
import type { Organisation, OrgDirectory } from '../org/organisation';

/**
 * Team-channel subscriptions: a channel follows a unit (and every unit below it) for a topic.
 * Declared here, implemented by the table adapter in subscription-store.ts; the deviation
 * digest and escalation notices read them through `forTopic` and `followersOf`.
 */

/** What a channel can follow: deviations now, the annual cycle (årshjul) later. */
export const TOPICS = ['avvik', 'arshjul'] as const;
export type Topic = (typeof TOPICS)[number];

/** A channel of a team. A team's General channel has the team's id. */
export interface ChannelAddress {
  teamId: string;
  channelId: string;
}

/** Which subscription: one per topic, unit and channel. */
export interface SubscriptionKey extends ChannelAddress {
  topic: Topic;
  unitId: string;
}

export interface Subscription extends SubscriptionKey {
  /** Entra object id of the leader who subscribed. */
  subscribedBy: string;
  /** When (ISO). */
  at: string;
}

export interface ChannelSubscriptions {
  /**
   * Stores the subscription unless the channel already follows that unit for that topic; then
   * the stored one (who, since when) stays and is returned with `created: false`.
   */
  subscribe(subscription: Subscription): Promise<{ subscription: Subscription; created: boolean }>;
  /** Ends one; false when there was none. */
  unsubscribe(key: SubscriptionKey): Promise<boolean>;
  /** Every subscription of a channel, any topic. */
  forChannel(teamId: string, channelId: string): Promise<Subscription[]>;
  /** Every subscription of a topic, across all teams (which channels get the weekly digest). */
  forTopic(topic: Topic): Promise<Subscription[]>;
  /** The channels subscribed to the unit or to a unit above it, each channel once. */
  followersOf(topic: Topic, unitId: string, org: Organisation): Promise<ChannelAddress[]>;
  /** The bot left the team: ends every subscription of the team and returns what was ended. */
  removeTeam(teamId: string): Promise<Subscription[]>;
}

/** What the subscription use cases need (subscription-service.ts). */
export interface ChannelDeps {
  subscriptions: ChannelSubscriptions;
  org: OrgDirectory;
  clock: Clock;
}
