import crypto from 'node:crypto';
import { log } from '../app/log';
import type { Actor } from '../kernel/actor';
import { stringIn } from '../kernel/card-data';
import { notice, type Card } from '../kernel/card-templates';
import type { PostedCard } from '../messaging/posted-cards';
import { readDelegationScene } from './delegation-actions';
import { cardTexts } from './delegation-card-texts';
import { exportCard } from './delegation-export';
import { draftFrom, formCard, formValues, passableAreas } from './delegation-form';
import { proposalMessages, requestMessages } from './delegation-messages';
import { requestCard, requestFormCard, MATTER_MAX } from './delegation-requests';
import {
  chainFor,
  cleanText,
  leaderOf,
  matchArea,
  proposeGrant,
  type GrantDraft,
} from './delegation-rules';
import { refusalText } from './delegation-texts';
import {
  chainCard,
  choicesCard,
  grantCard,
  mineCard,
  namesOf,
  type DelegationScene,
} from './delegation-views';
import { areaById } from './delegation';
import type { ConfirmationRequest, DelegationDeps } from './ports';

/** What typed text asks of the delegation feature; undefined when it is none of its commands. */
export type DelegationCommand =
  | { kind: 'ask'; text: string }
  | { kind: 'delegate' }
  | { kind: 'mine' }
  | { kind: 'request' }
  | { kind: 'export' };

const MAX_COMMAND = 200;
const PLAIN: Record<string, DelegationCommand['kind']> = {
  deleger: 'delegate',
  'deleger fullmakt': 'delegate',
  delegate: 'delegate',
  'delegate authority': 'delegate',
  'mine fullmakter': 'mine',
  'my authority': 'mine',
  'my delegations': 'mine',
  'bekreft fullmakt': 'request',
  'be om bekreftelse av fullmakt': 'request',
  'confirm authority': 'request',
  'request confirmation': 'request',
  'eksporter fullmakter': 'export',
  'eksporter delegeringsreglementet': 'export',
  'export delegations': 'export',
  'export authority': 'export',
};
/** The question's opening words; the rest names the area (matched forgivingly). */
const ASK = /^(?:har (?:jeg|eg) fullmakt|fullmakt|do i have (?:the )?authority|authority)(?:\s|$)/;

export function parseDelegationCommand(text: string | undefined): DelegationCommand | undefined {
  const raw = (text ?? '').slice(0, MAX_COMMAND + 1).trim();
  if (raw.length > MAX_COMMAND) return undefined;
  const plain = raw
    .toLocaleLowerCase('nb-NO')
    .replace(/[.!?]+$/, '')
    .replace(/\s+/g, ' ');
  const kind = PLAIN[plain];
  if (kind && kind !== 'ask') return { kind } as DelegationCommand;
  return ASK.test(plain) ? { kind: 'ask', text: plain } : undefined;
}

/** Where the card a turn answers with sits, to remember it (it then follows every change). */
export type PostedAt = Pick<PostedCard, 'conversationId' | 'reference' | 'activityId'>;

const FORM_ID = /^[A-Za-z0-9-]{8,64}$/;
const PLACEHOLDER_REF = 'DEL-0000-0000';

/** The delegation register in chat: questions, the form, my grants, confirmation requests. */
export class DelegationService {
  constructor(private readonly deps: DelegationDeps) {}

  private scene(actor: Actor): Promise<DelegationScene> {
    return readDelegationScene(this.deps, actor.language);
  }

  async run(actor: Actor, command: DelegationCommand): Promise<Card> {
    const scene = await this.scene(actor);
    if (scene.register.areas.length === 0) return notice(cardTexts(actor.language).notImported);
    switch (command.kind) {
      case 'ask':
        return this.answer(scene, actor, command.text);
      case 'delegate':
        return passableAreas(scene, actor.id).length
          ? formCard(scene, actor.id, crypto.randomUUID())
          : notice(cardTexts(actor.language).formNothing);
      case 'mine':
        return mineCard(scene, actor.id, this.deps.signer);
      case 'request':
        return leaderOf(scene.org, actor.id)
          ? requestFormCard(scene, actor.id, crypto.randomUUID())
          : notice(cardTexts(actor.language).requestNoLeader);
      case 'export':
        return exportCard(scene, actor.id, this.deps);
    }
  }

  private answer(scene: DelegationScene, actor: Actor, text: string): Card {
    const match = matchArea(scene.register.areas, text, scene.language);
    if (match.kind === 'match')
      return chainCard(
        scene,
        chainFor(scene.register, scene.org, actor.id, match.area.id, scene.now),
      );
    if (match.kind === 'ambiguous') return choicesCard(scene, text, match.choices, 'ambiguous');
    const all = scene.register.areas.map((a) => ({ id: a.id, name: a.name[scene.language] }));
    return choicesCard(scene, text, all, 'unknown');
  }

  /** A choice pressed on the ambiguity card. */
  async askArea(actor: Actor, data: Record<string, unknown>): Promise<Card> {
    const scene = await this.scene(actor);
    const area = areaById(scene.register, stringIn(data.areaId));
    if (!area) return this.answer(scene, actor, '');
    return chainCard(scene, chainFor(scene.register, scene.org, actor.id, area.id, scene.now));
  }

  /**
   * "Send til mottakeren": the form's values checked by the rules (every refusal shown on the
   * form, values kept), then one proposal per form (a retried submit shows the same grant).
   */
  async submitDelegation(
    actor: Actor,
    data: Record<string, unknown>,
    postedAt?: PostedAt,
  ): Promise<Card> {
    const scene = await this.scene(actor);
    const formId = FORM_ID.test(stringIn(data.formId))
      ? stringIn(data.formId)
      : crypto.randomUUID();
    const values = formValues(data);
    const parsed = draftFrom(scene, values);
    const again = (errors: string[]) => formCard(scene, actor.id, formId, values, errors);
    if (!parsed.ok) return again(parsed.errors);
    const check = this.propose(scene, actor, parsed.draft, PLACEHOLDER_REF);
    if (!check.ok)
      return again(check.refusals.map((r) => refusalText(r, scene.language, namesOf(scene))));

    const held = await this.hold(actor, formId, scene);
    if (held) return held;
    const copy = postedAt && { ...postedAt, ownerId: actor.id, view: 'delegator' };
    const grant = await this.deps.grants.insertNew(this.deps.grantCounter, scene.now, (ref) => {
      const made = this.propose(scene, actor, parsed.draft, ref);
      if (!made.ok) throw new Error('a checked draft was refused');
      const { after, event } = made.change;
      return {
        record: after,
        event,
        messages: proposalMessages(scene.org, after, scene.now, copy),
      };
    });
    await this.release(formId, grant.ref, actor);
    log.info({ ref: grant.ref, areaId: grant.areaId, level: grant.level }, 'delegation proposed');
    return grantCard(
      { ...scene, register: { ...scene.register, grants: [...scene.register.grants, grant] } },
      grant,
      actor.id,
      this.deps.signer,
    );
  }

  private propose(scene: DelegationScene, actor: Actor, draft: GrantDraft, ref: string) {
    return proposeGrant({
      register: scene.register,
      org: scene.org,
      actorId: actor.id,
      draft,
      now: scene.now,
      ref,
    });
  }

  /**
   * Takes the form: undefined when this submit may store it, else the card to answer with (the
   * grant or request an earlier submit of the same form made, or that it is under way).
   */
  private async hold(
    actor: Actor,
    formId: string,
    scene: DelegationScene,
  ): Promise<Card | undefined> {
    const claimed = await this.deps.claims.claim(formId, actor.id, scene.now.toISOString());
    if ('token' in claimed) return undefined;
    const { earlier } = claimed;
    const t = cardTexts(scene.language);
    if (earlier.by !== actor.id || !earlier.ref) return notice(t.alreadySent, '', 'Default');
    return (await this.currentCard(actor, earlier.ref)) ?? notice(t.alreadySent, '', 'Default');
  }

  /** The form's claim names what it made, for a retried submit. */
  private async release(formId: string, ref: string, actor: Actor) {
    const claim = await this.deps.claims.get(formId);
    if (claim && claim.by === actor.id && claim.token)
      await this.deps.claims.assign(formId, ref, claim.token);
  }

  /** The card of a grant or request as this person sees it now. */
  async currentCard(actor: Actor, ref: string): Promise<Card | undefined> {
    const scene = await this.scene(actor);
    if (ref.startsWith('BEK-')) {
      const request = (await this.deps.requests.get(ref))?.record;
      return request && requestCard(scene, request, actor.id, this.deps.signer);
    }
    const grant = (await this.deps.grants.get(ref))?.record;
    return grant && grantCard(scene, grant, actor.id, this.deps.signer);
  }

  /** "Bekreft fullmakt": the request goes to the requester's own leader. */
  async submitRequest(
    actor: Actor,
    data: Record<string, unknown>,
    postedAt?: PostedAt,
  ): Promise<Card> {
    const scene = await this.scene(actor);
    const t = cardTexts(scene.language);
    const formId = FORM_ID.test(stringIn(data.formId))
      ? stringIn(data.formId)
      : crypto.randomUUID();
    const areaId = stringIn(data.areaId);
    const matter = cleanText(data.matter, MATTER_MAX);
    const area = areaById(scene.register, areaId);
    const leader = leaderOf(scene.org, actor.id);
    if (!leader) return notice(t.requestNoLeader);
    if (!area || area.councilOnly)
      return requestFormCard(scene, actor.id, formId, { areaId, matter }, [t.chooseArea]);
    const held = await this.hold(actor, formId, scene);
    if (held) return held;
    const at = scene.now.toISOString();
    const copy = postedAt && { ...postedAt, ownerId: actor.id, view: 'requester' };
    const request = await this.deps.requests.insertNew(
      this.deps.requestCounter,
      scene.now,
      (ref) => {
        const record: ConfirmationRequest = {
          ref,
          rev: 1,
          areaId: area.id,
          requesterId: actor.id,
          leaderId: leader.id,
          ...(matter ? { matter } : {}),
          status: 'open',
          createdAt: at,
        };
        return {
          record,
          event: {
            ref,
            seq: 1,
            at,
            kind: 'requested',
            actorId: actor.id,
            toStatus: 'open',
            targetId: leader.id,
          },
          messages: requestMessages(record, scene.now, copy),
        };
      },
    );
    await this.release(formId, request.ref, actor);
    log.info({ ref: request.ref, areaId: area.id }, 'delegation confirmation requested');
    return requestCard(scene, request, actor.id, this.deps.signer);
  }
}
