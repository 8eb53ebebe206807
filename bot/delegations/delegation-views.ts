import { fill, formatDate, type Language } from '../i18n';
import type { ActionScene } from '../kernel/card-action';
import type { CardSigner } from '../kernel/card-signing';
import { asShownText, renderCard, type Card } from '../kernel/card-templates';
import type { Organisation } from '../org/organisation';
import { areaById, type AuthorityArea, type Grant, type Register } from './delegation';
import { cardTexts } from './delegation-card-texts';
import { limitText, validity } from './delegation-report';
import { dayOf, isHolder, mayRevoke, type ChainAnswer, type ChainStep } from './delegation-rules';
import {
  delegationTexts,
  partyName,
  personName,
  recipientName,
  unitName,
  type NameContext,
} from './delegation-texts';

/** What the delegation cards see, read once per use case: organisation, register, language, now. */
export interface DelegationScene extends ActionScene {
  register: Register;
  today: string;
}

export function delegationScene(
  org: Organisation,
  register: Register,
  language: Language,
  now: Date,
): DelegationScene {
  return { org, register, language, now, today: dayOf(now) };
}

export const GRANT_KIND = 'delegation';
export const GRANT_VERBS = {
  accept: 'delegation.accept',
  decline: 'delegation.decline',
  revoke: 'delegation.revoke',
  /** Rule 6: the holder's old or new leader keeps a grant flagged after an org import. */
  keep: 'delegation.keep',
} as const;
export const REQUEST_KIND = 'delegation-request';
export const REQUEST_VERBS = {
  confirm: 'delegation-request.confirm',
  refuse: 'delegation-request.refuse',
} as const;

type Fact = { title: string; value: string };

export const namesOf = (scene: DelegationScene): NameContext => ({
  org: scene.org,
  register: scene.register,
});

export function areaLabel(scene: DelegationScene, areaId: string): string {
  return areaById(scene.register, areaId)?.name[scene.language] ?? areaId;
}

/** "kommuneloven § 13-1 sjuende ledd", or the internal rule book. */
export function basisText(area: AuthorityArea, language: Language): string {
  const b = area.basis;
  if (b.kind === 'internal') return `${delegationTexts(language).internalBasis}: ${b.text}`;
  return [b.law, b.section, b.ledd].filter(Boolean).join(' ');
}

function stepFacts(scene: DelegationScene, step: ChainStep): Fact[] {
  const t = cardTexts(scene.language);
  const d = delegationTexts(scene.language);
  const names = namesOf(scene);
  const facts: Fact[] = [];
  if (step.politicalBasis)
    facts.push({
      title: t.decision,
      value: fill(d.decision, {
        body: step.politicalBasis.body,
        caseNumber: step.politicalBasis.caseNumber,
        date: formatDate(step.politicalBasis.date, scene.language),
      }),
    });
  if (step.level === 0) return facts;
  if (step.delegatedBy)
    facts.push({ title: t.from, value: partyName(step.delegatedBy, names, scene.language) });
  if (step.responsible)
    facts.push({
      title: d.responsible.replace(/:.*$/, ''),
      value: partyName(step.responsible, names, scene.language),
    });
  facts.push({ title: t.limit, value: limitText(step.limitNok, scene.language) });
  if (step.validFrom)
    facts.push({
      title: t.validity,
      value: validity({ validFrom: step.validFrom, validTo: step.validTo }, scene.language),
    });
  if (step.conditions) facts.push({ title: t.conditions, value: asShownText(step.conditions) });
  if (step.blocked) facts.push({ title: t.conditions, value: d.blocked });
  return facts;
}

function stepsData(scene: DelegationScene, steps: ChainStep[] | undefined) {
  return (steps ?? []).map((s) => ({
    heading:
      s.level === 0
        ? partyName(s.holder, namesOf(scene), scene.language)
        : `${s.level}. ${partyName(s.holder, namesOf(scene), scene.language)}${s.ref ? ` (${s.ref})` : ''}`,
    facts: stepFacts(scene, s),
  }));
}

/** "Har jeg fullmakt til …?": yes with the chain, or no with whom to ask and why. */
export function chainCard(scene: DelegationScene, answer: ChainAnswer, headline = ''): Card {
  const t = cardTexts(scene.language);
  const d = delegationTexts(scene.language);
  const area = answer.area;
  const areaName = area?.name[scene.language] ?? '';
  const facts: Fact[] = area ? [{ title: t.basis, value: basisText(area, scene.language) }] : [];
  let text: string;
  let ask = '';
  let note = '';
  let steps: ChainStep[] | undefined;
  if (answer.answer === 'yes') {
    text = fill(d.yes, { area: areaName });
    facts.push({ title: t.limit, value: limitText(answer.limitNok, scene.language) });
    facts.push({ title: t.validity, value: validity(answer.grant, scene.language) });
    steps = answer.steps;
    note = answer.mayDelegate ? t.mayDelegate : t.mayNotDelegate;
  } else {
    text =
      answer.reason === 'not-yet-valid' && answer.grant
        ? fill(d.notYetValid, {
            area: areaName,
            from: formatDate(answer.grant.validFrom, scene.language),
          })
        : fill(d.no, { area: areaName });
    if (answer.ask?.kind === 'council') ask = d.askCouncil;
    else if (answer.ask) {
      const name = partyName(answer.ask, namesOf(scene), scene.language);
      ask = answer.askMayDelegate ? fill(d.ask, { name }) : fill(d.askSelf, { name });
      note = answer.askSteps ? fill(t.askChain, { name }) : '';
    }
    steps = answer.askSteps;
  }
  const url = area?.basis.kind === 'law' ? area.basis.url : '';
  return renderCard('delegations/chain', {
    title: fill(t.chainTitle, { area: areaName }),
    answer: headline || text,
    answerColor: answer.answer === 'yes' ? 'Good' : 'Attention',
    ask,
    facts,
    chainHeading: answer.answer === 'yes' ? t.chainHeading : note,
    steps: stepsData(scene, steps),
    note: answer.answer === 'yes' ? note : '',
    lovdataTitle: t.lovdata,
    lovdataUrl: url,
  });
}

/** Several areas fit the text (or none): the choices as buttons. */
export function choicesCard(
  scene: DelegationScene,
  text: string,
  choices: { id: string; name: string }[],
  kind: 'ambiguous' | 'unknown',
): Card {
  const t = cardTexts(scene.language);
  const shown = text.slice(0, 60);
  return renderCard('delegations/choices', {
    title: kind === 'ambiguous' ? t.ambiguousTitle : delegationTexts(scene.language).unknownArea,
    intro: fill(kind === 'ambiguous' ? t.ambiguousIntro : t.unknownIntro, { text: shown }),
    choices,
    hint: kind === 'unknown' ? t.askHint : '',
  });
}

const HEADLINES = {
  active: ['acceptedHeadline', 'Good'],
  declined: ['declinedHeadline', 'Attention'],
  revoked: ['revokedHeadline', 'Attention'],
  expired: ['expiredHeadline', 'Warning'],
} as const;

export interface GrantShown {
  notice?: string;
  noticeColor?: string;
}

export function grantFacts(scene: DelegationScene, grant: Grant): Fact[] {
  const t = cardTexts(scene.language);
  const d = delegationTexts(scene.language);
  const names = namesOf(scene);
  const facts: Fact[] = [
    { title: t.from, value: personName(grant.fromId, names, scene.language) },
    { title: t.to, value: recipientName(grant.to, names, scene.language) },
    { title: t.level, value: String(grant.level) },
    { title: t.limit, value: limitText(grant.limitNok, scene.language) },
    { title: t.validity, value: validity(grant, scene.language) },
    { title: t.status, value: d.statuses[grant.status] },
  ];
  if (grant.blocked) facts.push({ title: t.conditions, value: d.blocked });
  if (grant.conditions) facts.push({ title: t.conditions, value: asShownText(grant.conditions) });
  const note = grant.decision?.note ?? grant.end?.reason;
  if (note) facts.push({ title: t.comment, value: asShownText(note) });
  return facts;
}

/** Rule 6: why a flagged grant waits for its holder's old or new leader. */
function reviewHeadline(scene: DelegationScene, grant: Grant): string {
  const review = grant.review;
  if (!review) return '';
  const t = cardTexts(scene.language);
  const names = namesOf(scene);
  const name = personName(review.personId, names, scene.language);
  if (!review.newUnitId) return fill(t.reviewLeft, { name });
  const unit = (id?: string) => (id ? unitName(id, names) : '');
  return fill(t.reviewHeadline, {
    name,
    from: unit(review.oldUnitId),
    to: unit(review.newUnitId),
  });
}

/**
 * A grant as this viewer sees it: the recipient may answer a proposal; the line may withdraw;
 * while it is flagged for review (rule 6), the holder's old and new leaders may also keep it.
 */
export function grantCard(
  scene: DelegationScene,
  grant: Grant,
  viewerId: string,
  signer: CardSigner,
  shown: GrantShown = {},
): Card {
  const t = cardTexts(scene.language);
  const canAnswer = grant.status === 'proposed' && isHolder(scene.org, grant, viewerId);
  const canWithdraw =
    (grant.status === 'active' || grant.status === 'proposed') &&
    mayRevoke(scene.register, scene.org, grant, viewerId);
  const canKeep = canWithdraw && grant.review !== undefined;
  let headline = '';
  let headlineColor = 'Default';
  if (grant.review) {
    headline = reviewHeadline(scene, grant);
    headlineColor = 'Warning';
  } else if (grant.status === 'proposed') {
    const recipient = recipientName(grant.to, namesOf(scene), scene.language);
    const from = personName(grant.fromId, namesOf(scene), scene.language);
    headline = canAnswer
      ? fill(t.offerHeadline, { name: from })
      : fill(t.proposedHeadline, { name: recipient });
  } else {
    const [key, color] = HEADLINES[grant.status];
    headline = t[key];
    headlineColor = color;
  }
  return renderCard('delegations/grant', {
    t,
    headline,
    headlineColor,
    title: fill(t.grantTitle, { ref: grant.ref, area: areaLabel(scene, grant.areaId) }),
    facts: grantFacts(scene, grant),
    notice: shown.notice ?? '',
    noticeColor: shown.noticeColor ?? 'Attention',
    canAnswer,
    canWithdraw,
    canKeep,
    ref: grant.ref,
    rev: grant.rev,
    sig: signer.signAll(GRANT_KIND, grant.ref, grant.rev, Object.values(GRANT_VERBS)),
  });
}

/** "Mine fullmakter": what I hold and what I delegated, each with a withdraw button where I may. */
export function mineCard(scene: DelegationScene, viewerId: string, signer: CardSigner): Card {
  const t = cardTexts(scene.language);
  const d = delegationTexts(scene.language);
  const live = scene.register.grants.filter(
    (g) => g.status === 'active' || g.status === 'proposed',
  );
  const row = (g: Grant) => ({
    text: fill(t.mineRow, {
      ref: g.ref,
      area: areaLabel(scene, g.areaId),
      status: d.statuses[g.status],
    }),
    detail: [
      `${personName(g.fromId, namesOf(scene), scene.language)} → ${recipientName(g.to, namesOf(scene), scene.language)}`,
      limitText(g.limitNok, scene.language),
      validity(g, scene.language),
      ...(g.blocked ? [d.blocked] : []),
    ].join(' · '),
    canWithdraw: mayRevoke(scene.register, scene.org, g, viewerId),
    withdrawTitle: t.withdraw,
    ref: g.ref,
    rev: g.rev,
    sig: signer.sign({ kind: GRANT_KIND, id: g.ref, rev: g.rev, verb: GRANT_VERBS.revoke }),
  });
  const held = live.filter((g) => isHolder(scene.org, g, viewerId)).map(row);
  const delegated = live.filter((g) => g.fromId === viewerId).map(row);
  return renderCard('delegations/mine', {
    title: t.mineTitle,
    sections: [
      { heading: t.mineHeld, empty: held.length ? '' : t.mineNone, rows: held },
      { heading: t.mineDelegated, empty: delegated.length ? '' : t.mineNone, rows: delegated },
    ],
  });
}
