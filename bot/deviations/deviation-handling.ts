import { renderCard, type Card } from '../kernel/card-templates';
import type { Actor } from '../messaging/delivery';
import { fill, strings, type Strings } from '../i18n';
import { log } from '../app/log';
import type { OrgSnapshot } from '../org/org-store';
import { leaderAbove } from '../org/organisation';
import type { Deviation, DeviationAction, DeviationActionKind, DeviationEvent } from './deviation';
import { assignableLeaders, mayHandle, mayView } from './deviation-access';
import { notice, viewFor, type DeviationDeps } from './deviation-context';
import { stringIn } from '../kernel/card-data';
import type { DeviationNotifications } from './deviation-notifications';
import { ConcurrentChangeError } from './deviation-repository';
import { handlerData } from './deviation-views';
import { applyDeviationAction, type WorkflowRefusal } from './deviation-workflow';

const ACTION_VERBS: Record<string, DeviationActionKind> = {
  'deviation.take': 'take',
  'deviation.assign': 'assign',
  'deviation.measure': 'measure',
  'deviation.close': 'close',
  'deviation.reject': 'reject',
  'deviation.escalate': 'escalate',
};
export const DEVIATION_ACTION_VERBS = Object.keys(ACTION_VERBS);

/** Where a card action came from: its activity id (Teams retries reuse it) and the card's message. */
export interface ActionSource {
  actionId: string;
  conversationId?: string;
  activityId?: string;
}

/** Handling from the handler card: take, assign, measure, close, reject, escalate. */
export class DeviationHandling {
  constructor(
    private readonly deps: DeviationDeps,
    private readonly notifications: DeviationNotifications,
  ) {}

  /**
   * Applies a card action. Always returns the card to show the actor: the new state, or the
   * current state with the reason the action was refused. Nothing changes on a refusal.
   */
  async act(
    actor: Actor,
    verb: string,
    data: Record<string, unknown>,
    source: ActionSource,
  ): Promise<Card> {
    const t = strings(actor.language);
    const kind = ACTION_VERBS[verb];
    const ref = stringIn(data.ref);
    const rev = Number(data.rev);
    if (!kind) return notice(t.refusals.unknown_action);
    if (!this.deps.signer.verify(ref, rev, data.sig)) {
      log.warn({ verb, actorId: actor.id }, 'card action refused: bad signature');
      return notice(t.refusals.forged);
    }
    const found = await this.deps.deviations.get(ref);
    if (!found) return notice(fill(t.refusals.not_found, { ref }));
    const { snapshot, ctx } = await viewFor(this.deps, actor.language);
    const { deviation: current, etag } = found;
    const cardFor = (
      d: Deviation,
      text?: string,
      color?: 'Attention' | 'Warning',
      lastEvent?: DeviationEvent,
    ) =>
      renderCard(
        'deviations/handler',
        handlerData(ctx, d, this.deps.signer, {
          viewerId: actor.id,
          notice: text,
          noticeColor: color,
          lastEvent,
        }),
      );

    // The same action arriving again (Teams retries after ~15 s) changes nothing.
    if (current.lastActionId && current.lastActionId === source.actionId) return cardFor(current);
    if (!mayHandle(snapshot.org, current, actor.id)) {
      log.warn({ ref, verb, actorId: actor.id }, 'card action refused: not allowed');
      const text = fill(t.refusals.not_allowed, { ref });
      return mayView(snapshot.org, current, actor.id) ? cardFor(current, text) : notice(text);
    }
    if (rev !== current.rev) return cardFor(current, t.refusals.stale, 'Warning');

    const action = this.toAction(kind, data, snapshot, current, t);
    if ('refusal' in action) return cardFor(current, action.refusal);
    const result = applyDeviationAction(current, action, actor.id, ctx.now, source.actionId);
    if (!result.ok) return cardFor(current, refusalText(result.refusal, t));

    const event: DeviationEvent = { ...result.event, seq: result.deviation.rev };
    try {
      await this.deps.deviations.update(current, result.deviation, etag, event);
    } catch (err) {
      if (!(err instanceof ConcurrentChangeError)) throw err;
      // Another leader won the race: show what they did, change nothing.
      const latest = await this.deps.deviations.get(ref);
      return cardFor(latest?.deviation ?? current, t.refusals.stale, 'Warning');
    }
    log.info(
      { ref, action: kind, actorId: actor.id, rev: result.deviation.rev },
      'deviation changed',
    );
    await this.notifications.afterChange(snapshot, result.deviation, event, source);
    return cardFor(result.deviation, undefined, undefined, event);
  }

  /** Card inputs to a domain action; anything that is not offered on the card is refused. */
  private toAction(
    kind: DeviationActionKind,
    data: Record<string, unknown>,
    snapshot: OrgSnapshot,
    d: Deviation,
    t: Strings,
  ): DeviationAction | { refusal: string } {
    switch (kind) {
      case 'take':
        return { kind };
      case 'assign': {
        const assigneeId = stringIn(data.assigneeId);
        if (!assignableLeaders(snapshot.org, d).some((p) => p.id === assigneeId))
          return { refusal: t.refusals.invalid_assignee };
        return { kind, assigneeId };
      }
      case 'measure': {
        const dueDate = /^\d{4}-\d{2}-\d{2}$/.test(stringIn(data.measureDue))
          ? stringIn(data.measureDue)
          : '';
        return { kind, text: stringIn(data.measureText).slice(0, 2000), dueDate };
      }
      case 'close':
        return {
          kind,
          cause: stringIn(data.cause).slice(0, 2000),
          measures: stringIn(data.closingMeasures).slice(0, 2000),
        };
      case 'reject':
        return { kind, reason: stringIn(data.rejectReason).slice(0, 2000) };
      case 'escalate': {
        const above = leaderAbove(snapshot.org, d.unitId, d.handlerId);
        if (!above) return { refusal: t.refusals.top_of_line };
        return { kind, toId: above.id };
      }
    }
  }
}

function refusalText(r: WorkflowRefusal, t: Strings): string {
  switch (r.code) {
    case 'invalid_transition':
      return fill(t.refusals.invalid_transition, {
        action: t.actions[r.action],
        status: t.statuses[r.status],
      });
    case 'missing_field':
      return fill(t.refusals.missing_field, {
        field: t.fieldNames[r.field as keyof Strings['fieldNames']] ?? r.field,
      });
    case 'same_person':
      return t.refusals.same_person;
  }
}
