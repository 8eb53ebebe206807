import { fill } from '../i18n';
import { workTexts } from '../i18n/work';
import type { Actor } from '../kernel/actor';
import { stringIn } from '../kernel/card-data';
import { notice, renderCard, type Card } from '../kernel/card-templates';
import type { Clock } from '../kernel/clock';
import type { Organisation, OrgDirectory } from '../org/organisation';
import {
  linkableTargets,
  matchTargets,
  mayLink,
  mayUnlink,
  parseTargetChoice,
  sameTarget,
  targetChoice,
  type ChannelLink,
  type ChannelLinks,
  type LinkTarget,
  type LinkTargetRef,
  type LinkTargets,
} from './links';
import type { ChannelAddress } from './ports';
import { echoed } from './subscription-views';

export interface ChannelLinkDeps {
  links: ChannelLinks;
  targets: LinkTargets;
  org: OrgDirectory;
  clock: Clock;
}

/** The card verbs of channel links (routed in bot/teams/routes/channels.ts). */
export const LINK_VERBS = { link: 'channel-link.create', unlink: 'channel-link.remove' } as const;

interface Scene {
  org: Organisation;
  targets: LinkTarget[];
  t: ReturnType<typeof workTexts>['channelLinks'];
}

/**
 * "koble kanal" / "link channel" and "koble fra" / "unlink", typed in a team channel, and their
 * pickers' buttons. Card data is untrusted: the rule decides again on every press. The answers
 * name only the process or project, never its content.
 */
export class ChannelLinkService {
  constructor(private readonly deps: ChannelLinkDeps) {}

  private async scene(actor: Actor): Promise<Scene> {
    const [{ org }, targets] = await Promise.all([
      this.deps.org.snapshot(),
      this.deps.targets.list(actor.language),
    ]);
    return { org, targets, t: workTexts(actor.language).channelLinks };
  }

  private personalOnly(actor: Actor): Card {
    return notice(workTexts(actor.language).channelLinks.personalOnly, '', 'Default');
  }

  /** "koble kanal [navn]": a name that is one of the actor's links it at once; else the picker. */
  async link(actor: Actor, channel: ChannelAddress | undefined, text: string): Promise<Card> {
    if (!channel) return this.personalOnly(actor);
    const s = await this.scene(actor);
    const mine = linkableTargets(s.org, s.targets, actor.id);
    if (mine.length === 0) return notice(s.t.nothingToLink);
    const matches = matchTargets(mine, text);
    if (matches.length === 1) return this.create(actor, s, channel, matches[0]);
    const note = text ? fill(s.t.noMatch, { name: echoed(text) }) : '';
    return linkPicker(s, mine, note);
  }

  /** The picker's button. */
  async linkChosen(
    actor: Actor,
    channel: ChannelAddress | undefined,
    data: Record<string, unknown>,
  ): Promise<Card> {
    if (!channel) return this.personalOnly(actor);
    const s = await this.scene(actor);
    const mine = linkableTargets(s.org, s.targets, actor.id);
    if (mine.length === 0) return notice(s.t.nothingToLink);
    const chosen = parseTargetChoice(stringIn(data.target));
    const target = chosen && s.targets.find((x) => sameTarget(x, chosen));
    if (!target || !target.open) return linkPicker(s, mine, s.t.required);
    return this.create(actor, s, channel, target);
  }

  private async create(
    actor: Actor,
    s: Scene,
    channel: ChannelAddress,
    target: LinkTarget,
  ): Promise<Card> {
    if (!mayLink(s.org, target, actor.id))
      return notice(fill(s.t.notAllowed, { name: target.name }));
    const { created } = await this.deps.links.link({
      kind: target.kind,
      id: target.id,
      teamId: channel.teamId,
      channelId: channel.channelId,
      linkedBy: actor.id,
      at: this.deps.clock.now().toISOString(),
    });
    const title = fill(created ? s.t.linkedTitle : s.t.alreadyTitle, { name: target.name });
    return notice(s.t.linkedText, title, 'Good');
  }

  /** "koble fra [navn]": a name unlinks that one; else a picker of what the actor may unlink. */
  async unlink(actor: Actor, channel: ChannelAddress | undefined, text: string): Promise<Card> {
    if (!channel) return this.personalOnly(actor);
    const s = await this.scene(actor);
    const links = await this.deps.links.forChannel(channel.teamId, channel.channelId);
    if (links.length === 0) return notice(s.t.nothingLinked, '', 'Default');
    const shown = links.map((l) => ({ link: l, target: targetOf(s, l) }));
    const named = matchTargets(
      shown.map((x) => ({ ...x.target, link: x.link })),
      text,
    );
    if (named.length === 1) return this.end(actor, s, named[0].link);
    const mayEnd = shown.filter((x) =>
      mayUnlink(s.org, x.link, s.targets.find(same(x.link)), actor.id),
    );
    if (mayEnd.length === 0) return notice(s.t.noneYouMayEnd);
    const note = text ? fill(s.t.noMatch, { name: echoed(text) }) : '';
    return renderCard('channels/picker', {
      ...pickerTexts(s, note),
      title: s.t.endTitle,
      intro: s.t.endIntro,
      choices: mayEnd.map((x) => choiceFor(s, x.target)),
      verb: LINK_VERBS.unlink,
      button: s.t.endButton,
    });
  }

  /** The unlink picker's button. */
  async unlinkChosen(
    actor: Actor,
    channel: ChannelAddress | undefined,
    data: Record<string, unknown>,
  ): Promise<Card> {
    if (!channel) return this.personalOnly(actor);
    const s = await this.scene(actor);
    const chosen = parseTargetChoice(stringIn(data.target));
    const links = await this.deps.links.forChannel(channel.teamId, channel.channelId);
    const found = chosen ? links.find((l) => sameTarget(l, chosen)) : undefined;
    // Unlinked meanwhile (or a forged choice): nothing to remove here.
    if (!found) return notice(s.t.nothingLinked, '', 'Default');
    return this.end(actor, s, found);
  }

  private async end(actor: Actor, s: Scene, link: ChannelLink): Promise<Card> {
    const target = s.targets.find(same(link));
    if (!mayUnlink(s.org, link, target, actor.id)) return notice(s.t.noneYouMayEnd);
    await this.deps.links.unlink(link);
    const name = targetOf(s, link).name;
    return notice(fill(s.t.unlinked, { name }), s.t.unlinkedTitle, 'Default');
  }

  /** The bot left a team: its links end too. */
  async teamRemoved(teamId: string): Promise<number> {
    return (await this.deps.links.removeTeam(teamId)).length;
  }
}

const same = (ref: LinkTargetRef) => (x: LinkTargetRef) => sameTarget(x, ref);

/** The target of a link, or a stand-in named by its id when it is gone. */
const targetOf = (s: Scene, l: ChannelLink): LinkTarget =>
  s.targets.find(same(l)) ?? { kind: l.kind, id: l.id, name: l.id, ownerId: '', open: false };

const choiceFor = (s: Scene, t: LinkTarget) => ({
  title: `${t.name} (${s.t.kindLabels[t.kind]}${t.kind === 'project' ? `, ${t.id}` : ''})`,
  value: targetChoice(t),
});

const pickerTexts = (s: Scene, note: string) => ({
  notice: note,
  inputId: 'target',
  label: s.t.label,
  placeholder: s.t.label,
  required: s.t.required,
  topic: '',
});

function linkPicker(s: Scene, targets: readonly LinkTarget[], note: string): Card {
  return renderCard('channels/picker', {
    ...pickerTexts(s, note),
    title: s.t.pickerTitle,
    intro: s.t.pickerIntro,
    choices: targets.map((t) => choiceFor(s, t)),
    verb: LINK_VERBS.link,
    button: s.t.linkButton,
  });
}
