import {
  isInLineAbove,
  unitAndBelow,
  unitChainUp,
  unitsLedBy,
  type Organisation,
  type Unit,
} from '../org/organisation';
import { TOPICS, type ChannelAddress, type Subscription, type Topic } from './ports';

/**
 * The rules of team-channel subscriptions, pure: who may subscribe a channel to a unit or end
 * it, which channels follow a unit, and how typed text names a topic and a unit.
 */

/** Words for a topic after "abonner" / "subscribe" ("annual cycle" is two words). */
const TOPIC_WORDS: Readonly<Record<string, Topic>> = {
  avvik: 'avvik',
  avvikene: 'avvik',
  deviation: 'avvik',
  deviations: 'avvik',
  årshjul: 'arshjul',
  årshjulet: 'arshjul',
  arshjul: 'arshjul',
  annual: 'arshjul',
};
const BEFORE_TOPIC = new Set(['på', 'to', 'til']);
const BEFORE_UNIT = new Set(['for', 'i', 'in', 'fra', 'from', 'of']);

export function isTopic(value: unknown): value is Topic {
  return typeof value === 'string' && (TOPICS as readonly string[]).includes(value);
}

/** Case, spacing and Unicode form do not matter when a unit is named. */
export function normaliseName(text: string): string {
  return text.normalize('NFC').toLocaleLowerCase('nb-NO').replace(/\s+/g, ' ').trim();
}

/**
 * What follows the command word: "avvik Sentrum barnehage", "på avvik for Heim skole",
 * "deviations Sentrum barnehage". The topic is undefined when no topic word comes first.
 */
export function parseSubscriptionText(text: string): { topic?: Topic; unitText: string } {
  let words = text.trim().split(/\s+/).filter(Boolean);
  const first = () => normaliseName(words[0] ?? '');
  if (words.length > 1 && BEFORE_TOPIC.has(first())) words = words.slice(1);
  const topic = TOPIC_WORDS[first()];
  if (topic) words = words.slice(1);
  if (topic === 'arshjul' && first() === 'cycle') words = words.slice(1);
  if (words.length > 1 && BEFORE_UNIT.has(first())) words = words.slice(1);
  const unitText = words
    .join(' ')
    .replace(/^["'«“]+|["'»”.!?]+$/g, '')
    .trim();
  return { topic, unitText };
}

/**
 * The units a text names: the one whose name (or id) it is, case-insensitively; else every
 * unit with a word of its name starting with the text ("sentrum" → Sentrum barnehage).
 */
export function matchUnits(org: Organisation, text: string): Unit[] {
  const wanted = normaliseName(text);
  if (!wanted) return [];
  const units = [...org.units.values()];
  const exact = units.filter((u) => normaliseName(u.name) === wanted || u.id === wanted);
  if (exact.length > 0) return exact;
  return units.filter((u) => ` ${normaliseName(u.name)}`.includes(` ${wanted}`));
}

function leadsAnyUnit(org: Organisation, personId: string): boolean {
  return [...org.units.values()].some((u) => u.leaderId === personId);
}

/** The units a person may subscribe a channel to: every unit they lead and every unit below. */
export function subscribableUnits(org: Organisation, personId: string): Unit[] {
  const depth = (u: Unit) => unitChainUp(org, u.id).length;
  return unitsLedBy(org, personId).sort(
    (a, b) => depth(a) - depth(b) || a.name.localeCompare(b.name, 'nb'),
  );
}

export type SubscribeRefusal = 'not_leader' | 'unknown_unit' | 'outside_line';

/** Only a leader of the unit or of a unit above it may subscribe a channel to it. */
export function maySubscribe(
  org: Organisation,
  unitId: string,
  personId: string,
): { ok: true; unit: Unit } | { ok: false; reason: SubscribeRefusal } {
  if (!leadsAnyUnit(org, personId)) return { ok: false, reason: 'not_leader' };
  const unit = org.units.get(unitId);
  if (!unit) return { ok: false, reason: 'unknown_unit' };
  if (!isInLineAbove(org, unitId, personId)) return { ok: false, reason: 'outside_line' };
  return { ok: true, unit };
}

/**
 * The same rule ends one. A unit that has left the organisation has nobody above it any more:
 * then the one who subscribed, or any leader, may end it.
 */
export function mayUnsubscribe(
  org: Organisation,
  subscription: Pick<Subscription, 'unitId' | 'subscribedBy'>,
  personId: string,
): boolean {
  if (org.units.has(subscription.unitId)) return isInLineAbove(org, subscription.unitId, personId);
  return subscription.subscribedBy === personId || leadsAnyUnit(org, personId);
}

/** What a subscription to a unit covers: the unit and every unit below it. */
export { unitAndBelow };

export const channelKeyOf = (c: ChannelAddress) => `${c.teamId}|${c.channelId}`;

/** The channels following a unit: subscribed to it or to a unit above it; each channel once. */
export function followingChannels(
  subscriptions: readonly Subscription[],
  org: Organisation,
  unitId: string,
): ChannelAddress[] {
  const line = new Set([unitId, ...unitChainUp(org, unitId).map((u) => u.id)]);
  const channels = new Map<string, ChannelAddress>();
  for (const s of subscriptions)
    if (line.has(s.unitId))
      channels.set(channelKeyOf(s), { teamId: s.teamId, channelId: s.channelId });
  return [...channels.values()];
}

/** A subscription as one choice on a card: `<topic>:<unitId>` (topics hold no colon). */
export function choiceOf(s: Pick<Subscription, 'topic' | 'unitId'>): string {
  return `${s.topic}:${s.unitId}`;
}

export function parseChoice(value: string): { topic: Topic; unitId: string } | undefined {
  const colon = value.indexOf(':');
  const topic = value.slice(0, colon);
  const unitId = value.slice(colon + 1);
  return colon > 0 && isTopic(topic) && unitId ? { topic, unitId } : undefined;
}
