import ical, { ICalEventBusyStatus, ICalEventTransparency } from 'ical-generator';
import { fill, formatDate, strings, type Language } from '../i18n';
import { osloDateOf } from '../time/working-time';
import { shownStatus, type Activity, type Occurrence } from './arshjul';

/**
 * The årshjul as an iCalendar feed (RFC 5545) that Outlook and other clients subscribe to:
 * one whole-day event per occurrence on its deadline. Pure: no I/O.
 *
 * What the feed may hold: activity names, what is due, the legal basis, unit names and owner
 * *roles*. Never a person (no doneBy, no sign-off note, no Entra ids), since anyone who has the
 * link can read it.
 *
 * Dates: a whole-day event is a calendar date and carries no time zone, so the generator is
 * given no time zone either. ical-generator 10 formats DTSTAMP and LAST-MODIFIED as *floating*
 * local times of the Node process (no Z) and whole-day dates from the process' local date once
 * a calendar time zone is set; without one it writes UTC instants and UTC dates, which is what
 * RFC 5545 asks for. Europe/Oslo is announced with X-WR-TIMEZONE only (added to the text:
 * the generator writes X- properties after the events, where RFC 5545's grammar has none).
 */

/** An occurrence as the feed reads it: `Occurrence` and the index's rows both fit. */
export type FeedOccurrence = Pick<
  Occurrence,
  | 'ref'
  | 'activityId'
  | 'unitId'
  | 'ownerRole'
  | 'nominal'
  | 'deadline'
  | 'status'
  | 'doneAt'
  | 'sequence'
>;

export interface CalendarFeedInput {
  /** X-WR-CALNAME: what the subscriber sees as the calendar's name (see feedTitle). */
  title: string;
  language: Language;
  occurrences: readonly FeedOccurrence[];
  activities: ReadonlyMap<string, Activity>;
  /** Unit id → unit name. */
  unitNames: ReadonlyMap<string, string>;
  /** DTSTAMP: when the feed is drawn. */
  now: Date;
  /** Oslo dates 'YYYY-MM-DD', inclusive: an occurrence is in the feed when its deadline is. */
  from: string;
  to: string;
}

export const FEED_TIME_ZONE = 'Europe/Oslo';
/** Asked of clients that honour it (classic Outlook does: X-PUBLISHED-TTL, REFRESH-INTERVAL). */
export const FEED_REFRESH_SECONDS = 3600;
const UID_DOMAIN = 'internkontroll';

const FEED_TEXT = {
  nb: {
    calendar: 'Årshjul',
    moved: 'Flyttet fra {nominal} (helg/helligdag)',
  },
  en: {
    calendar: 'Annual cycle',
    moved: 'Moved from {nominal} (weekend/public holiday)',
  },
} as const;

/** "Årshjul – Heim kommune", "Årshjul – Sentrum barnehage (Heim kommune)". */
export function feedTitle(
  municipality: string,
  unitName: string | undefined,
  language: Language,
): string {
  const base = FEED_TEXT[language].calendar;
  const place = municipality.trim();
  const unit = unitName?.trim();
  if (unit) return place ? `${base} – ${unit} (${place})` : `${base} – ${unit}`;
  return place ? `${base} – ${place}` : base;
}

/** The stable UID of an occurrence's event: its deterministic reference, as plain ASCII. */
export function occurrenceUid(ref: string): string {
  return `${encodeURIComponent(ref)}@${UID_DOMAIN}`;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function calendarFeed(input: CalendarFeedInput): string {
  const { now } = input;
  const calendar = ical({
    name: input.title,
    // PRODID:-//Internkontroll//Årshjul//NB
    prodId: { company: 'Internkontroll', product: 'Årshjul', language: 'NB' },
    scale: 'gregorian',
    ttl: FEED_REFRESH_SECONDS,
  });
  const today = osloDateOf(now);
  const shown = input.occurrences
    .filter((o) => ISO_DATE.test(o.deadline) && o.deadline >= input.from && o.deadline <= input.to)
    .sort((a, b) => a.deadline.localeCompare(b.deadline) || a.ref.localeCompare(b.ref));
  for (const o of shown) {
    const activity = input.activities.get(o.activityId);
    const url = lovdataUrl(activity);
    calendar.createEvent({
      id: occurrenceUid(o.ref),
      sequence: o.sequence,
      stamp: now,
      lastModified: lastModified(o, now),
      allDay: true,
      start: dateOnly(o.deadline),
      end: dateOnly(o.deadline, 1),
      summary: summaryOf(o, activity, input),
      description: descriptionOf(o, activity, input, today),
      url,
      // A deadline is not a meeting: it must not make the day look busy.
      transparency: ICalEventTransparency.TRANSPARENT,
      busystatus: ICalEventBusyStatus.FREE,
    });
  }
  return withCalendarLine(calendar.toString(), `X-WR-TIMEZONE:${FEED_TIME_ZONE}`);
}

/**
 * Adds a calendar property before the first component (calendar properties come first in
 * RFC 5545) and ends the text with CRLF, as every content line must (the generator omits it
 * after END:VCALENDAR).
 */
function withCalendarLine(ics: string, line: string): string {
  const text = ics.endsWith('\r\n') ? ics : `${ics}\r\n`;
  const at = text.search(/\r\n(?:BEGIN:VEVENT|END:VCALENDAR)\r\n/);
  return `${text.slice(0, at + 2)}${line}\r\n${text.slice(at + 2)}`;
}

/** Midnight UTC of an Oslo calendar date (plus days): the generator writes its UTC date. */
function dateOnly(date: string, plusDays = 0): Date {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + plusDays));
}

/** The sign-off is the last change the feed knows of; otherwise the feed's own time. */
function lastModified(o: FeedOccurrence, now: Date): Date {
  const done = o.status === 'done' && o.doneAt ? new Date(o.doneAt) : undefined;
  return done && !Number.isNaN(done.getTime()) && done <= now ? done : now;
}

function unitName(o: FeedOccurrence, input: CalendarFeedInput): string | undefined {
  return o.unitId ? input.unitNames.get(o.unitId) : undefined;
}

/** "Virksomhetsplan – Sentrum barnehage"; an activity removed from the file shows its id. */
function summaryOf(
  o: FeedOccurrence,
  activity: Activity | undefined,
  input: CalendarFeedInput,
): string {
  const name = activity?.name[input.language] ?? o.activityId;
  const unit = unitName(o, input);
  return unit ? `${name} – ${unit}` : name;
}

/** What is due, the owner (a role or "leder for <unit>"), the legal basis, the status. */
function descriptionOf(
  o: FeedOccurrence,
  activity: Activity | undefined,
  input: CalendarFeedInput,
  today: string,
): string {
  const t = strings(input.language).arshjul;
  const lines: string[] = [];
  if (activity) lines.push(activity.due[input.language]);
  const unit = unitName(o, input);
  const owner = o.ownerRole ?? (unit ? fill(t.leaderOf, { unit }) : undefined);
  if (owner) lines.push(`${t.owner}: ${owner}`);
  const basis = activity?.legalBasis;
  if (basis) {
    const url = lovdataUrl(activity);
    const cited = `${basis.law} ${basis.section}`.trim();
    lines.push(`${t.legalBasis}: ${url ? `${cited} (${url})` : cited}`);
  }
  lines.push(`${t.status}: ${t.statuses[shownStatus(o, today)]}`);
  if (o.deadline !== o.nominal)
    lines.push(
      fill(FEED_TEXT[input.language].moved, { nominal: formatDate(o.nominal, input.language) }),
    );
  return lines.join('\n');
}

/**
 * The Lovdata link as a URI: Lovdata's paths hold '§', which a URI must percent-encode
 * (RFC 3986); only http(s) links are given out.
 */
function lovdataUrl(activity: Activity | undefined): string | undefined {
  const raw = activity?.legalBasis?.url;
  if (!raw) return undefined;
  try {
    const url = new URL(raw);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}
