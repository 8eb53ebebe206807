import { isRealDate } from '../time/calendar-date';
import { fill, strings, type Strings } from '../i18n';
import type { Actor } from '../kernel/actor';
import type { CardActionFeature, Decision } from '../kernel/card-action';
import { stringIn } from '../kernel/card-data';
import { renderCard } from '../kernel/card-templates';
import { leaderAbove, type Organisation } from '../org/organisation';
import {
  DEVIATION_ACTION_VERBS,
  DEVIATION_KIND,
  type Deviation,
  type DeviationAction,
  type DeviationActionKind,
  type DeviationEvent,
} from './deviation';
import { assignableLeaders, mayHandle, mayView } from './deviation-access';
import { afterChange } from './deviation-messages';
import { readScene } from './deviation-scene';
import { handlerData, type ViewContext } from './deviation-views';
import { applyDeviationAction, type WorkflowRefusal } from './deviation-workflow';
import type { DeviationDeps } from './ports';

/**
 * The handler card's verbs (take, assign, measure, close, reject, escalate) plugged into the
 * kernel's card-action pipeline: what each verb reads from the card, who may press it, and
 * who hears of it. Signature, repeats, revision and etag are the pipeline's job.
 */
export function deviationActions(
  deps: DeviationDeps,
): CardActionFeature<Deviation, DeviationEvent, ViewContext> {
  return {
    kind: DEVIATION_KIND,
    verbs: DEVIATION_ACTION_VERBS,
    records: deps.records,
    scene: (actor) => readScene(deps, actor.language),
    mayAct: ({ org, record, actorId }) => mayHandle(org, record, actorId),
    mayView: ({ org, record, actorId }) => mayView(org, record, actorId),
    decide: ({ verb, scene, record, data, actor, actionId }) =>
      decide(verb, scene.org, record, data, actor, scene.now, actionId),
    card: (scene, record, viewer, shown) =>
      renderCard(
        'deviations/handler',
        handlerData(scene, record, deps.signer, { viewerId: viewer.id, ...shown }),
      ),
    messagesFor: (scene, before, after, event) => afterChange(before, after, event, scene.now),
  };
}

function decide(
  verb: string,
  org: Organisation,
  current: Deviation,
  data: Record<string, unknown>,
  actor: Actor,
  now: Date,
  actionId: string,
): Decision<Deviation, DeviationEvent> {
  const text = strings(actor.language);
  const action = toAction(
    verb.slice(`${DEVIATION_KIND}.`.length) as DeviationActionKind,
    data,
    org,
    current,
    text,
  );
  if ('refusal' in action) return { ok: false, refusal: action.refusal };
  const result = applyDeviationAction(current, action, actor.id, now, actionId);
  if (!result.ok) return { ok: false, refusal: refusalText(result.refusal, text) };
  return { ok: true, record: result.deviation, event: result.event };
}

/** Card inputs to a domain action; anything that is not offered on the card is refused. */
function toAction(
  kind: DeviationActionKind,
  data: Record<string, unknown>,
  org: Organisation,
  d: Deviation,
  text: Strings,
): DeviationAction | { refusal: string } {
  switch (kind) {
    case 'take':
      return { kind };
    case 'assign': {
      const assigneeId = stringIn(data.assigneeId);
      if (!assignableLeaders(org, d).some((p) => p.id === assigneeId))
        return { refusal: text.refusals.invalid_assignee };
      return { kind, assigneeId };
    }
    case 'measure': {
      // A date the calendar has (2027-13-45 has the shape but is none): else it is missing.
      const due = stringIn(data.measureDue);
      const dueDate = isRealDate(due) ? due : '';
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
      const above = leaderAbove(org, d.unitId, d.handlerId);
      if (!above) return { refusal: text.refusals.top_of_line };
      return { kind, toId: above.id };
    }
    case 'notifyDpa':
      return { kind };
  }
}

function refusalText(refusal: WorkflowRefusal, text: Strings): string {
  switch (refusal.code) {
    case 'invalid_transition':
      return fill(text.refusals.invalid_transition, {
        action: text.actions[refusal.action],
        status: text.statuses[refusal.status],
      });
    case 'missing_field':
      return fill(text.refusals.missing_field, {
        field: text.fieldNames[refusal.field as keyof Strings['fieldNames']] ?? refusal.field,
      });
    case 'same_person':
      return text.refusals.same_person;
  }
}
