import { z } from 'zod';
import type { Organisation } from '../org/organisation';
import { isConflict, unlessNotFound } from '../store/errors';
import {
  getEntityOrUndefined,
  listPartition,
  safeKey,
  withoutServiceFields,
  type Tables,
} from '../store/tables';
import {
  TOPICS,
  type ChannelAddress,
  type ChannelSubscriptions,
  type Subscription,
  type SubscriptionKey,
  type Topic,
} from './ports';
import { listPartitionsUnder } from '../store/partition-range';
import { followingChannels } from './subscriptions';

/**
 * Table `Subscriptions`, two rows per subscription:
 * - PartitionKey `topic_<topic>`, RowKey `<unitId>|<teamId>|<channelId>`: the subscription
 *   itself. One partition per topic answers "which channels get the digest" and "which
 *   channels follow unit X or a unit above it" (a municipality has a few rows).
 * - PartitionKey `channel_<teamId>|<channelId>`, RowKey `<topic>|<unitId>`: the same values
 *   again, so "abonnementer" in a channel is one partition read, not a filter over every topic.
 * Key parts are encoded (safeKey). The channel row is written after the topic row and deleted
 * before it, so a crash in between leaves a subscription missing from the list (the same
 * command repairs it), never a listed one that sends nothing.
 */
const subscriptionSchema = z.object({
  topic: z.enum(TOPICS),
  teamId: z.string(),
  channelId: z.string(),
  unitId: z.string(),
  subscribedBy: z.string(),
  at: z.string(),
});

const topicPartition = (topic: Topic) => `topic_${safeKey(topic)}`;
const topicRow = (k: SubscriptionKey) =>
  `${safeKey(k.unitId)}|${safeKey(k.teamId)}|${safeKey(k.channelId)}`;
const teamPrefix = (teamId: string) => `channel_${safeKey(teamId)}|`;
const channelPartition = (teamId: string, channelId: string) =>
  `${teamPrefix(teamId)}${safeKey(channelId)}`;
const channelRow = (k: SubscriptionKey) => `${safeKey(k.topic)}|${safeKey(k.unitId)}`;

function valuesOf(s: Subscription): Subscription {
  const { topic, teamId, channelId, unitId, subscribedBy, at } = s;
  return { topic, teamId, channelId, unitId, subscribedBy, at };
}

const parse = (entity: Record<string, unknown>): Subscription =>
  subscriptionSchema.parse(withoutServiceFields(entity));

export class SubscriptionStore implements ChannelSubscriptions {
  constructor(private readonly tables: Tables) {}

  private get client() {
    return this.tables.client('Subscriptions');
  }

  async subscribe(
    subscription: Subscription,
  ): Promise<{ subscription: Subscription; created: boolean }> {
    const pk = topicPartition(subscription.topic);
    const rk = topicRow(subscription);
    let stored = valuesOf(subscription);
    let created = true;
    try {
      await this.client.createEntity({ partitionKey: pk, rowKey: rk, ...stored });
    } catch (err) {
      if (!isConflict(err)) throw err;
      // Subscribed already: who and since when stay as they were.
      const existing = await getEntityOrUndefined<Record<string, unknown>>(this.client, pk, rk);
      if (existing) {
        stored = parse(existing);
        created = false;
      } else {
        await this.client.upsertEntity({ partitionKey: pk, rowKey: rk, ...stored }, 'Replace');
      }
    }
    await this.client.upsertEntity(
      {
        partitionKey: channelPartition(stored.teamId, stored.channelId),
        rowKey: channelRow(stored),
        ...stored,
      },
      'Replace',
    );
    return { subscription: stored, created };
  }

  async unsubscribe(key: SubscriptionKey): Promise<boolean> {
    await unlessNotFound(
      this.client.deleteEntity(channelPartition(key.teamId, key.channelId), channelRow(key)),
    );
    const deleted = await unlessNotFound(
      this.client.deleteEntity(topicPartition(key.topic), topicRow(key)),
    );
    return deleted !== undefined;
  }

  async forChannel(teamId: string, channelId: string): Promise<Subscription[]> {
    return (await listPartition(this.client, channelPartition(teamId, channelId))).map(parse);
  }

  async forTopic(topic: Topic): Promise<Subscription[]> {
    return (await listPartition(this.client, topicPartition(topic))).map(parse);
  }

  async followersOf(topic: Topic, unitId: string, org: Organisation): Promise<ChannelAddress[]> {
    return followingChannels(await this.forTopic(topic), org, unitId);
  }

  async removeTeam(teamId: string): Promise<Subscription[]> {
    // The topic rows are what sends; the channel rows are read too, for any a crash left behind.
    const fromTopics = (await Promise.all(TOPICS.map((t) => this.forTopic(t))))
      .flat()
      .filter((s) => s.teamId === teamId);
    const fromChannels = (await listPartitionsUnder(this.client, teamPrefix(teamId))).map(parse);
    const all = new Map<string, Subscription>();
    for (const s of [...fromTopics, ...fromChannels])
      all.set(`${s.topic}|${topicRow(s)}`, valuesOf(s));
    await Promise.all([...all.values()].map((s) => this.unsubscribe(s)));
    return [...all.values()];
  }
}
