import { isInLineAbove, type Organisation } from '../org/organisation';
import type { Language } from '../i18n';
import type { ChannelAddress } from './ports';

/**
 * Channel links (issue #9, "Team channels"): a team channel follows one process or project and
 * gets short notices when it gets a new task, a phase decision or is closed. Ports and the pure
 * rules; the table adapter is link-store.ts, the use cases link-service.ts, the notices
 * link-notices.ts.
 */

export const LINK_KINDS = ['process', 'project'] as const;
export type LinkKind = (typeof LINK_KINDS)[number];

/** What a channel is linked to: a process id or a project reference. */
export interface LinkTargetRef {
  kind: LinkKind;
  id: string;
}

/** A process or project as the links see it: no mandate, no goals, no group. */
export interface LinkTarget extends LinkTargetRef {
  /** Its name in the reader's language. */
  name: string;
  ownerId: string;
  /** A closed process or project is not offered for a new link. */
  open: boolean;
}

export interface ChannelLink extends LinkTargetRef, ChannelAddress {
  /** Entra object id of who linked it. */
  linkedBy: string;
  /** When (ISO). */
  at: string;
}

export interface ChannelLinks {
  /** Stores the link unless it is there; then the stored one stays (`created: false`). */
  link(link: ChannelLink): Promise<{ link: ChannelLink; created: boolean }>;
  /** Removes one; false when there was none. */
  unlink(link: LinkTargetRef & ChannelAddress): Promise<boolean>;
  /** Every link of a channel. */
  forChannel(teamId: string, channelId: string): Promise<ChannelLink[]>;
  /** The channels linked to a process or project (read when a notice fans out). */
  forTarget(target: LinkTargetRef): Promise<ChannelLink[]>;
  /** The bot left the team: every link of the team ends. */
  removeTeam(teamId: string): Promise<ChannelLink[]>;
}

/** The processes and projects, read for the picker and for the notices. */
export interface LinkTargets {
  list(language: Language): Promise<LinkTarget[]>;
  /** Tasks of the target that are done, and all of them (cancelled ones not counted). */
  progress(target: LinkTargetRef, including?: string): Promise<{ done: number; total: number }>;
}

/** The owner may link a process or project, and every leader in the line above the owner. */
export function mayLink(org: Organisation, target: LinkTarget, personId: string): boolean {
  if (target.ownerId === personId) return true;
  const owner = org.people.get(target.ownerId);
  return owner !== undefined && isInLineAbove(org, owner.unitId, personId);
}

/** What the picker offers: the open ones the person may link, processes first, by name. */
export function linkableTargets(
  org: Organisation,
  targets: readonly LinkTarget[],
  personId: string,
): LinkTarget[] {
  return targets
    .filter((t) => t.open && mayLink(org, t, personId))
    .sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name, 'nb'));
}

/** The same rule removes a link; a link to what no longer exists, its linker or any owner. */
export function mayUnlink(
  org: Organisation,
  link: ChannelLink,
  target: LinkTarget | undefined,
  personId: string,
): boolean {
  return target ? mayLink(org, target, personId) : link.linkedBy === personId;
}

/** A target as one choice on a card: `<kind>:<id>`. */
export const targetChoice = (t: LinkTargetRef) => `${t.kind}:${t.id}`;

export function parseTargetChoice(value: string): LinkTargetRef | undefined {
  const colon = value.indexOf(':');
  const kind = value.slice(0, colon);
  const id = value.slice(colon + 1);
  return colon > 0 && (LINK_KINDS as readonly string[]).includes(kind) && id
    ? { kind: kind as LinkKind, id }
    : undefined;
}

export const sameTarget = (a: LinkTargetRef, b: LinkTargetRef) =>
  a.kind === b.kind && a.id === b.id;

/** Typed text naming a target: its id or reference, or its name (any case). */
export function matchTargets<T extends LinkTarget>(targets: readonly T[], text: string): T[] {
  const wanted = text.trim().toLocaleLowerCase('nb');
  if (!wanted) return [];
  return targets.filter(
    (t) => t.id.toLocaleLowerCase('nb') === wanted || t.name.toLocaleLowerCase('nb') === wanted,
  );
}
