import { fill, formatDate, type Language } from '../i18n';
import type { Organisation, Role } from '../org/organisation';
import { COUNCIL, areaById, type GrantStatus, type Recipient, type Register } from './delegation';
import type { Party, Refusal, RefusalCode, RuleNumber } from './delegation-rules';

/**
 * The delegation feature's words in nb and en (kept beside the feature until the wiring moves
 * them into bot/i18n; `en` must have every key `nb` has, the type makes sure). Placeholders are
 * {name}; values are plain text, never evaluated.
 */
const nb = {
  rule: 'Regel {rule} ({name})',
  ruleNames: {
    1: 'kun i linjen',
    2: 'ingen gir mer enn de har',
    3: 'delegeringssperre og kommunestyret selv',
    4: 'ansvaret blir hos den som delegerer',
    5: 'fullmakter faller med det de bygger på',
    6: 'ny enhet eller leder gir gjennomgang',
    7: 'videredelegering rapporteres',
  } satisfies Record<RuleNumber, string>,
  refusals: {
    'not-in-line': '{recipient} står ikke under {delegator} i linjen.',
    'to-self': 'Du kan ikke delegere til deg selv.',
    'unknown-recipient': 'Mottakeren finnes ikke i organisasjonen.',
    'holds-nothing': 'Du har ingen fullmakt for «{area}» å delegere fra.',
    'not-holder': 'Fullmakten {parent} er ikke din.',
    'parent-not-active': 'Fullmakten {parent} er ikke akseptert ennå.',
    'other-area': '{parent} gjelder «{parentArea}», ikke «{area}».',
    'limit-too-high': 'Beløpsgrensen {limit} er høyere enn den du selv har ({max}).',
    'starts-too-early':
      'Fullmakten kan ikke gjelde fra {validFrom}: din egen gjelder fra {earliest}.',
    'starts-too-late':
      'Fullmakten kan ikke begynne {validFrom}: din egen gjelder bare til {latest}.',
    'ends-too-late': 'Fullmakten kan ikke gjelde til {validTo}: din egen gjelder til {latest}.',
    blocked:
      '{parent} er gitt med delegeringssperre («Enhetsleder / stabsleder selv») og kan ikke delegeres videre.',
    'council-only': '«{area}» er lagt til kommunestyret selv og kan ikke delegeres.',
    'parent-ended': 'Fullmakten {parent} som denne bygger på, er {status}.',
    'unknown-area': 'Fullmaktsområdet «{area}» finnes ikke.',
    'unknown-grant': 'Fullmakten {ref} finnes ikke.',
    'bad-limit': 'Beløpsgrensen må være et helt antall kroner, 0 eller mer.',
    'bad-date': 'Datoen i «{field}» er ikke en gyldig dato.',
    'bad-period': '«Gyldig til» ({validTo}) er før «gyldig fra» ({validFrom}).',
    'starts-in-past': 'En fullmakt kan ikke gis bakover i tid ({validFrom}; i dag er {today}).',
    duplicate: 'Mottakeren har allerede denne fullmakten fra deg ({ref}).',
    'wrong-status': 'Fullmakten {ref} er {status}.',
    ended: 'Fullmakten {ref} gjaldt bare til {validTo}.',
    'not-recipient': 'Bare mottakeren kan svare på {ref}.',
    'not-allowed': 'Du kan ikke endre {ref}.',
    'not-under-review': '{ref} venter ikke på gjennomgang.',
  } satisfies Record<RefusalCode, string>,
  fields: { validFrom: 'gyldig fra', validTo: 'gyldig til' },
  statuses: {
    proposed: 'foreslått',
    active: 'aktiv',
    declined: 'avslått',
    revoked: 'trukket tilbake',
    expired: 'utløpt',
  } satisfies Record<GrantStatus, string>,
  roles: {
    rådmann: 'rådmann',
    'assisterende rådmann': 'assisterende rådmann',
    kommunalsjef: 'kommunalsjef',
    enhetsleder: 'enhetsleder',
    stabsleder: 'stabsleder',
    leder: 'leder',
    ansatt: 'ansatt',
    personvernombud: 'personvernombud',
  } satisfies Record<Role, string>,
  council: 'Kommunestyret',
  roleInUnit: '{role}, {unit}',
  vacant: 'ubesatt',
  blocked: '«Enhetsleder / stabsleder selv»',
  noLimit: 'uten beløpsgrense',
  limit: 'inntil {amount}',
  validFrom: 'fra {from}',
  validBetween: '{from}–{to}',
  responsible: 'Ansvarlig: {name}',
  decision: '{body}, sak {caseNumber}, {date}',
  yes: 'Ja, du har fullmakt til «{area}».',
  notYetValid: 'Ikke ennå: fullmakten til «{area}» gjelder fra {from}.',
  no: 'Nei, du har ikke fullmakt til «{area}».',
  ask: 'Spør {name}.',
  askSelf: '{name} har fullmakten med delegeringssperre og må avgjøre saken selv.',
  askCouncil: 'Dette avgjør kommunestyret selv.',
  unknownArea: 'Jeg kjenner ikke det fullmaktsområdet.',
  internalBasis: 'Internt reglement',
  report: {
    title: 'Delegeringsreglement',
    asOf: 'Slik det står {date}',
    political: 'Politisk grunnlag: {decision}.',
    byLaw: 'Etter lov',
    byUnit: 'Etter enhet',
    internal: 'Interne reglement',
    councilOnly: 'Kommunestyret selv: kan ikke delegeres.',
    none: 'Ingen delegeringer.',
    areaLimit: 'Beløpsgrense for området: {amount}.',
    chain: 'Kjede',
    holder: 'Innehaver',
    limit: 'Grense',
    validity: 'Gyldighet',
    responsible: 'Ansvarlig',
    conditions: 'Vilkår',
    reference: 'Ref.',
    lovdata: 'Lovdata',
  },
};

export type DelegationStrings = typeof nb;

const en: DelegationStrings = {
  rule: 'Rule {rule} ({name})',
  ruleNames: {
    1: 'only in the line',
    2: 'nobody gives more than they hold',
    3: 'block on further delegation and council only',
    4: 'responsibility stays with the delegator',
    5: 'grants fall with what they derive from',
    6: 'a new unit or leader means a review',
    7: 'onward delegation is reported',
  },
  refusals: {
    'not-in-line': '{recipient} is not below {delegator} in the line.',
    'to-self': 'You cannot delegate to yourself.',
    'unknown-recipient': 'The recipient is not in the organisation.',
    'holds-nothing': 'You hold no authority for “{area}” to delegate from.',
    'not-holder': 'Grant {parent} is not yours.',
    'parent-not-active': 'Grant {parent} has not been accepted yet.',
    'other-area': '{parent} is for “{parentArea}”, not “{area}”.',
    'limit-too-high': 'The limit {limit} is higher than your own ({max}).',
    'starts-too-early': 'The grant cannot start on {validFrom}: yours starts on {earliest}.',
    'starts-too-late': 'The grant cannot start on {validFrom}: yours ends on {latest}.',
    'ends-too-late': 'The grant cannot last until {validTo}: yours ends on {latest}.',
    blocked:
      '{parent} was given with a block on further delegation (“unit or staff leader in person”) and cannot be passed on.',
    'council-only': '“{area}” is reserved to the municipal council and cannot be delegated.',
    'parent-ended': 'Grant {parent}, which this one derives from, is {status}.',
    'unknown-area': 'There is no authority area “{area}”.',
    'unknown-grant': 'There is no grant {ref}.',
    'bad-limit': 'The limit must be a whole number of kroner, 0 or more.',
    'bad-date': 'The date in “{field}” is not a valid date.',
    'bad-period': '“Valid to” ({validTo}) is before “valid from” ({validFrom}).',
    'starts-in-past':
      'Authority cannot be given backwards in time ({validFrom}; today is {today}).',
    duplicate: 'The recipient already has this grant from you ({ref}).',
    'wrong-status': 'Grant {ref} is {status}.',
    ended: 'Grant {ref} was valid only until {validTo}.',
    'not-recipient': 'Only the recipient can answer {ref}.',
    'not-allowed': 'You cannot change {ref}.',
    'not-under-review': '{ref} is not waiting for a review.',
  },
  fields: { validFrom: 'valid from', validTo: 'valid to' },
  statuses: {
    proposed: 'proposed',
    active: 'active',
    declined: 'declined',
    revoked: 'withdrawn',
    expired: 'expired',
  },
  roles: {
    rådmann: 'chief executive',
    'assisterende rådmann': 'deputy chief executive',
    kommunalsjef: 'director',
    enhetsleder: 'unit leader',
    stabsleder: 'staff leader',
    leder: 'leader',
    ansatt: 'employee',
    personvernombud: 'data protection officer',
  },
  council: 'The municipal council',
  roleInUnit: '{role}, {unit}',
  vacant: 'vacant',
  blocked: '“unit or staff leader in person” (no further delegation)',
  noLimit: 'no limit',
  limit: 'up to {amount}',
  validFrom: 'from {from}',
  validBetween: '{from}–{to}',
  responsible: 'Responsible: {name}',
  decision: '{body}, case {caseNumber}, {date}',
  yes: 'Yes, you have authority for “{area}”.',
  notYetValid: 'Not yet: your authority for “{area}” starts on {from}.',
  no: 'No, you do not have authority for “{area}”.',
  ask: 'Ask {name}.',
  askSelf: '{name} holds it with a block on further delegation and must decide in person.',
  askCouncil: 'The municipal council decides this itself.',
  unknownArea: 'I do not know that authority area.',
  internalBasis: 'Internal rules',
  report: {
    title: 'Delegation rules',
    asOf: 'As they stood on {date}',
    political: 'Political basis: {decision}.',
    byLaw: 'By law',
    byUnit: 'By unit',
    internal: 'Internal rules',
    councilOnly: 'Council only: cannot be delegated.',
    none: 'No delegations.',
    areaLimit: 'Limit for the area: {amount}.',
    chain: 'Chain',
    holder: 'Holder',
    limit: 'Limit',
    validity: 'Validity',
    responsible: 'Responsible',
    conditions: 'Conditions',
    reference: 'Ref.',
    lovdata: 'Lovdata',
  },
};

export const DELEGATION_TEXTS: Readonly<Record<Language, DelegationStrings>> = { nb, en };

export function delegationTexts(language: Language): DelegationStrings {
  return DELEGATION_TEXTS[language];
}

const amountFormats = {
  nb: new Intl.NumberFormat('nb-NO', { maximumFractionDigits: 0 }),
  en: new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 }),
};

/** 1 300 000 kr / NOK 1,300,000 (non-breaking spaces in nb, as Intl writes them). */
export function formatAmount(nok: number, language: Language): string {
  const n = amountFormats[language].format(nok);
  return language === 'nb' ? `${n} kr` : `NOK ${n}`;
}

/** What the texts need to name people, units and areas; each is optional. */
export interface NameContext {
  org?: Organisation;
  register?: Pick<Register, 'areas' | 'political'>;
}

export function personName(id: string, ctx: NameContext, language: Language): string {
  if (id === COUNCIL) return DELEGATION_TEXTS[language].council;
  return ctx.org?.people.get(id)?.name ?? id;
}

export function unitName(id: string, ctx: NameContext): string {
  return ctx.org?.units.get(id)?.name ?? id;
}

export function areaName(id: string, ctx: NameContext, language: Language): string {
  return (ctx.register && areaById(ctx.register, id)?.name[language]) ?? id;
}

/** "enhetsleder, Sentrum barnehage" or the person's name. */
export function recipientName(to: Recipient, ctx: NameContext, language: Language): string {
  const t = DELEGATION_TEXTS[language];
  if (to.kind === 'person') return personName(to.id, ctx, language);
  return fill(t.roleInUnit, { role: t.roles[to.role], unit: unitName(to.unitId, ctx) });
}

/** "enhetsleder, Sentrum barnehage (Ingrid Haugen)"; the council by its body. */
export function partyName(party: Party, ctx: NameContext, language: Language): string {
  const t = DELEGATION_TEXTS[language];
  if (party.kind === 'council') return party.body;
  if (party.kind === 'person') return personName(party.id, ctx, language);
  const role = recipientName(party, ctx, language);
  const holders = party.holderIds.map((id) => personName(id, ctx, language));
  return `${role} (${holders.length > 0 ? holders.join(', ') : t.vacant})`;
}

function date(value: string, language: Language): string {
  return formatDate(value, language);
}

/** A refusal as one sentence, prefixed with its rule: "Regel 2 (…): Beløpsgrensen …". */
export function refusalText(refusal: Refusal, language: Language, ctx: NameContext = {}): string {
  const t = DELEGATION_TEXTS[language];
  const r = refusal;
  let values: Record<string, string | number> = {};
  switch (r.code) {
    case 'not-in-line':
      values = {
        recipient: recipientName(r.to, ctx, language),
        delegator: personName(r.delegatorId, ctx, language),
      };
      break;
    case 'holds-nothing':
    case 'council-only':
    case 'unknown-area':
      values = { area: areaName(r.areaId, ctx, language) };
      break;
    case 'not-holder':
    case 'parent-not-active':
    case 'blocked':
      values = { parent: r.parentRef };
      break;
    case 'other-area':
      values = {
        parent: r.parentRef,
        area: areaName(r.areaId, ctx, language),
        parentArea: areaName(r.parentAreaId, ctx, language),
      };
      break;
    case 'limit-too-high':
      values = {
        limit: formatAmount(r.limitNok, language),
        max: formatAmount(r.maxNok, language),
      };
      break;
    case 'starts-too-early':
      values = { validFrom: date(r.validFrom, language), earliest: date(r.earliest, language) };
      break;
    case 'starts-too-late':
      values = { validFrom: date(r.validFrom, language), latest: date(r.latest, language) };
      break;
    case 'ends-too-late':
      values = { validTo: date(r.validTo, language), latest: date(r.latest, language) };
      break;
    case 'parent-ended':
      values = { parent: r.parentRef, status: t.statuses[r.status] };
      break;
    case 'bad-date':
      values = { field: t.fields[r.field] };
      break;
    case 'bad-period':
      values = { validFrom: date(r.validFrom, language), validTo: date(r.validTo, language) };
      break;
    case 'starts-in-past':
      values = { validFrom: date(r.validFrom, language), today: date(r.today, language) };
      break;
    case 'wrong-status':
      values = { ref: r.ref, status: t.statuses[r.status] };
      break;
    case 'ended':
      values = { ref: r.ref, validTo: date(r.validTo, language) };
      break;
    case 'unknown-grant':
    case 'duplicate':
    case 'not-recipient':
    case 'not-allowed':
    case 'not-under-review':
      values = { ref: r.ref };
      break;
    case 'to-self':
    case 'unknown-recipient':
    case 'bad-limit':
      break;
  }
  const sentence = fill(t.refusals[r.code], values);
  return r.rule
    ? `${fill(t.rule, { rule: r.rule, name: t.ruleNames[r.rule] })}: ${sentence}`
    : sentence;
}
