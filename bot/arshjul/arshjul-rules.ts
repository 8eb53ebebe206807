import type { Actor } from '../kernel/actor';
import type { AccessQuery, AccessRule, Decision } from '../kernel/card-action';
import { hasVisibleText } from '../kernel/visible-text';
import { fill, strings, type Language } from '../i18n';
import { isInLineAbove, unitChainUp, type Organisation } from '../org/organisation';
import type { Occurrence, OccurrenceEvent } from './arshjul';
import { ownerOf, ownerUnitOf } from './occurrences';

/**
 * Who may sign an occurrence off, and what "Utført" and "Trenger hjelp" do (pure). The owner,
 * a person the owner delegates to (delegations add a rule through `extraActors`), or a leader
 * in the line above may act.
 */
export const ARSHJUL_KIND = 'arshjul';
export const ARSHJUL_VERBS = { done: 'arshjul.done', help: 'arshjul.help' } as const;

export const NOTE_MAX = 500;
export const HELP_MAX = 1000;

export function isOwner(org: Organisation, o: Occurrence, personId: string): boolean {
  return ownerOf(o, org)?.id === personId;
}

export function mayActOn(extraActors: AccessRule<Occurrence>[] = []): AccessRule<Occurrence> {
  return (q: AccessQuery<Occurrence>) => {
    if (isOwner(q.org, q.record, q.actorId)) return true;
    const unitId = ownerUnitOf(q.record, q.org);
    if (unitId && isInLineAbove(q.org, unitId, q.actorId)) return true;
    return extraActors.some((rule) => rule(q));
  };
}

/** Anyone who may act, and the people of the owning unit and the units above it. */
export function mayViewWith(mayAct: AccessRule<Occurrence>): AccessRule<Occurrence> {
  return (q) => {
    if (mayAct(q)) return true;
    const unitId = ownerUnitOf(q.record, q.org);
    const person = q.org.people.get(q.actorId);
    if (!unitId || !person) return false;
    return unitChainUp(q.org, unitId).some((u) => u.id === person.unitId);
  };
}

/**
 * Text from card data: trimmed, control characters removed, at most `max` characters; empty
 * when nothing in it can be seen (zero-width or direction characters only).
 */
export function cleanText(value: unknown, max: number): string {
  if (typeof value !== 'string' || !hasVisibleText(value)) return '';
  // eslint-disable-next-line no-control-regex
  return value
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
    .trim()
    .slice(0, max);
}

export function decide(input: {
  verb: string;
  record: Occurrence;
  data: Record<string, unknown>;
  actor: Actor;
  actionId: string;
  now: Date;
  language: Language;
}): Decision<Occurrence, OccurrenceEvent> {
  const { record, actor, now } = input;
  const t = strings(input.language).arshjul;
  const at = now.toISOString();
  if (record.status === 'done')
    return { ok: false, refusal: fill(t.alreadyDone, { date: record.doneAt?.slice(0, 10) ?? '' }) };
  const base = { ...record, rev: record.rev + 1, lastActionId: input.actionId };
  if (input.verb === ARSHJUL_VERBS.done) {
    const note = cleanText(input.data.note, NOTE_MAX);
    return {
      ok: true,
      record: {
        ...base,
        status: 'done',
        doneAt: at,
        doneBy: actor.id,
        doneNote: note || undefined,
      },
      event: {
        ref: record.ref,
        at,
        kind: 'done',
        actorId: actor.id,
        fromStatus: 'open',
        toStatus: 'done',
        ...(note ? { note } : {}),
      },
    };
  }
  if (input.verb === ARSHJUL_VERBS.help) {
    const text = cleanText(input.data.helpText, HELP_MAX);
    if (!text) return { ok: false, refusal: t.helpTextMissing };
    return {
      ok: true,
      record: { ...base, helpCount: record.helpCount + 1 },
      event: {
        ref: record.ref,
        at,
        kind: 'help',
        actorId: actor.id,
        fromStatus: 'open',
        toStatus: 'open',
        note: text,
      },
    };
  }
  return { ok: false, refusal: strings(input.language).refusals.unknown_action };
}
