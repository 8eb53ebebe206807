import type { Language } from '../i18n';
import { CardActionPipeline, type AccessRule, type CardActionFeature } from '../kernel/card-action';
import { stringIn } from '../kernel/card-data';
import type { Grant, GrantEvent, Register } from './delegation';
import { afterGrantChange, afterRequestChange } from './delegation-messages';
import { decideRequest, requestCard } from './delegation-requests';
import {
  acceptGrant,
  declineGrant,
  isBelow,
  isHolder,
  keepGrant,
  revokeGrant,
  type ActInput,
} from './delegation-rules';
import { refusalText } from './delegation-texts';
import {
  delegationScene,
  grantCard,
  GRANT_KIND,
  GRANT_VERBS,
  namesOf,
  REQUEST_KIND,
  REQUEST_VERBS,
  type DelegationScene,
} from './delegation-views';
import type { ConfirmationRequest, DelegationDeps, RequestEvent } from './ports';

/** Reads the organisation (cached) and the register once, for one use case. */
export async function readDelegationScene(
  deps: Pick<DelegationDeps, 'org' | 'register' | 'clock'>,
  language: Language,
): Promise<DelegationScene> {
  const [{ org }, register] = await Promise.all([deps.org.snapshot(), deps.register.read()]);
  return delegationScene(org, register, language, deps.clock.now());
}

/** The register with the grant as the pipeline read it (its record is newer than any index row). */
export function withGrant(register: Register, grant: Grant): Register {
  const others = register.grants.filter((g) => g.ref !== grant.ref);
  return { ...register, grants: [...others, grant] };
}

const RULES = {
  [GRANT_VERBS.accept]: acceptGrant,
  [GRANT_VERBS.decline]: declineGrant,
  [GRANT_VERBS.revoke]: revokeGrant,
  [GRANT_VERBS.keep]: keepGrant,
} as const;

/**
 * The recipient answers; the delegator and the line above withdraw (rule 4: they stay
 * responsible); while a grant is under review, the holder's old and new leaders keep or
 * withdraw it (rule 6). Which of them may do what is the rules' to say (refusals name why).
 */
const mayActOnGrant: AccessRule<Grant> = ({ org, record, actorId }) =>
  isHolder(org, record, actorId) ||
  record.fromId === actorId ||
  isBelow(org, actorId, record.to) ||
  record.review?.oldLeaderId === actorId ||
  record.review?.newLeaderId === actorId;

/**
 * Accept, decline and withdraw from the grant card and "mine fullmakter", through the kernel's
 * pipeline: signature, repeat, access, revision, the rules, etag write with its messages.
 */
export function grantActions(deps: DelegationDeps) {
  const feature: CardActionFeature<Grant, GrantEvent, DelegationScene> = {
    kind: GRANT_KIND,
    verbs: Object.values(GRANT_VERBS),
    records: deps.grants,
    scene: (actor) => readDelegationScene(deps, actor.language),
    mayAct: mayActOnGrant,
    mayView: (q) => mayActOnGrant(q) || q.record.createdBy === q.actorId,
    decide: ({ verb, scene, record, data, actor, actionId }) => {
      const input: ActInput = {
        register: withGrant(scene.register, record),
        org: scene.org,
        ref: record.ref,
        actorId: actor.id,
        now: scene.now,
        note: stringIn(data.note),
        actionId,
      };
      const result = RULES[verb as keyof typeof RULES](input);
      if (!result.ok)
        return {
          ok: false,
          refusal: result.refusals
            .map((r) => refusalText(r, scene.language, namesOf(scene)))
            .join('\n\n'),
        };
      return { ok: true, record: result.change.after, event: result.change.event };
    },
    card: (scene, record, viewer, shown) =>
      grantCard(
        { ...scene, register: withGrant(scene.register, record) },
        record,
        viewer.id,
        deps.signer,
        {
          notice: shown.notice,
          noticeColor: shown.noticeColor,
        },
      ),
    messagesFor: (scene, _before, after, event, source) =>
      afterGrantChange(scene.org, after, event, scene.now, deps.settings.reportRole, source),
  };
  return new CardActionPipeline(feature, deps.signer);
}

/** "Bekreft" and "Avslå" on a request: only the leader it was sent to decides. */
export function requestActions(deps: DelegationDeps) {
  const isLeader: AccessRule<ConfirmationRequest> = ({ record, actorId }) =>
    record.leaderId === actorId;
  const feature: CardActionFeature<ConfirmationRequest, RequestEvent, DelegationScene> = {
    kind: REQUEST_KIND,
    verbs: Object.values(REQUEST_VERBS),
    records: deps.requests,
    scene: (actor) => readDelegationScene(deps, actor.language),
    mayAct: isLeader,
    mayView: (q) => isLeader(q) || q.record.requesterId === q.actorId,
    decide: ({ verb, scene, record, data, actor, actionId }) =>
      decideRequest({ verb, scene, record, data, actorId: actor.id, actionId }),
    card: (scene, record, viewer, shown) =>
      requestCard(scene, record, viewer.id, deps.signer, {
        notice: shown.notice,
        noticeColor: shown.noticeColor,
      }),
    messagesFor: (scene, _before, after, event, source) =>
      afterRequestChange(after, event, scene.now, source),
  };
  return new CardActionPipeline(feature, deps.signer);
}
