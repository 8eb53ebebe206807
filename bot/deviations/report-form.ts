import { isRealDate } from '../time/calendar-date';
import {
  DEVIATION_TYPES,
  SEVERITIES,
  type Category,
  type DeviationType,
  type Severity,
} from './deviation';

/**
 * Server-side validation of the report form. Input is whatever the card sent (untrusted);
 * output is either a typed report or one error code per field, so the form can be shown
 * again with each error beside its field and every typed value kept.
 */

export const REPORT_FIELDS = [
  'type',
  'categoryId',
  'unitId',
  'occurredOn',
  'occurredTime',
  'description',
  'immediateAction',
  'suggestion',
  'severity',
  'anonymous',
] as const;
export type ReportField = (typeof REPORT_FIELDS)[number];

export const LIMITS = { description: 4000, immediateAction: 2000, suggestion: 2000 } as const;

export type FieldError =
  | 'required'
  | 'too_long'
  | 'invalid_choice'
  | 'invalid_date'
  | 'future_date'
  | 'too_old'
  | 'invalid_time';

export interface ReportInput {
  type: DeviationType;
  categoryId: string;
  unitId: string;
  occurredOn: string;
  occurredTime?: string;
  description: string;
  immediateAction?: string;
  suggestion?: string;
  severity: Severity;
  anonymous: boolean;
}

/** Raw values as typed, for re-showing the form. Only known fields, only strings. */
export type ReportDraft = Partial<Record<ReportField, string>>;

export type ReportValidation =
  | { ok: true; report: ReportInput }
  | { ok: false; errors: Partial<Record<ReportField, FieldError>>; draft: ReportDraft };

export function draftFrom(data: unknown): ReportDraft {
  const draft: ReportDraft = {};
  if (!data || typeof data !== 'object') return draft;
  for (const field of REPORT_FIELDS) {
    const value = (data as Record<string, unknown>)[field];
    if (typeof value === 'string') draft[field] = value.slice(0, 20000);
    else if (typeof value === 'boolean') draft[field] = String(value);
  }
  return draft;
}

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const OLDEST_YEARS = 5;

/** sv-SE formats dates as YYYY-MM-DD; built once (building a formatter is the costly part). */
const OSLO_DATE = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Oslo' });

/** Today's date in Europe/Oslo as YYYY-MM-DD. */
export function osloDate(now: Date): string {
  return OSLO_DATE.format(now);
}

export function validateReport(
  data: unknown,
  context: { categories: Category[]; unitIds: ReadonlySet<string>; now: Date },
): ReportValidation {
  const draft = draftFrom(data);
  const errors: Partial<Record<ReportField, FieldError>> = {};
  const text = (field: ReportField) => (draft[field] ?? '').trim();

  const type = text('type');
  if (!type) errors.type = 'required';
  else if (!(DEVIATION_TYPES as readonly string[]).includes(type)) errors.type = 'invalid_choice';

  const categoryId = text('categoryId');
  if (!categoryId) errors.categoryId = 'required';
  else if (!context.categories.some((c) => c.id === categoryId))
    errors.categoryId = 'invalid_choice';

  const unitId = text('unitId');
  if (!unitId) errors.unitId = 'required';
  else if (!context.unitIds.has(unitId)) errors.unitId = 'invalid_choice';

  const occurredOn = text('occurredOn');
  const today = osloDate(context.now);
  if (!occurredOn) errors.occurredOn = 'required';
  else if (!isRealDate(occurredOn)) errors.occurredOn = 'invalid_date';
  else if (occurredOn > today) errors.occurredOn = 'future_date';
  else if (occurredOn < `${Number(today.slice(0, 4)) - OLDEST_YEARS}${today.slice(4)}`)
    errors.occurredOn = 'too_old';

  const occurredTime = text('occurredTime');
  if (occurredTime && !TIME.test(occurredTime)) errors.occurredTime = 'invalid_time';

  const description = text('description');
  if (!description) errors.description = 'required';
  else if (description.length > LIMITS.description) errors.description = 'too_long';

  for (const field of ['immediateAction', 'suggestion'] as const) {
    if (text(field).length > LIMITS[field]) errors[field] = 'too_long';
  }

  const severity = text('severity');
  if (!severity) errors.severity = 'required';
  else if (!(SEVERITIES as readonly string[]).includes(severity))
    errors.severity = 'invalid_choice';

  const anonymous = text('anonymous') || 'false';
  if (anonymous !== 'true' && anonymous !== 'false') errors.anonymous = 'invalid_choice';

  if (Object.keys(errors).length > 0) return { ok: false, errors, draft };
  return {
    ok: true,
    report: {
      type: type as DeviationType,
      categoryId,
      unitId,
      occurredOn,
      occurredTime: occurredTime || undefined,
      description,
      immediateAction: text('immediateAction') || undefined,
      suggestion: text('suggestion') || undefined,
      severity: severity as Severity,
      anonymous: anonymous === 'true',
    },
  };
}
