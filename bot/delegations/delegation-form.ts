import { stringIn } from '../kernel/card-data';
import { renderCard, type Card } from '../kernel/card-templates';
import { ROLES, unitAndBelow, unitsLedBy, type Role } from '../org/organisation';
import type { Recipient } from './delegation';
import { cardTexts } from './delegation-card-texts';
import { delegableGrants, isBelow, type GrantDraft } from './delegation-rules';
import { personName, recipientName } from './delegation-texts';
import { namesOf, type DelegationScene } from './delegation-views';

/**
 * The "deleger" form: the areas the delegator holds and may pass on (no sperre), the people
 * and roles below them in the line, the limit, the period, the sperre and conditions. Card data
 * is untrusted: it becomes a GrantDraft here, and the rules decide the rest.
 */
export interface FormValues {
  areaId: string;
  to: string;
  limitNok: string;
  validFrom: string;
  validTo: string;
  blocked: string;
  conditions: string;
}

const EMPTY: FormValues = {
  areaId: '',
  to: '',
  limitNok: '',
  validFrom: '',
  validTo: '',
  blocked: 'false',
  conditions: '',
};

/** Areas the person holds and may pass on today (a grant without a sperre). */
export function passableAreas(scene: DelegationScene, personId: string) {
  return scene.register.areas.filter(
    (a) =>
      !a.councilOnly &&
      delegableGrants(scene.register, scene.org, personId, a.id, scene.today).some(
        (g) => !g.blocked,
      ),
  );
}

export function recipientValue(to: Recipient): string {
  return to.kind === 'person' ? `person:${to.id}` : `role:${to.unitId}:${to.role}`;
}

export function parseRecipient(value: string): Recipient | undefined {
  const person = /^person:(.{1,100})$/.exec(value);
  if (person) return { kind: 'person', id: person[1] };
  const role = /^role:([^:]{1,100}):(.{1,40})$/.exec(value);
  if (role && (ROLES as readonly string[]).includes(role[2]))
    return { kind: 'role', unitId: role[1], role: role[2] as Role };
  return undefined;
}

/** The people below the delegator, and the leader roles of the units below them. */
export function recipientsBelow(scene: DelegationScene, delegatorId: string): Recipient[] {
  const { org } = scene;
  const units = unitsLedBy(org, delegatorId).flatMap((u) => unitAndBelow(org, u.id));
  const roles: Recipient[] = [...new Map(units.map((u) => [u.id, u])).values()]
    .filter((u) => u.leaderId && u.leaderId !== delegatorId)
    .map((u) => ({ kind: 'role', role: org.people.get(u.leaderId!)!.role, unitId: u.id }));
  const people: Recipient[] = [...org.people.values()]
    .map((p): Recipient => ({ kind: 'person', id: p.id }))
    .filter((to) => isBelow(org, delegatorId, to));
  return [...roles, ...people].filter((to) => isBelow(org, delegatorId, to));
}

export function formCard(
  scene: DelegationScene,
  delegatorId: string,
  formId: string,
  values: Partial<FormValues> = {},
  errors: string[] = [],
): Card {
  const t = cardTexts(scene.language);
  const names = namesOf(scene);
  const areas = passableAreas(scene, delegatorId).map((a) => ({
    title: a.name[scene.language],
    value: a.id,
  }));
  const recipients = recipientsBelow(scene, delegatorId).map((to) => ({
    title:
      to.kind === 'person'
        ? personName(to.id, names, scene.language)
        : recipientName(to, names, scene.language),
    value: recipientValue(to),
  }));
  return renderCard('delegations/form', {
    t,
    formId,
    errors: errors.map((text) => ({ text })),
    areas,
    recipients,
    values: { ...EMPTY, ...values },
  });
}

/** The form's values as typed (kept when the form comes back with errors). */
export function formValues(data: Record<string, unknown>): FormValues {
  const value = (key: keyof FormValues) => stringIn(data[key]).slice(0, 1000);
  return {
    areaId: value('areaId'),
    to: value('to'),
    limitNok: value('limitNok'),
    validFrom: value('validFrom'),
    validTo: value('validTo'),
    blocked: value('blocked') === 'true' ? 'true' : 'false',
    conditions: value('conditions'),
  };
}

/** A limit typed as "100 000", "100000" or "100.000 kr": whole kroner, or NaN. */
export function parseLimit(text: string): number | undefined {
  const cleaned = text.replace(/kr|nok|[\s\u00a0.,]/gi, '');
  if (cleaned === '') return undefined;
  return /^\d{1,13}$/.test(cleaned) ? Number(cleaned) : Number.NaN;
}

/** The form's values to a draft, or the problems the form itself can see. */
export function draftFrom(
  scene: DelegationScene,
  values: FormValues,
): { ok: true; draft: GrantDraft } | { ok: false; errors: string[] } {
  const t = cardTexts(scene.language);
  const errors: string[] = [];
  const to = parseRecipient(values.to);
  if (!values.areaId) errors.push(t.chooseArea);
  if (!to) errors.push(t.chooseRecipient);
  const limitNok = parseLimit(values.limitNok);
  if (limitNok !== undefined && Number.isNaN(limitNok)) errors.push(t.badLimitText);
  const date = (v: string) => (v ? v : undefined);
  const draft: GrantDraft = {
    areaId: values.areaId,
    to: to ?? { kind: 'person', id: '' },
    ...(limitNok !== undefined && !Number.isNaN(limitNok) ? { limitNok } : {}),
    ...(date(values.validFrom) ? { validFrom: values.validFrom } : {}),
    ...(date(values.validTo) ? { validTo: values.validTo } : {}),
    ...(values.conditions ? { conditions: values.conditions } : {}),
    blocked: values.blocked === 'true',
  };
  // Dates that are no dates are the rules' refusal (bad-date), named in the user's language.
  return errors.length ? { ok: false, errors } : { ok: true, draft };
}
