import { isRealDate } from '../time/calendar-date';
import {
  isInLineAbove,
  leadersUpTheLine,
  peopleWithRole,
  type Organisation,
  type Person,
  type Role,
} from '../org/organisation';
import { osloDateOf, osloTime } from '../time/working-time';
import {
  COUNCIL,
  DEFAULT_REPORT_ROLE,
  ENDED_STATUSES,
  MAX_LIMIT_NOK,
  applyChange,
  areaById,
  grantByRef,
  type AuthorityArea,
  type AuthorityBasis,
  type Grant,
  type GrantChange,
  type GrantEvent,
  type GrantEventKind,
  type GrantOrigin,
  type GrantReview,
  type GrantStatus,
  type PoliticalBasis,
  type Recipient,
  type Register,
} from './delegation';

export { matchArea, fold, type AreaMatch } from './area-match';

/**
 * The rules of delegation (section 3.1 of Styring og ledelse; docs/delegations.md), as pure
 * functions of the register, the organisation, the actor and the time:
 *
 * 1. only in the line: the recipient is below the delegator;
 * 2. nobody delegates more than they hold: the same area, a limit no higher, validity inside
 *    the delegator's own;
 * 3. a delegeringssperre forbids any grant derived from it; an area reserved to the council is
 *    not delegated at all;
 * 4. responsibility stays with the delegator: every chain says who remains responsible;
 * 5. withdrawing or expiring a grant ends every grant derived from it;
 * 6. a holder who changed unit or leader has their personal grants reviewed;
 * 7. onward delegation from level 2 is reported to the rådmann's office.
 *
 * A refusal is a value naming its rule; delegation-texts.ts says it in the user's language.
 */

export type RuleNumber = 1 | 2 | 3 | 4 | 5 | 6 | 7;

export type Refusal =
  // Rule 1: only in the line.
  | { rule: 1; code: 'not-in-line'; delegatorId: string; to: Recipient }
  | { rule: 1; code: 'to-self' }
  | { rule: 1; code: 'unknown-recipient'; to: Recipient }
  // Rule 2: nobody delegates more than they hold.
  | { rule: 2; code: 'holds-nothing'; areaId: string }
  | { rule: 2; code: 'not-holder'; parentRef: string }
  | { rule: 2; code: 'parent-not-active'; parentRef: string }
  | { rule: 2; code: 'other-area'; parentRef: string; areaId: string; parentAreaId: string }
  | { rule: 2; code: 'limit-too-high'; limitNok: number; maxNok: number }
  | { rule: 2; code: 'starts-too-early'; validFrom: string; earliest: string }
  | { rule: 2; code: 'starts-too-late'; validFrom: string; latest: string }
  | { rule: 2; code: 'ends-too-late'; validTo: string; latest: string }
  // Rule 3: delegeringssperre; reserved to the council.
  | { rule: 3; code: 'blocked'; parentRef: string }
  | { rule: 3; code: 'council-only'; areaId: string }
  // Rule 5: what a grant derives from has ended.
  | { rule: 5; code: 'parent-ended'; parentRef: string; status: GrantStatus }
  // Not one of the seven rules: the form, the state, who may act.
  | { rule?: undefined; code: 'unknown-area'; areaId: string }
  | { rule?: undefined; code: 'unknown-grant'; ref: string }
  | { rule?: undefined; code: 'bad-limit' }
  | { rule?: undefined; code: 'bad-date'; field: 'validFrom' | 'validTo' }
  | { rule?: undefined; code: 'bad-period'; validFrom: string; validTo: string }
  | { rule?: undefined; code: 'starts-in-past'; validFrom: string; today: string }
  | { rule?: undefined; code: 'duplicate'; ref: string }
  | { rule?: undefined; code: 'wrong-status'; ref: string; status: GrantStatus }
  | { rule?: undefined; code: 'ended'; ref: string; validTo: string }
  | { rule?: undefined; code: 'not-recipient'; ref: string }
  | { rule?: undefined; code: 'not-allowed'; ref: string }
  | { rule?: undefined; code: 'not-under-review'; ref: string };

export type RefusalCode = Refusal['code'];

export type RuleResult<T> = ({ ok: true } & T) | { ok: false; refusals: Refusal[] };

/** The actor of changes nobody pressed a button for (expiry, cascade from the expiry job). */
export const SYSTEM_ACTOR = 'system';

/** Conditions text is data: control characters dropped, trimmed, at most this long. */
export const CONDITIONS_MAX = 1000;
export const NOTE_MAX = 500;

// ─── Time ────────────────────────────────────────────────────────────────────────────────────

/** The Oslo calendar date of an instant. */
export function dayOf(at: Date): string {
  return osloDateOf(at);
}

export { isRealDate } from '../time/calendar-date';

/** Is the grant's validity around this Oslo date (both ends inclusive)? */
export function isValidOn(grant: Pick<Grant, 'validFrom' | 'validTo'>, date: string): boolean {
  return grant.validFrom <= date && (grant.validTo === undefined || date <= grant.validTo);
}

/** Text from a form or a card: control characters removed, trimmed, at most `max` characters. */
export function cleanText(value: unknown, max: number): string | undefined {
  if (typeof value !== 'string') return undefined;
  // eslint-disable-next-line no-control-regex
  const text = value.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').trim();
  return text.length > 0 ? text.slice(0, max) : undefined;
}

// ─── The organisation: who holds a grant, who is below whom ────────────────────────────────────

/** The people a recipient is today: the person, or whoever has the role in the unit. */
export function holdersOf(org: Organisation, to: Recipient): string[] {
  if (to.kind === 'person') return org.people.has(to.id) ? [to.id] : [];
  const unit = org.units.get(to.unitId);
  if (!unit) return [];
  const ids = [...org.people.values()]
    .filter((p) => p.unitId === to.unitId && p.role === to.role)
    .map((p) => p.id);
  const leader = unit.leaderId ? org.people.get(unit.leaderId) : undefined;
  if (leader && leader.role === to.role && !ids.includes(leader.id)) ids.unshift(leader.id);
  return ids;
}

export function isHolder(org: Organisation, grant: Pick<Grant, 'to'>, personId: string): boolean {
  return holdersOf(org, grant.to).includes(personId);
}

/** The person's own leader: the nearest leader up the line who is not the person. */
export function leaderOf(org: Organisation, personId: string): Person | undefined {
  const person = org.people.get(personId);
  if (!person) return undefined;
  return leadersUpTheLine(org, person.unitId).find((l) => l.id !== personId);
}

/** Is `personId` strictly below `delegatorId` in the line? */
function personBelow(org: Organisation, delegator: Person, personId: string): boolean {
  const person = org.people.get(personId);
  if (!person || person.id === delegator.id) return false;
  return (
    isInLineAbove(org, person.unitId, delegator.id) &&
    !isInLineAbove(org, delegator.unitId, person.id)
  );
}

/**
 * Rule 1: is the recipient below the delegator in the line? A person: the delegator leads the
 * person's unit or a unit above it, and the person is not the delegator nor above them. A role
 * in a unit: the delegator leads that unit or one above it, and nobody holding the role today is
 * the delegator or above them (a vacant role is fine: the grant waits for its holder).
 */
export function isBelow(org: Organisation, delegatorId: string, to: Recipient): boolean {
  const delegator = org.people.get(delegatorId);
  if (!delegator) return false;
  if (to.kind === 'person') return personBelow(org, delegator, to.id);
  if (!org.units.has(to.unitId) || !isInLineAbove(org, to.unitId, delegatorId)) return false;
  return holdersOf(org, to).every((id) => personBelow(org, delegator, id));
}

function recipientExists(org: Organisation, to: Recipient): boolean {
  return to.kind === 'person' ? org.people.has(to.id) : org.units.has(to.unitId);
}

export function sameRecipient(a: Recipient, b: Recipient): boolean {
  if (a.kind === 'person' && b.kind === 'person') return a.id === b.id;
  if (a.kind === 'role' && b.kind === 'role') return a.role === b.role && a.unitId === b.unitId;
  return false;
}

// ─── The register: ancestors, descendants, holdings ────────────────────────────────────────────

/** The grants a grant derives from, its parent first and the root last. Stops on a cycle. */
export function ancestorsOf(register: Pick<Register, 'grants'>, grant: Grant): Grant[] {
  const found: Grant[] = [];
  const seen = new Set([grant.ref]);
  let ref = grant.parentRef;
  while (ref && !seen.has(ref)) {
    seen.add(ref);
    const parent = grantByRef(register, ref);
    if (!parent) break;
    found.push(parent);
    ref = parent.parentRef;
  }
  return found;
}

/** Every grant derived from `ref`, directly or further down, parents before their children. */
export function descendantsOf(register: Pick<Register, 'grants'>, ref: string): Grant[] {
  const children = new Map<string, Grant[]>();
  for (const g of register.grants)
    if (g.parentRef) children.set(g.parentRef, [...(children.get(g.parentRef) ?? []), g]);
  const found: Grant[] = [];
  const seen = new Set([ref]);
  const queue = [...(children.get(ref) ?? [])];
  while (queue.length > 0) {
    const g = queue.shift()!;
    if (seen.has(g.ref)) continue;
    seen.add(g.ref);
    found.push(g);
    queue.push(...(children.get(g.ref) ?? []));
  }
  return found;
}

/** Is the grant in force on this date: active and valid, and so is every grant above it? */
export function inForce(register: Pick<Register, 'grants'>, grant: Grant, date: string): boolean {
  if (grant.status !== 'active' || !isValidOn(grant, date)) return false;
  const chain = ancestorsOf(register, grant);
  if (grant.parentRef && chain.length === 0) return false;
  const root = chain.length > 0 ? chain[chain.length - 1] : grant;
  if (root.parentRef) return false;
  return chain.every((g) => g.status === 'active' && isValidOn(g, date));
}

/** Best first: no limit, then the higher limit; not blocked; nearer the root; by reference. */
function byStrength(a: Grant, b: Grant): number {
  const limit = (g: Grant) => g.limitNok ?? Number.POSITIVE_INFINITY;
  if (limit(a) !== limit(b)) return limit(b) - limit(a) > 0 ? 1 : -1;
  if (a.blocked !== b.blocked) return a.blocked ? 1 : -1;
  if (a.level !== b.level) return a.level - b.level;
  return a.ref.localeCompare(b.ref);
}

/**
 * The grants through which a person holds an area at an instant, best first: in force on that
 * Oslo date, with role grants resolved against the organisation as it is now.
 */
export function heldGrants(
  register: Pick<Register, 'grants'>,
  org: Organisation,
  personId: string,
  areaId: string,
  at: Date,
): Grant[] {
  const date = dayOf(at);
  return register.grants
    .filter((g) => g.areaId === areaId && isHolder(org, g, personId) && inForce(register, g, date))
    .sort(byStrength);
}

/** The grant through which a person holds an area at an instant (the best one), if any. */
export function holds(
  register: Pick<Register, 'grants'>,
  org: Organisation,
  personId: string,
  areaId: string,
  at: Date,
): Grant | undefined {
  return heldGrants(register, org, personId, areaId, at)[0];
}

/**
 * Active grants a person holds in an area and could delegate from, whatever their dates (a
 * grant that starts next month can be passed on from next month), best first.
 */
export function delegableGrants(
  register: Register,
  org: Organisation,
  personId: string,
  areaId: string,
  today: string,
): Grant[] {
  return register.grants
    .filter(
      (g) =>
        g.areaId === areaId &&
        g.status === 'active' &&
        (g.validTo === undefined || g.validTo >= today) &&
        isHolder(org, g, personId),
    )
    .sort(byStrength);
}

// ─── Rules 1–3: a new grant ────────────────────────────────────────────────────────────────────

/** What a delegation form or a confirmation card asks for. */
export interface GrantDraft {
  areaId: string;
  to: Recipient;
  /** The grant to derive from; by default the delegator's best grant of the area. */
  parentRef?: string;
  /** By default the parent's limit. */
  limitNok?: number;
  /** By default today, or the parent's start if that is later. */
  validFrom?: string;
  /** By default the parent's end. */
  validTo?: string;
  conditions?: string;
  /** Delegeringssperre. */
  blocked?: boolean;
}

/** The terms a draft becomes once every rule holds: the parent and the filled-in values. */
export interface CheckedDraft {
  area: AuthorityArea;
  parent: Grant;
  limitNok?: number;
  validFrom: string;
  validTo?: string;
  conditions?: string;
  blocked: boolean;
}

/**
 * Rules 1, 2, 3 and 5 for a grant `delegatorId` wants to make: every refusal that applies (a
 * form shows them all), or the terms with the defaults filled in.
 */
export function checkDraft(
  register: Register,
  org: Organisation,
  delegatorId: string,
  draft: GrantDraft,
  now: Date,
): RuleResult<{ terms: CheckedDraft }> {
  const today = dayOf(now);
  const area = areaById(register, draft.areaId);
  if (!area) return { ok: false, refusals: [{ code: 'unknown-area', areaId: draft.areaId }] };
  if (area.councilOnly)
    return { ok: false, refusals: [{ rule: 3, code: 'council-only', areaId: area.id }] };

  const refusals: Refusal[] = [];
  let parent: Grant | undefined;
  if (draft.parentRef !== undefined) {
    parent = grantByRef(register, draft.parentRef);
    if (!parent) return { ok: false, refusals: [{ code: 'unknown-grant', ref: draft.parentRef }] };
  } else {
    parent = delegableGrants(register, org, delegatorId, area.id, today)[0];
    if (!parent)
      return { ok: false, refusals: [{ rule: 2, code: 'holds-nothing', areaId: area.id }] };
  }
  refusals.push(...parentRefusals(register, org, delegatorId, parent, area.id, today));

  // Rule 1.
  if (!recipientExists(org, draft.to))
    refusals.push({ rule: 1, code: 'unknown-recipient', to: draft.to });
  else if (
    (draft.to.kind === 'person' && draft.to.id === delegatorId) ||
    (draft.to.kind === 'role' && holdersOf(org, draft.to).includes(delegatorId))
  )
    refusals.push({ rule: 1, code: 'to-self' });
  else if (!isBelow(org, delegatorId, draft.to))
    refusals.push({ rule: 1, code: 'not-in-line', delegatorId, to: draft.to });

  // Rule 2: the limit.
  const maxNok = parent.limitNok ?? area.limitNok;
  let limitNok = maxNok;
  if (draft.limitNok !== undefined) {
    if (!Number.isInteger(draft.limitNok) || draft.limitNok < 0 || draft.limitNok > MAX_LIMIT_NOK)
      refusals.push({ code: 'bad-limit' });
    else if (maxNok !== undefined && draft.limitNok > maxNok)
      refusals.push({ rule: 2, code: 'limit-too-high', limitNok: draft.limitNok, maxNok });
    else limitNok = draft.limitNok;
  }

  // Rule 2: validity inside the parent's.
  const validFrom = draft.validFrom ?? (parent.validFrom > today ? parent.validFrom : today);
  const validTo = draft.validTo ?? parent.validTo;
  let datesOk = true;
  if (!isRealDate(validFrom)) {
    refusals.push({ code: 'bad-date', field: 'validFrom' });
    datesOk = false;
  }
  if (validTo !== undefined && !isRealDate(validTo)) {
    refusals.push({ code: 'bad-date', field: 'validTo' });
    datesOk = false;
  }
  if (datesOk) {
    if (validFrom < today) refusals.push({ code: 'starts-in-past', validFrom, today });
    if (validFrom < parent.validFrom)
      refusals.push({ rule: 2, code: 'starts-too-early', validFrom, earliest: parent.validFrom });
    const startsTooLate = parent.validTo !== undefined && validFrom > parent.validTo;
    if (startsTooLate)
      refusals.push({ rule: 2, code: 'starts-too-late', validFrom, latest: parent.validTo! });
    if (parent.validTo !== undefined && validTo !== undefined && validTo > parent.validTo)
      refusals.push({ rule: 2, code: 'ends-too-late', validTo, latest: parent.validTo });
    if (
      validTo !== undefined &&
      validTo < validFrom &&
      !(startsTooLate && draft.validTo === undefined)
    )
      refusals.push({ code: 'bad-period', validFrom, validTo });
  }

  const duplicate = register.grants.find(
    (g) =>
      g.parentRef === parent.ref &&
      (g.status === 'active' || g.status === 'proposed') &&
      sameRecipient(g.to, draft.to),
  );
  if (duplicate) refusals.push({ code: 'duplicate', ref: duplicate.ref });

  if (refusals.length > 0) return { ok: false, refusals };
  return {
    ok: true,
    terms: {
      area,
      parent,
      limitNok,
      validFrom,
      validTo,
      conditions: cleanText(draft.conditions, CONDITIONS_MAX),
      blocked: draft.blocked === true,
    },
  };
}

/** Rules 2, 3 and 5 about the grant a new one derives from. */
function parentRefusals(
  register: Register,
  org: Organisation,
  delegatorId: string,
  parent: Grant,
  areaId: string,
  today: string,
): Refusal[] {
  const refusals: Refusal[] = [];
  if (parent.areaId !== areaId)
    refusals.push({
      rule: 2,
      code: 'other-area',
      parentRef: parent.ref,
      areaId,
      parentAreaId: parent.areaId,
    });
  if (parent.status === 'proposed')
    refusals.push({ rule: 2, code: 'parent-not-active', parentRef: parent.ref });
  else if (ENDED_STATUSES.has(parent.status))
    refusals.push({ rule: 5, code: 'parent-ended', parentRef: parent.ref, status: parent.status });
  else if (parent.validTo !== undefined && parent.validTo < today)
    refusals.push({ rule: 5, code: 'parent-ended', parentRef: parent.ref, status: 'expired' });
  else {
    const ended = ancestorsOf(register, parent).find((a) => a.status !== 'active');
    if (ended)
      refusals.push({ rule: 5, code: 'parent-ended', parentRef: ended.ref, status: ended.status });
  }
  if (!isHolder(org, parent, delegatorId))
    refusals.push({ rule: 2, code: 'not-holder', parentRef: parent.ref });
  if (parent.blocked) refusals.push({ rule: 3, code: 'blocked', parentRef: parent.ref });
  return refusals;
}

export interface ProposeInput {
  register: Register;
  org: Organisation;
  /** The delegator: the person pressing "Deleger" (or "Bekreft" on a request). */
  actorId: string;
  draft: GrantDraft;
  now: Date;
  /** The reference the new grant gets (the store's counter). */
  ref: string;
  /**
   * 'delegation' (default): proposed, active once the recipient accepts. 'confirmation': a
   * leader confirms an employee's own request ("bekreft fullmakt"), so it is active at once.
   */
  origin?: Exclude<GrantOrigin, 'registered'>;
  note?: string;
  actionId?: string;
}

/** Rules 1–3: a new grant from a delegation form, or a confirmation of a request. */
export function proposeGrant(input: ProposeInput): RuleResult<{ change: GrantChange }> {
  const { register, org, actorId, draft, now, ref } = input;
  const checked = checkDraft(register, org, actorId, draft, now);
  if (!checked.ok) return checked;
  const { terms } = checked;
  const at = now.toISOString();
  const origin = input.origin ?? 'delegation';
  const confirm = origin === 'confirmation';
  const note = cleanText(input.note, NOTE_MAX);
  const status: GrantStatus = confirm ? 'active' : 'proposed';
  const grant: Grant = {
    ref,
    rev: 1,
    ...(input.actionId ? { lastActionId: input.actionId } : {}),
    areaId: terms.area.id,
    fromId: actorId,
    to: draft.to,
    parentRef: terms.parent.ref,
    level: terms.parent.level + 1,
    ...(terms.limitNok !== undefined ? { limitNok: terms.limitNok } : {}),
    validFrom: terms.validFrom,
    ...(terms.validTo !== undefined ? { validTo: terms.validTo } : {}),
    ...(terms.conditions !== undefined ? { conditions: terms.conditions } : {}),
    blocked: terms.blocked,
    status,
    origin,
    createdBy: actorId,
    createdAt: at,
    ...(confirm ? { decision: { at, by: actorId, ...(note ? { note } : {}) } } : {}),
  };
  const event: GrantEvent = {
    ref,
    seq: 1,
    at,
    kind: confirm ? 'accepted' : 'proposed',
    actorId,
    toStatus: status,
    ...(draft.to.kind === 'person' ? { targetId: draft.to.id } : {}),
    ...(note ? { note } : {}),
  };
  return { ok: true, change: { after: grant, event } };
}

/**
 * A grant recorded from a decision made outside the bot: the council's delegation to the
 * rådmann (a root: no parent, the political basis), or a grant of an existing reglement being
 * imported. Active at once; the rules are checked by the importer (`checkRegistered`).
 */
export function registeredGrant(input: {
  ref: string;
  areaId: string;
  fromId: string;
  to: Recipient;
  parent?: Grant;
  politicalBasis?: PoliticalBasis;
  limitNok?: number;
  validFrom: string;
  validTo?: string;
  conditions?: string;
  blocked?: boolean;
  by: string;
  at: Date;
}): GrantChange {
  const at = input.at.toISOString();
  const grant: Grant = {
    ref: input.ref,
    rev: 1,
    areaId: input.areaId,
    fromId: input.parent ? input.fromId : COUNCIL,
    to: input.to,
    ...(input.parent ? { parentRef: input.parent.ref } : {}),
    ...(!input.parent && input.politicalBasis ? { politicalBasis: input.politicalBasis } : {}),
    level: input.parent ? input.parent.level + 1 : 1,
    ...(input.limitNok !== undefined ? { limitNok: input.limitNok } : {}),
    validFrom: input.validFrom,
    ...(input.validTo !== undefined ? { validTo: input.validTo } : {}),
    ...(input.conditions !== undefined ? { conditions: input.conditions } : {}),
    blocked: input.blocked === true,
    status: 'active',
    origin: 'registered',
    createdBy: input.by,
    createdAt: at,
  };
  const event: GrantEvent = {
    ref: input.ref,
    seq: 1,
    at,
    kind: 'registered',
    actorId: input.by,
    toStatus: 'active',
  };
  return { after: grant, event };
}

/**
 * The rules a registered (imported) grant must keep, against the organisation: every refusal,
 * as for a form, but without the "not in the past" check (a reglement records history).
 */
export function checkRegistered(
  register: Register,
  org: Organisation,
  grant: Grant,
  at: Date,
): Refusal[] {
  const area = areaById(register, grant.areaId);
  if (!area) return [{ code: 'unknown-area', areaId: grant.areaId }];
  if (area.councilOnly) return [{ rule: 3, code: 'council-only', areaId: area.id }];
  const refusals: Refusal[] = [];
  if (!grant.parentRef) {
    if (area.limitNok !== undefined && (grant.limitNok ?? Infinity) > area.limitNok)
      refusals.push({
        rule: 2,
        code: 'limit-too-high',
        limitNok: grant.limitNok ?? Infinity,
        maxNok: area.limitNok,
      });
    if (!recipientExists(org, grant.to))
      refusals.push({ rule: 1, code: 'unknown-recipient', to: grant.to });
    return refusals;
  }
  const parent = grantByRef(register, grant.parentRef);
  if (!parent) return [{ code: 'unknown-grant', ref: grant.parentRef }];
  refusals.push(...parentRefusals(register, org, grant.fromId, parent, grant.areaId, dayOf(at)));
  if (!recipientExists(org, grant.to))
    refusals.push({ rule: 1, code: 'unknown-recipient', to: grant.to });
  else if (!isBelow(org, grant.fromId, grant.to))
    refusals.push({ rule: 1, code: 'not-in-line', delegatorId: grant.fromId, to: grant.to });
  const maxNok = parent.limitNok ?? area.limitNok;
  if (maxNok !== undefined && (grant.limitNok ?? Infinity) > maxNok)
    refusals.push({
      rule: 2,
      code: 'limit-too-high',
      limitNok: grant.limitNok ?? Infinity,
      maxNok,
    });
  if (grant.validFrom < parent.validFrom)
    refusals.push({
      rule: 2,
      code: 'starts-too-early',
      validFrom: grant.validFrom,
      earliest: parent.validFrom,
    });
  if (parent.validTo !== undefined && (grant.validTo ?? '9999-12-31') > parent.validTo)
    refusals.push({
      rule: 2,
      code: 'ends-too-late',
      validTo: grant.validTo ?? '',
      latest: parent.validTo,
    });
  if (grant.validTo !== undefined && grant.validTo < grant.validFrom)
    refusals.push({ code: 'bad-period', validFrom: grant.validFrom, validTo: grant.validTo });
  return refusals;
}

// ─── The recipient: accept or decline ──────────────────────────────────────────────────────────

export interface ActInput {
  register: Register;
  org: Organisation;
  ref: string;
  actorId: string;
  now: Date;
  note?: string;
  actionId?: string;
}

function next(
  grant: Grant,
  kind: GrantEventKind,
  toStatus: GrantStatus,
  actorId: string,
  at: string,
  changes: Partial<Grant>,
  note?: string,
  actionId?: string,
): GrantChange {
  const after: Grant = {
    ...grant,
    ...changes,
    rev: grant.rev + 1,
    status: toStatus,
    ...(actionId ? { lastActionId: actionId } : {}),
  };
  // A field set to undefined is cleared, not stored as an undefined key.
  for (const [key, value] of Object.entries(changes))
    if (value === undefined) delete (after as unknown as Record<string, unknown>)[key];
  const event: GrantEvent = {
    ref: grant.ref,
    seq: after.rev,
    at,
    kind,
    actorId,
    fromStatus: grant.status,
    toStatus,
    ...(note ? { note } : {}),
  };
  return { before: grant, after, event };
}

/**
 * The grant an action is about, if it exists, is in one of `statuses`, passes `first` (a
 * check made before the status) and `allowed` lets the actor act on it; else why not.
 */
function grantFor(
  input: ActInput,
  statuses: readonly Grant['status'][],
  allowed: { check: (grant: Grant) => boolean; code: 'not-recipient' | 'not-allowed' },
  first?: (grant: Grant) => Refusal | undefined,
): RuleResult<{ grant: Grant }> {
  const grant = grantByRef(input.register, input.ref);
  if (!grant) return { ok: false, refusals: [{ code: 'unknown-grant', ref: input.ref }] };
  const early = first?.(grant);
  if (early) return { ok: false, refusals: [early] };
  if (!statuses.includes(grant.status))
    return {
      ok: false,
      refusals: [{ code: 'wrong-status', ref: grant.ref, status: grant.status }],
    };
  if (!allowed.check(grant))
    return { ok: false, refusals: [{ code: allowed.code, ref: grant.ref }] };
  return { ok: true, grant };
}

/** A proposed grant the actor is the recipient of, or why not. */
const proposedTo = (input: ActInput) =>
  grantFor(input, ['proposed'], {
    check: (grant) => isHolder(input.org, grant, input.actorId),
    code: 'not-recipient',
  });

/** An active or proposed grant the actor may withdraw, or why not. */
const revocableBy = (input: ActInput, first?: (grant: Grant) => Refusal | undefined) =>
  grantFor(
    input,
    ['active', 'proposed'],
    {
      check: (grant) => mayRevoke(input.register, input.org, grant, input.actorId),
      code: 'not-allowed',
    },
    first,
  );

/**
 * The recipient accepts a proposed grant. The rules are checked again: the parent may have
 * ended, the delegator may have left the line, or the grant's own end may have passed.
 */
export function acceptGrant(input: ActInput): RuleResult<{ change: GrantChange }> {
  const { register, org, actorId, now } = input;
  const found = proposedTo(input);
  if (!found.ok) return found;
  const { grant } = found;
  const today = dayOf(now);
  const refusals: Refusal[] = [];
  const parent = grant.parentRef ? grantByRef(register, grant.parentRef) : undefined;
  if (!parent) refusals.push({ code: 'unknown-grant', ref: grant.parentRef ?? '' });
  else refusals.push(...parentRefusals(register, org, grant.fromId, parent, grant.areaId, today));
  if (!isBelow(org, grant.fromId, grant.to))
    refusals.push({ rule: 1, code: 'not-in-line', delegatorId: grant.fromId, to: grant.to });
  if (grant.validTo !== undefined && grant.validTo < today)
    refusals.push({ code: 'ended', ref: grant.ref, validTo: grant.validTo });
  if (refusals.length > 0) return { ok: false, refusals };
  const note = cleanText(input.note, NOTE_MAX);
  const at = now.toISOString();
  return {
    ok: true,
    change: next(
      grant,
      'accepted',
      'active',
      actorId,
      at,
      { decision: { at, by: actorId, ...(note ? { note } : {}) } },
      note,
      input.actionId,
    ),
  };
}

/** The recipient declines a proposed grant, with a comment. */
export function declineGrant(input: ActInput): RuleResult<{ change: GrantChange }> {
  const { actorId, now } = input;
  const found = proposedTo(input);
  if (!found.ok) return found;
  const { grant } = found;
  const note = cleanText(input.note, NOTE_MAX);
  const at = now.toISOString();
  return {
    ok: true,
    change: next(
      grant,
      'declined',
      'declined',
      actorId,
      at,
      { decision: { at, by: actorId, ...(note ? { note } : {}) } },
      note,
      input.actionId,
    ),
  };
}

// ─── Rule 5: withdraw, expire, cascade ─────────────────────────────────────────────────────────

/** Someone who loses authority (or a proposal they had) because a grant above them ended. */
export interface LostAuthority {
  ref: string;
  areaId: string;
  to: Recipient;
  /** 'active': they held it; 'proposed': a proposal to them lapsed. */
  was: 'active' | 'proposed';
  /** The grant whose end caused it. */
  cause: string;
}

export interface CascadeResult {
  changes: GrantChange[];
  /** Everyone to tell through the outbox (their holders are resolved at send time). */
  lost: LostAuthority[];
}

/**
 * Rule 5: ends every active or proposed grant derived from `ref` (not `ref` itself): revoked when
 * `ref` was withdrawn, expired when it expired. Returns the changes and whom they leave
 * without authority.
 */
export function cascade(
  register: Pick<Register, 'grants'>,
  ref: string,
  at: Date,
  options: { actorId?: string; cause?: 'revoked' | 'expired' } = {},
): CascadeResult {
  const origin = grantByRef(register, ref);
  const cause = options.cause ?? (origin?.status === 'expired' ? 'expired' : 'revoked');
  const actorId = options.actorId ?? SYSTEM_ACTOR;
  const iso = at.toISOString();
  const changes: GrantChange[] = [];
  const lost: LostAuthority[] = [];
  for (const g of descendantsOf(register, ref)) {
    if (g.status !== 'active' && g.status !== 'proposed') continue;
    changes.push(
      next(g, 'cascaded', cause, actorId, iso, { end: { at: iso, by: actorId, cascadeFrom: ref } }),
    );
    lost.push({ ref: g.ref, areaId: g.areaId, to: g.to, was: g.status, cause: ref });
  }
  return { changes, lost };
}

/**
 * May the actor withdraw the grant? Its delegator; whoever holds a grant above it now (they stay
 * responsible: rule 4); while it is under review, the holder's old and new leaders (rule 6).
 * A root grant only the council withdraws (by an import of its new decision).
 */
export function mayRevoke(
  register: Pick<Register, 'grants'>,
  org: Organisation,
  grant: Grant,
  actorId: string,
): boolean {
  if (!grant.parentRef) return actorId === COUNCIL;
  if (actorId === grant.fromId) return true;
  if (ancestorsOf(register, grant).some((a) => isHolder(org, a, actorId))) return true;
  return (
    grant.review !== undefined &&
    (grant.review.oldLeaderId === actorId || grant.review.newLeaderId === actorId)
  );
}

/** Withdraws an active grant or a pending proposal, and everything derived from it (rule 5). */
export function revokeGrant(
  input: ActInput,
): RuleResult<{ change: GrantChange; cascade: CascadeResult }> {
  const { register, actorId, now } = input;
  const found = revocableBy(input);
  if (!found.ok) return found;
  const { grant } = found;
  const at = now.toISOString();
  const reason = cleanText(input.note, NOTE_MAX);
  const change = next(
    grant,
    'revoked',
    'revoked',
    actorId,
    at,
    { end: { at, by: actorId, ...(reason ? { reason } : {}) }, review: undefined },
    reason,
    input.actionId,
  );
  return {
    ok: true,
    change,
    cascade: cascade(applyChange(register, change), grant.ref, now, {
      actorId,
      cause: 'revoked',
    }),
  };
}

/**
 * The expiry job: every active grant or pending proposal whose end has passed (Oslo date) is
 * expired, and so is everything derived from it (rule 5). Deterministic; running it twice
 * changes nothing the second time.
 */
export function expireDue(register: Register, at: Date): CascadeResult {
  const today = dayOf(at);
  const iso = at.toISOString();
  let current = register;
  const changes: GrantChange[] = [];
  const lost: LostAuthority[] = [];
  const due = register.grants.filter(
    (g) =>
      (g.status === 'active' || g.status === 'proposed') &&
      g.validTo !== undefined &&
      g.validTo < today,
  );
  for (const original of due) {
    const grant = grantByRef(current, original.ref)!;
    if (grant.status !== 'active' && grant.status !== 'proposed') continue; // ended by a cascade
    const change = next(grant, 'expired', 'expired', SYSTEM_ACTOR, iso, {
      end: { at: iso, by: SYSTEM_ACTOR },
    });
    current = applyChange(current, change);
    changes.push(change);
    const result = cascade(current, grant.ref, at, { cause: 'expired' });
    for (const c of result.changes) current = applyChange(current, c);
    changes.push(...result.changes);
    lost.push(...result.lost);
  }
  return { changes, lost };
}

// ─── Rule 4: the chain, and who stays responsible ─────────────────────────────────────────────

/** Someone in a chain: the council, a person, or a role in a unit with who holds it today. */
export type Party =
  | { kind: 'council'; body: string }
  | { kind: 'person'; id: string }
  | { kind: 'role'; role: Role; unitId: string; holderIds: string[] };

export interface ChainStep {
  /** 0: the council; 1: the rådmann; 2: enhetsleder/stabsleder; 3… below. */
  level: number;
  /** The grant of this step (none for the council). */
  ref?: string;
  /** Who holds the authority at this step. */
  holder: Party;
  /** Who delegated it (the council for level 1; the person who pressed "Deleger" below). */
  delegatedBy?: Party;
  /**
   * Rule 4: who remains responsible for how it is used. The delegator's position: whoever
   * holds the grant above today (so a new leader takes over the responsibility with the role).
   */
  responsible?: Party;
  limitNok?: number;
  validFrom?: string;
  validTo?: string;
  conditions?: string;
  /** Delegeringssperre: «Enhetsleder / stabsleder selv». */
  blocked: boolean;
  /** On the council's step and the rådmann's: the decision. */
  politicalBasis?: PoliticalBasis;
}

export type ChainAnswer =
  | {
      answer: 'yes';
      area: AuthorityArea;
      basis: AuthorityBasis;
      grant: Grant;
      /** Kommunestyret → rådmann → … → the person. */
      steps: ChainStep[];
      limitNok?: number;
      validTo?: string;
      /** May the person delegate it further (no delegeringssperre)? */
      mayDelegate: boolean;
    }
  | {
      answer: 'no';
      rule: 4;
      reason: 'unknown-area' | 'council-only' | 'not-held' | 'not-yet-valid';
      area?: AuthorityArea;
      /** The grant that will start later ('not-yet-valid'). */
      grant?: Grant;
      /**
       * Whom to ask: the nearest leader up the line who holds the area (they decide, or
       * delegate or confirm it if they may), or the council for an area reserved to it.
       */
      ask?: Party;
      /** Whether the one to ask may delegate it (false: they must decide themselves). */
      askMayDelegate?: boolean;
      /** The asked leader's own chain, to show why they are the one. */
      askSteps?: ChainStep[];
    };

function partyOf(org: Organisation, to: Recipient): Party {
  return to.kind === 'person'
    ? { kind: 'person', id: to.id }
    : { kind: 'role', role: to.role, unitId: to.unitId, holderIds: holdersOf(org, to) };
}

function councilParty(register: Pick<Register, 'political'>, grant?: Grant): Party {
  return {
    kind: 'council',
    body: grant?.politicalBasis?.body ?? register.political?.body ?? 'Kommunestyret',
  };
}

/** The chain of a grant: the council, then every grant from the root down to this one. */
export function grantChain(
  register: Pick<Register, 'grants' | 'political'>,
  org: Organisation,
  grant: Grant,
): ChainStep[] {
  const path = [...ancestorsOf(register, grant)].reverse().concat(grant);
  const root = path[0];
  const council = councilParty(register, root);
  const political = root.politicalBasis ?? register.political;
  const steps: ChainStep[] = [
    {
      level: 0,
      holder: council,
      blocked: false,
      ...(political ? { politicalBasis: political } : {}),
    },
  ];
  path.forEach((g, i) => {
    const above = i === 0 ? undefined : path[i - 1];
    steps.push({
      level: g.level,
      ref: g.ref,
      holder: partyOf(org, g.to),
      delegatedBy: g.fromId === COUNCIL ? council : { kind: 'person', id: g.fromId },
      responsible: above ? partyOf(org, above.to) : council,
      ...(g.limitNok !== undefined ? { limitNok: g.limitNok } : {}),
      validFrom: g.validFrom,
      ...(g.validTo !== undefined ? { validTo: g.validTo } : {}),
      ...(g.conditions !== undefined ? { conditions: g.conditions } : {}),
      blocked: g.blocked,
      ...(i === 0 && political ? { politicalBasis: political } : {}),
    });
  });
  return steps;
}

/**
 * "Har jeg fullmakt til …?": the chain kommunestyret → rådmann → … → the person, with who stays
 * responsible at each step, limits, dates and basis; or a clear no with whom to ask. Role grants
 * are resolved against the organisation as it is; `at` decides validity (for the register as it
 * stood on another date, pass `registerAsOf(register, date)`).
 */
export function chainFor(
  register: Register,
  org: Organisation,
  personId: string,
  areaId: string,
  at: Date,
): ChainAnswer {
  const area = areaById(register, areaId);
  if (!area) return { answer: 'no', rule: 4, reason: 'unknown-area' };
  if (area.councilOnly)
    return {
      answer: 'no',
      rule: 4,
      reason: 'council-only',
      area,
      ask: councilParty(register),
      askMayDelegate: false,
    };
  const grant = holds(register, org, personId, areaId, at);
  if (grant) {
    return {
      answer: 'yes',
      area,
      basis: area.basis,
      grant,
      steps: grantChain(register, org, grant),
      ...(grant.limitNok !== undefined ? { limitNok: grant.limitNok } : {}),
      ...(grant.validTo !== undefined ? { validTo: grant.validTo } : {}),
      mayDelegate: !grant.blocked,
    };
  }
  const today = dayOf(at);
  const later = register.grants
    .filter(
      (g) =>
        g.areaId === areaId &&
        g.status === 'active' &&
        g.validFrom > today &&
        isHolder(org, g, personId),
    )
    .sort((a, b) => a.validFrom.localeCompare(b.validFrom))[0];
  const asked = whomToAsk(register, org, personId, areaId, at);
  return {
    answer: 'no',
    rule: 4,
    reason: later ? 'not-yet-valid' : 'not-held',
    area,
    ...(later ? { grant: later } : {}),
    ...asked,
  };
}

/** The nearest leader up the person's line who holds the area; else the council. */
function whomToAsk(
  register: Register,
  org: Organisation,
  personId: string,
  areaId: string,
  at: Date,
): { ask: Party; askMayDelegate: boolean; askSteps?: ChainStep[] } {
  const person = org.people.get(personId);
  const line = person ? leadersUpTheLine(org, person.unitId).filter((l) => l.id !== personId) : [];
  for (const leader of line) {
    const grant = holds(register, org, leader.id, areaId, at);
    if (grant)
      return {
        ask: { kind: 'person', id: leader.id },
        askMayDelegate: !grant.blocked,
        askSteps: grantChain(register, org, grant),
      };
  }
  return { ask: councilParty(register), askMayDelegate: false };
}

// ─── Rule 6: after an organisation import ──────────────────────────────────────────────────────

export interface ReviewFlag {
  ref: string;
  areaId: string;
  personId: string;
  oldUnitId?: string;
  newUnitId?: string;
  oldLeaderId?: string;
  newLeaderId?: string;
  /** The person is no longer in the organisation. */
  left: boolean;
}

/**
 * Rule 6: the personal grants (active or proposed) of people who changed unit or leader, or
 * left, between two organisations, with their old and new leaders (who keep or withdraw them).
 * Role grants need no review: they follow the role. A grant already flagged for the same
 * change is not flagged again (an import run twice flags once).
 */
export function reviewAfterOrgChange(
  register: Pick<Register, 'grants'>,
  oldOrg: Organisation,
  newOrg: Organisation,
): ReviewFlag[] {
  const flags: ReviewFlag[] = [];
  for (const g of register.grants) {
    if (g.to.kind !== 'person' || (g.status !== 'active' && g.status !== 'proposed')) continue;
    const personId = g.to.id;
    const before = oldOrg.people.get(personId);
    if (!before) continue;
    const after = newOrg.people.get(personId);
    const oldLeaderId = leaderOf(oldOrg, personId)?.id;
    const newLeaderId = after ? leaderOf(newOrg, personId)?.id : undefined;
    const changed = !after || after.unitId !== before.unitId || newLeaderId !== oldLeaderId;
    if (!changed) continue;
    const flag: ReviewFlag = {
      ref: g.ref,
      areaId: g.areaId,
      personId,
      oldUnitId: before.unitId,
      ...(after ? { newUnitId: after.unitId } : {}),
      ...(oldLeaderId ? { oldLeaderId } : {}),
      ...(newLeaderId ? { newLeaderId } : {}),
      left: !after,
    };
    const r = g.review;
    if (
      r &&
      r.oldUnitId === flag.oldUnitId &&
      r.newUnitId === flag.newUnitId &&
      r.oldLeaderId === flag.oldLeaderId &&
      r.newLeaderId === flag.newLeaderId
    )
      continue;
    flags.push(flag);
  }
  return flags;
}

/** Marks a grant for review (rule 6); its status does not change until someone decides. */
export function flagForReview(grant: Grant, flag: ReviewFlag, at: Date): GrantChange {
  const iso = at.toISOString();
  const review: GrantReview = {
    flaggedAt: iso,
    personId: flag.personId,
    ...(flag.oldUnitId ? { oldUnitId: flag.oldUnitId } : {}),
    ...(flag.newUnitId ? { newUnitId: flag.newUnitId } : {}),
    ...(flag.oldLeaderId ? { oldLeaderId: flag.oldLeaderId } : {}),
    ...(flag.newLeaderId ? { newLeaderId: flag.newLeaderId } : {}),
  };
  const change = next(grant, 'flagged', grant.status, SYSTEM_ACTOR, iso, { review });
  return {
    ...change,
    event: { ...change.event, ...(flag.newLeaderId ? { targetId: flag.newLeaderId } : {}) },
  };
}

/** "Behold": the holder's old or new leader (or someone above) keeps a flagged grant. */
export function keepGrant(input: ActInput): RuleResult<{ change: GrantChange }> {
  const { org, actorId, now } = input;
  const found = revocableBy(input, (grant) =>
    grant.review ? undefined : { code: 'not-under-review', ref: grant.ref },
  );
  if (!found.ok) return found;
  const { grant } = found;
  const refusals: Refusal[] = [];
  if (!isBelow(org, grant.fromId, grant.to))
    refusals.push({ rule: 1, code: 'not-in-line', delegatorId: grant.fromId, to: grant.to });
  if (refusals.length > 0) return { ok: false, refusals };
  const note = cleanText(input.note, NOTE_MAX);
  return {
    ok: true,
    change: next(
      grant,
      'kept',
      grant.status,
      actorId,
      now.toISOString(),
      { review: undefined },
      note,
      input.actionId,
    ),
  };
}

// ─── Rule 7: onward delegation from level 2 is reported ────────────────────────────────────────

/** Is the rådmann's office told of this grant? Every grant below level 2 (level 3 and down). */
export function mustReport(grant: Pick<Grant, 'level'>): boolean {
  return grant.level > 2;
}

/**
 * Who is told (rule 7): the people with the configured role (the rådmann's office); if nobody
 * has it, the leader of the top unit.
 */
export function reportRecipients(org: Organisation, role: Role = DEFAULT_REPORT_ROLE): Person[] {
  const people = peopleWithRole(org, role);
  if (people.length > 0) return people;
  const top = [...org.units.values()].find((u) => !u.parentId);
  const leader = top?.leaderId ? org.people.get(top.leaderId) : undefined;
  return leader ? [leader] : [];
}

// ─── The register as it stood on a date ────────────────────────────────────────────────────────

/**
 * The register as it stood at an instant, or at the end of an Oslo date: each grant with the
 * status its last revision up to then gave it, without what happened later; grants proposed
 * later are left out. A registered grant (imported from a decision made before the bot) counts
 * from the start of its validity even if it was recorded later.
 */
export function registerAsOf(register: Register, date: string | Date): Register {
  const cutoff =
    typeof date === 'string' ? osloTime(nextDay(date), '00:00').getTime() - 1 : date.getTime();
  const byRef = new Map<string, GrantEvent[]>();
  for (const e of register.events) byRef.set(e.ref, [...(byRef.get(e.ref) ?? []), e]);
  const grants: Grant[] = [];
  const kept = new Set<GrantEvent>();
  for (const grant of register.grants) {
    const all = (byRef.get(grant.ref) ?? []).slice().sort((a, b) => a.seq - b.seq);
    const effective = (e: GrantEvent) =>
      e.kind === 'registered'
        ? Math.min(Date.parse(e.at), osloTime(grant.validFrom, '00:00').getTime())
        : Date.parse(e.at);
    const upTo = all.filter((e) => effective(e) <= cutoff);
    if (upTo.length === 0) continue;
    const last = upTo[upTo.length - 1];
    const kinds = new Set(upTo.map((e) => e.kind));
    const reviewEvent = [...upTo].reverse().find((e) => e.kind === 'flagged' || e.kind === 'kept');
    const { decision, end, review, lastActionId, ...terms } = grant;
    void lastActionId;
    grants.push({
      ...terms,
      rev: last.seq,
      status: last.toStatus,
      ...(decision && (kinds.has('accepted') || kinds.has('declined')) ? { decision } : {}),
      ...(end && (kinds.has('revoked') || kinds.has('expired') || kinds.has('cascaded'))
        ? { end }
        : {}),
      ...(reviewEvent?.kind === 'flagged'
        ? {
            review:
              review && review.flaggedAt === reviewEvent.at
                ? review
                : {
                    flaggedAt: reviewEvent.at,
                    personId: grant.to.kind === 'person' ? grant.to.id : '',
                  },
          }
        : {}),
    });
    for (const e of upTo) kept.add(e);
  }
  // The revisions in the order they were made.
  return { ...register, grants, events: register.events.filter((e) => kept.has(e)) };
}

function nextDay(date: string): string {
  if (!isRealDate(date)) throw new RangeError(`Not a calendar date 'YYYY-MM-DD': '${date}'`);
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/** The unit a grant's holder belongs to: the role's unit, or the person's (for the report). */
export function unitOfRecipient(org: Organisation, to: Recipient): string | undefined {
  if (to.kind === 'role') return to.unitId;
  return org.people.get(to.id)?.unitId;
}
