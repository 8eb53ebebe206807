import { fill } from '../i18n';
import type { Decision } from '../kernel/card-action';
import type { CardSigner } from '../kernel/card-signing';
import { stringIn } from '../kernel/card-data';
import { asShownText, renderCard, type Card } from '../kernel/card-templates';
import { cardTexts } from './delegation-card-texts';
import { parseLimit } from './delegation-form';
import { limitText, validity } from './delegation-report';
import { checkDraft, cleanText, leaderOf, NOTE_MAX, type GrantDraft } from './delegation-rules';
import { delegationTexts, personName, refusalText } from './delegation-texts';
import {
  areaLabel,
  namesOf,
  REQUEST_KIND,
  REQUEST_VERBS,
  type DelegationScene,
} from './delegation-views';
import type { ConfirmationRequest, RequestEvent } from './ports';

/**
 * "Bekreft fullmakt" (pure): the employee's request form and card, and what the leader's
 * "Bekreft" (with limit and validity, checked against rules 1–3 as a delegation would be) and
 * "Avslå" (with a reason) do to the request. A confirmed request becomes a grant by a job.
 */
export const MATTER_MAX = 500;

/** The areas anyone above may confirm: every area not reserved to the council. */
export function requestFormCard(
  scene: DelegationScene,
  requesterId: string,
  formId: string,
  values: { areaId?: string; matter?: string } = {},
  errors: string[] = [],
): Card {
  const t = cardTexts(scene.language);
  const leader = leaderOf(scene.org, requesterId);
  const name = leader?.name ?? '';
  return renderCard('delegations/request-form', {
    t,
    intro: leader ? fill(t.requestIntro, { leader: name }) : t.requestNoLeader,
    sendTitle: fill(t.sendRequest, { leader: name }),
    formId,
    errors: errors.map((text) => ({ text })),
    areas: scene.register.areas
      .filter((a) => !a.councilOnly)
      .map((a) => ({ title: a.name[scene.language], value: a.id })),
    values: { areaId: values.areaId ?? '', matter: values.matter ?? '' },
  });
}

export function requestCard(
  scene: DelegationScene,
  request: ConfirmationRequest,
  viewerId: string,
  signer: CardSigner,
  shown: { notice?: string; noticeColor?: string } = {},
): Card {
  const t = cardTexts(scene.language);
  const names = namesOf(scene);
  const leader = personName(request.leaderId, names, scene.language);
  const facts = [
    { title: t.requestFrom, value: personName(request.requesterId, names, scene.language) },
    { title: t.requestLeader, value: leader },
    ...(request.matter ? [{ title: t.requestMatter, value: asShownText(request.matter) }] : []),
  ];
  if (request.status === 'confirmed' && request.validFrom)
    facts.push(
      { title: t.limit, value: limitText(request.limitNok, scene.language) },
      {
        title: t.validity,
        value: validity({ validFrom: request.validFrom, validTo: request.validTo }, scene.language),
      },
    );
  if (request.reason) facts.push({ title: t.reason, value: asShownText(request.reason) });
  const canDecide = request.status === 'open' && request.leaderId === viewerId;
  const headlines = {
    open: [
      canDecide
        ? fill(t.requestAsked, { name: personName(request.requesterId, names, scene.language) })
        : fill(t.requestOpen, { leader }),
      'Default',
    ],
    confirmed: [t.requestConfirmed, 'Good'],
    refused: [t.requestRefused, 'Attention'],
  } as const;
  const [headline, headlineColor] = headlines[request.status];
  return renderCard('delegations/request', {
    t,
    headline,
    headlineColor,
    title: fill(t.requestCardTitle, { ref: request.ref, area: areaLabel(scene, request.areaId) }),
    facts,
    notice: shown.notice ?? '',
    noticeColor: shown.noticeColor ?? 'Attention',
    canDecide,
    ref: request.ref,
    rev: request.rev,
    sig: signer.signAll(REQUEST_KIND, request.ref, request.rev, Object.values(REQUEST_VERBS)),
  });
}

/** The grant a confirmation makes: from the leader to the requester, on the leader's terms. */
export function confirmationDraft(
  request: ConfirmationRequest,
  terms: Pick<GrantDraft, 'limitNok' | 'validFrom' | 'validTo'>,
): GrantDraft {
  return {
    areaId: request.areaId,
    to: { kind: 'person', id: request.requesterId },
    ...(terms.limitNok !== undefined ? { limitNok: terms.limitNok } : {}),
    ...(terms.validFrom ? { validFrom: terms.validFrom } : {}),
    ...(terms.validTo ? { validTo: terms.validTo } : {}),
  };
}

/** "Bekreft" or "Avslå" from the leader's card. */
export function decideRequest(input: {
  verb: string;
  scene: DelegationScene;
  record: ConfirmationRequest;
  data: Record<string, unknown>;
  actorId: string;
  actionId: string;
}): Decision<ConfirmationRequest, RequestEvent> {
  const { scene, record, data, actorId } = input;
  const t = cardTexts(scene.language);
  const d = delegationTexts(scene.language);
  if (record.status !== 'open')
    return {
      ok: false,
      refusal: fill(d.refusals['wrong-status'], { ref: record.ref, status: record.status }),
    };
  const at = scene.now.toISOString();
  const base = { ...record, rev: record.rev + 1, lastActionId: input.actionId, decidedAt: at };
  const event = { ref: record.ref, at, actorId, fromStatus: record.status };
  if (input.verb === REQUEST_VERBS.refuse) {
    const reason = cleanText(data.reason, NOTE_MAX);
    if (!reason) return { ok: false, refusal: t.reasonRequired };
    return {
      ok: true,
      record: { ...base, status: 'refused', reason },
      event: { ...event, kind: 'refused', toStatus: 'refused', note: reason },
    };
  }
  const limitNok = parseLimit(stringIn(data.limitNok));
  if (limitNok !== undefined && Number.isNaN(limitNok))
    return { ok: false, refusal: t.badLimitText };
  const draft = confirmationDraft(record, {
    limitNok,
    validFrom: stringIn(data.validFrom) || undefined,
    validTo: stringIn(data.validTo) || undefined,
  });
  const checked = checkDraft(scene.register, scene.org, actorId, draft, scene.now);
  if (!checked.ok)
    return {
      ok: false,
      refusal: checked.refusals
        .map((r) => refusalText(r, scene.language, namesOf(scene)))
        .join('\n\n'),
    };
  const { terms } = checked;
  return {
    ok: true,
    record: {
      ...base,
      status: 'confirmed',
      ...(terms.limitNok !== undefined ? { limitNok: terms.limitNok } : {}),
      validFrom: terms.validFrom,
      ...(terms.validTo !== undefined ? { validTo: terms.validTo } : {}),
    },
    event: { ...event, kind: 'confirmed', toStatus: 'confirmed', targetId: record.requesterId },
  };
}
