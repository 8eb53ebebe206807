/**
 * Removing a person, and optionally every text, from a case: what a row becomes, and the plan
 * for one case (carried out by the store, case-scrub-store.ts).
 */
export const ANONYMISED_ID = 'anonymised';
export const PRIVACY_ROW_PREFIX = 'privacy-';

/** Free text a case can hold (the record, its events, measures stored as rows of their own). */
const TEXT_FIELDS = [
  'description',
  'immediateAction',
  'suggestion',
  'cause',
  'closingMeasures',
  'rejectReason',
  'note',
  'text',
];
/** Required strings (the record's description, a measure's text): emptied, not removed. */
const KEPT_EMPTY = new Set(['description', 'text']);
/** Fields that name a person. */
const PERSON_FIELDS = ['actorId', 'targetId', 'byId', 'ownerId', 'assigneeId', 'personId'];

export interface Scrub {
  /** The person to remove (the reporter for retention; the erased person). */
  personId: string;
  /** Remove every text too (retention), or only the person (erasure). */
  texts: boolean;
}

export type Row = Record<string, unknown>;

/** The row with the person (and the texts) removed; undefined when nothing changes. */
export function scrubbedRow(row: Row, scrub: Scrub): Row | undefined {
  const next: Row = { ...row };
  if (scrub.texts)
    for (const field of TEXT_FIELDS) {
      if (next[field] === undefined) continue;
      if (KEPT_EMPTY.has(field)) next[field] = '';
      else delete next[field];
    }
  if (next.reporterId === scrub.personId) {
    next.reporterId = '';
    next.reporterName = '';
  }
  for (const field of PERSON_FIELDS)
    if (next[field] === scrub.personId) next[field] = ANONYMISED_ID;
  if (typeof next.measures === 'string') next.measures = scrubbedMeasures(next.measures, scrub);
  const changed = Object.keys({ ...row, ...next }).some((k) => row[k] !== next[k]);
  return changed ? next : undefined;
}

function scrubbedMeasures(json: string, scrub: Scrub): string {
  try {
    const measures = JSON.parse(json) as Row[];
    if (!Array.isArray(measures)) return json;
    return JSON.stringify(measures.map((m) => scrubbedRow(m, scrub) ?? m));
  } catch {
    return json;
  }
}

export interface CaseScrub extends Scrub {
  ref: string;
  /** The audit row written with the record: RowKey `privacy-<name>`, its fields. */
  audit: { name: string; fields: Row };
  /** Outbox rows of the case to delete: all of them, or those addressed to the person. */
  messages: 'all' | 'person';
  /** Posted card copies to forget: every copy, or the person's own. */
  copies: 'all' | 'person';
  /** Delete the case's access log too (retention: the texts it pointed at are gone). */
  dropAccessLog: boolean;
}

export type ScrubOutcome = 'done' | 'already done' | 'not found';
