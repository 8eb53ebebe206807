import { log } from '../app/log';
import { fill, strings, type Language } from '../i18n';
import type { Message } from '../messaging/outbox';
import type { Organisation, OrgDirectory } from '../org/organisation';
import type { Clock } from './clock';
import type { Actor } from './actor';
import type { AuditEvent } from './audit';
import {
  CARD_TEXT_MAX,
  isRecordReference,
  oversizedField,
  revisionIn,
  stringIn,
} from './card-data';
import { notice, type Card } from './card-templates';
import type { CardSigner } from './card-signing';
import { ConcurrentChangeError, type RecordPort, type VersionedRecord } from './records';
import { echoedReference } from './reference';

/** Where a card action came from: its activity id (Teams retries reuse it) and the card's message. */
export interface ActionSource {
  actionId: string;
  conversationId?: string;
  activityId?: string;
}

/** What the rules and the cards of one action see, read once per action. */
export interface ActionScene {
  org: Organisation;
  language: Language;
  now: Date;
}

/** The plain scene most features need: the organisation as now (cached), the language, the time. */
export function sceneReader(
  org: OrgDirectory,
  clock: Clock,
): (language: Language) => Promise<ActionScene> {
  return async (language) => ({ org: (await org.snapshot()).org, language, now: clock.now() });
}

/**
 * Who may do what is a function of the organisation, the record, the actor and the time, and
 * nothing else: delegations will add "holds a grant for X" by composing rules, not by editing
 * a feature's.
 */
export interface AccessQuery<R> {
  org: Organisation;
  record: R;
  actorId: string;
  now: Date;
}
export type AccessRule<R> = (query: AccessQuery<R>) => boolean;

/** The pure change a verb makes, or the reason it was refused (shown to the actor as it is). */
export type Decision<R, E extends AuditEvent> =
  { ok: true; record: R; event: Omit<E, 'seq'> } | { ok: false; refusal: string };

export interface ShownCard<E> {
  notice?: string;
  noticeColor?: 'Attention' | 'Warning';
  lastEvent?: E;
}

/** A feature plugs into the pipeline with a table of verbs and these few functions. */
export interface CardActionFeature<
  R extends VersionedRecord,
  E extends AuditEvent,
  S extends ActionScene,
> {
  /** The record kind signatures are bound to, e.g. 'deviation'. */
  kind: string;
  /** The verbs this feature serves from its cards, e.g. 'deviation.take'. */
  verbs: readonly string[];
  records: RecordPort<R, E>;
  scene(actor: Actor): Promise<S>;
  mayAct: AccessRule<R>;
  mayView: AccessRule<R>;
  /** Card data to a domain change: pure, with `scene.now` as the time. */
  decide(input: {
    verb: string;
    scene: S;
    record: R;
    data: Record<string, unknown>;
    actor: Actor;
    actionId: string;
  }): Decision<R, E>;
  /** The record's card as this viewer should see it. */
  card(scene: S, record: R, viewer: Actor, shown: ShownCard<E>): Card;
  /**
   * Verbs whose change does not depend on the revision the card showed, because they carry
   * their own guard (a vote names its gate): the revision is not compared, and a lost race is
   * decided again on the new state, so two members voting at once both count. Default: none.
   */
  commutes?(verb: string): boolean;
  /**
   * Who hears of the change, and what else must follow it: messages stored in the change's own
   * transaction and sent by the dispatcher. Pure.
   */
  messagesFor(scene: S, before: R, after: R, event: E, source: ActionSource): Message[];
}

/**
 * The one way a card action changes a record: check the signature, the fields' sizes and the
 * reference's form, load, check access, skip a repeated action, compare the revision, apply
 * the pure change, write it with the etag together with the messages it decided (the
 * outbox), and answer. It never waits for the connector. It always answers with a card: the
 * new state, or the current state with the reason nothing changed.
 */
/** How often a commuting verb is decided again after losing a race before it gives up. */
const MAX_COMMUTING_ATTEMPTS = 5;

export class CardActionPipeline<
  R extends VersionedRecord,
  E extends AuditEvent,
  S extends ActionScene,
> {
  constructor(
    private readonly feature: CardActionFeature<R, E, S>,
    private readonly signer: CardSigner,
  ) {}

  get verbs(): readonly string[] {
    return this.feature.verbs;
  }

  async act(
    actor: Actor,
    verb: string,
    data: Record<string, unknown>,
    source: ActionSource,
  ): Promise<Card> {
    const { feature } = this;
    const text = strings(actor.language).refusals;
    if (!feature.verbs.includes(verb)) return notice(text.unknown_action);
    const ref = stringIn(data.ref);
    const rev = revisionIn(data.rev);
    if (
      rev === undefined ||
      !this.signer.verify({ kind: feature.kind, id: ref, rev, verb }, data.sig)
    ) {
      log.warn({ verb, actorId: actor.id }, 'card action refused: bad signature');
      return notice(text.forged);
    }
    // Caps and the reference's form before any store call: a key the store refuses is retried.
    const oversized = oversizedField(data);
    if (oversized) return notice(tooLong(actor.language, oversized));
    if (!isRecordReference(ref)) return notice(fill(text.not_found, { ref: echoedReference(ref) }));
    const found = await feature.records.get(ref);
    if (!found) return notice(fill(text.not_found, { ref }));
    const scene = await feature.scene(actor);
    const { record: current, etag } = found;
    const query = { org: scene.org, record: current, actorId: actor.id, now: scene.now };
    const cardOf = (record: R, shown: ShownCard<E> = {}) =>
      feature.card(scene, record, actor, shown);

    // Access first: a replayed action id must not show the case to someone who may not see it.
    if (!feature.mayAct(query)) {
      // Never a person next to a case in the logs: who did what is in the audit trail.
      log.warn({ ref, verb }, 'card action refused: not allowed');
      const refusal = fill(text.not_allowed, { ref });
      return feature.mayView(query) ? cardOf(current, { notice: refusal }) : notice(refusal);
    }
    // The same action arriving again (Teams retries after ~15 s) changes nothing.
    if (current.lastActionId && current.lastActionId === source.actionId) return cardOf(current);
    const commutes = feature.commutes?.(verb) ?? false;
    if (!commutes && rev !== current.rev)
      return cardOf(current, { notice: text.stale, noticeColor: 'Warning' });

    let state = { record: current, etag };
    for (let attempt = 1; ; attempt++) {
      const decision = feature.decide({
        verb,
        scene,
        record: state.record,
        data,
        actor,
        actionId: source.actionId,
      });
      if (!decision.ok) return cardOf(state.record, { notice: decision.refusal });
      // Stamped here, where the same action arriving again is recognised (above).
      const changed: R = { ...decision.record, lastActionId: source.actionId };
      const event = { ...decision.event, seq: changed.rev } as E;
      const messages = feature.messagesFor(scene, state.record, changed, event, source);
      try {
        await feature.records.update(state.record, changed, state.etag, event, messages);
        log.info({ ref, verb, rev: changed.rev }, 'record changed');
        return cardOf(changed, { lastEvent: event });
      } catch (err) {
        if (!(err instanceof ConcurrentChangeError)) throw err;
        const latest = await feature.records.get(ref);
        // A verb that commutes (a vote) is decided again on what the other person stored;
        // any other: they won the race, so show what they did and change nothing.
        if (!commutes || !latest || attempt >= MAX_COMMUTING_ATTEMPTS)
          return cardOf(latest?.record ?? state.record, {
            notice: text.stale,
            noticeColor: 'Warning',
          });
        state = latest;
      }
    }
  }
}

/** The refusal for a field longer than any card sends, naming the field when it is a card's. */
function tooLong(language: Language, field: string): string {
  const text = strings(language);
  const names: Record<string, string> = text.fieldNames;
  const name = Object.hasOwn(names, field) ? names[field] : undefined;
  return name
    ? fill(text.refusals.too_long, { field: name, max: CARD_TEXT_MAX })
    : text.refusals.forged;
}
