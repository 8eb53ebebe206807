import { z } from 'zod';
import { unlessNotFound } from '../store/errors';
import {
  getEntityOrUndefined,
  listPartition,
  safeKey,
  withoutServiceFields,
  type Tables,
} from '../store/tables';
import type { ChannelAddress } from './ports';
import { listPartitionsUnder } from '../store/partition-range';
import { LINK_KINDS, type ChannelLink, type ChannelLinks, type LinkTargetRef } from './links';

/**
 * Channel links in table `Subscriptions` (beside the subscriptions, in partitions of their
 * own), two rows per link:
 * - PartitionKey `link_<kind>|<id>`, RowKey `<teamId>|<channelId>`: the link itself, what a
 *   notice reads when it fans out (one partition per process or project).
 * - PartitionKey `chlink_<teamId>|<channelId>`, RowKey `<kind>|<id>`: the same values, so
 *   "koble fra" in a channel is one partition read.
 * Key parts are encoded (safeKey). The channel row is written after the target row and deleted
 * before it: a crash in between leaves a link missing from the channel's list (linking again
 * repairs it), never a listed one that sends nothing.
 */
const linkSchema = z.object({
  kind: z.enum(LINK_KINDS),
  id: z.string(),
  teamId: z.string(),
  channelId: z.string(),
  linkedBy: z.string(),
  at: z.string(),
});

const targetPartition = (t: LinkTargetRef) => `link_${t.kind}|${safeKey(t.id)}`;
const channelRowOf = (c: ChannelAddress) => `${safeKey(c.teamId)}|${safeKey(c.channelId)}`;
const teamPrefix = (teamId: string) => `chlink_${safeKey(teamId)}|`;
const channelPartition = (c: ChannelAddress) => `${teamPrefix(c.teamId)}${safeKey(c.channelId)}`;
const targetRowOf = (t: LinkTargetRef) => `${t.kind}|${safeKey(t.id)}`;

const parse = (entity: Record<string, unknown>): ChannelLink =>
  linkSchema.parse(withoutServiceFields(entity));

function valuesOf(l: ChannelLink): ChannelLink {
  const { kind, id, teamId, channelId, linkedBy, at } = l;
  return { kind, id, teamId, channelId, linkedBy, at };
}

export class ChannelLinkStore implements ChannelLinks {
  constructor(private readonly tables: Tables) {}

  private get client() {
    return this.tables.client('Subscriptions');
  }

  async link(link: ChannelLink): Promise<{ link: ChannelLink; created: boolean }> {
    const pk = targetPartition(link);
    const rk = channelRowOf(link);
    const existing = await getEntityOrUndefined<Record<string, unknown>>(this.client, pk, rk);
    // Linked already: who and since when stay (two at once: either one's values, same link).
    const stored = existing ? parse(existing) : valuesOf(link);
    if (!existing)
      await this.client.upsertEntity({ partitionKey: pk, rowKey: rk, ...stored }, 'Replace');
    await this.client.upsertEntity(
      { partitionKey: channelPartition(stored), rowKey: targetRowOf(stored), ...stored },
      'Replace',
    );
    return { link: stored, created: !existing };
  }

  async unlink(link: LinkTargetRef & ChannelAddress): Promise<boolean> {
    await unlessNotFound(this.client.deleteEntity(channelPartition(link), targetRowOf(link)));
    const deleted = await unlessNotFound(
      this.client.deleteEntity(targetPartition(link), channelRowOf(link)),
    );
    return deleted !== undefined;
  }

  async forChannel(teamId: string, channelId: string): Promise<ChannelLink[]> {
    return (await listPartition(this.client, channelPartition({ teamId, channelId }))).map(parse);
  }

  async forTarget(target: LinkTargetRef): Promise<ChannelLink[]> {
    return (await listPartition(this.client, targetPartition(target))).map(parse);
  }

  async removeTeam(teamId: string): Promise<ChannelLink[]> {
    const links = (await listPartitionsUnder(this.client, teamPrefix(teamId))).map(parse);
    await Promise.all(links.map((l) => this.unlink(l)));
    return links;
  }
}
