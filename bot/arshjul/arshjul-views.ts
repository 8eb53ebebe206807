import { fill, formatDate, strings, type Language } from '../i18n';
import type { ActionScene } from '../kernel/card-action';
import type { CardSigner } from '../kernel/card-signing';
import { asShownText, renderCard, type Card } from '../kernel/card-templates';
import type { Organisation } from '../org/organisation';
import { osloDateOf } from '../time/working-time';
import { shownStatus, type Activity, type ArshjulFile, type Occurrence } from './arshjul';
import { ARSHJUL_KIND, ARSHJUL_VERBS } from './arshjul-rules';
import { ownerOf } from './occurrences';
import type { IndexedOccurrence } from './ports';

/** What the årshjul's cards see, read once per use case: organisation, the file, language, now. */
export interface ArshjulScene extends ActionScene {
  municipality: string;
  activities: ReadonlyMap<string, Activity>;
  /** Oslo date of `now`. */
  today: string;
}

export function arshjulScene(
  org: Organisation,
  file: ArshjulFile | undefined,
  language: Language,
  now: Date,
): ArshjulScene {
  return {
    org,
    language,
    now,
    municipality: file?.municipality ?? '',
    activities: new Map((file?.activities ?? []).map((a) => [a.id, a])),
    today: osloDateOf(now),
  };
}

type Shown = Pick<Occurrence, 'activityId' | 'unitId' | 'ownerRole' | 'year'>;

/** "Virksomhetsplan – Sentrum barnehage"; an activity removed from the file shows its id. */
export function occurrenceTitle(scene: ArshjulScene, o: Shown): string {
  const name = scene.activities.get(o.activityId)?.name[scene.language] ?? o.activityId;
  const unit = o.unitId && scene.org.units.get(o.unitId)?.name;
  return unit ? `${name} – ${unit}` : name;
}

/** Who owns it, by name, and why: "Nina Holm (leder for Økonomi)". */
export function ownerLabel(scene: ArshjulScene, o: Shown): string {
  const t = strings(scene.language).arshjul;
  const person = ownerOf(o, scene.org);
  const why = o.ownerRole
    ? o.ownerRole
    : fill(t.leaderOf, { unit: (o.unitId && scene.org.units.get(o.unitId)?.name) || '' });
  return person ? `${person.name} (${why})` : `${t.nobody} (${why})`;
}

const STATUS_COLOR = { done: 'Good', open: 'Default', overdue: 'Attention' } as const;

export function statusText(scene: ArshjulScene, o: Pick<Occurrence, 'status' | 'deadline'>) {
  const status = shownStatus(o, scene.today);
  return { text: strings(scene.language).arshjul.statuses[status], color: STATUS_COLOR[status] };
}

export function deadlineText(scene: ArshjulScene, o: Pick<Occurrence, 'deadline' | 'nominal'>) {
  const date = formatDate(o.deadline, scene.language);
  if (o.deadline === o.nominal) return date;
  return fill(strings(scene.language).arshjul.moved, {
    date,
    nominal: formatDate(o.nominal, scene.language),
  });
}

export interface OccurrenceShown {
  headline?: string;
  headlineColor?: 'Attention' | 'Warning' | 'Good' | 'Default';
  /** A help request's text, for the leader who is asked. */
  helpText?: string;
  notice?: string;
  noticeColor?: 'Attention' | 'Warning';
}

/** The occurrence card: what is due, when, who owns it, the legal basis, and the buttons. */
export function occurrenceCard(
  scene: ArshjulScene,
  o: Occurrence,
  options: { signer: CardSigner; mayAct: boolean } & OccurrenceShown,
): Card {
  const t = strings(scene.language).arshjul;
  const activity = scene.activities.get(o.activityId);
  const status = statusText(scene, o);
  const doneByName = o.doneBy ? (scene.org.people.get(o.doneBy)?.name ?? o.doneBy) : '';
  const open = o.status === 'open';
  return renderCard('arshjul/occurrence', {
    t,
    ref: o.ref,
    rev: o.rev,
    sig: options.signer.signAll(ARSHJUL_KIND, o.ref, o.rev, Object.values(ARSHJUL_VERBS)),
    canAct: open && options.mayAct,
    headline: options.headline ?? '',
    headlineColor: options.headlineColor ?? 'Default',
    title: occurrenceTitle(scene, o),
    due: activity?.due[scene.language] ?? '',
    deadline: deadlineText(scene, o),
    owner: ownerLabel(scene, o),
    unit: '',
    status: status.text,
    legal: activity?.legalBasis ? `${activity.legalBasis.law} ${activity.legalBasis.section}` : '',
    legalUrl: activity?.legalBasis?.url ?? '',
    helpText: options.helpText ? fill(t.helpAsked, { text: asShownText(options.helpText) }) : '',
    doneText:
      o.status === 'done' && o.doneAt
        ? fill(t.doneBy, { name: doneByName, date: formatDate(o.doneAt, scene.language) })
        : '',
    doneNote: o.doneNote ? fill(t.doneNote, { note: asShownText(o.doneNote) }) : '',
    notice: options.notice ?? '',
    noticeColor: options.noticeColor ?? 'Attention',
  });
}

export interface ListRow {
  date: string;
  name: string;
  detail: string;
  status: string;
  statusColor: string;
}

export function listRow(scene: ArshjulScene, o: IndexedOccurrence, detail: string): ListRow {
  const status = statusText(scene, o);
  return {
    date: formatDate(o.deadline, scene.language),
    name: occurrenceTitle(scene, o),
    detail,
    status: status.text,
    statusColor: status.color,
  };
}

/** The most rows one list card carries, over all its sections (a month of per-unit deadlines can be hundreds). */
export const LIST_MAX_ROWS = 60;

/**
 * A list of deadlines by section (month). Past LIST_MAX_ROWS the rest is left out, and the
 * section says how many it shows and how to see the others (one month at a time).
 */
export function listCard(
  title: string,
  intro: string,
  sections: { heading: string; empty: string; rows: ListRow[] }[],
  language: Language,
): Card {
  let room = LIST_MAX_ROWS;
  const bounded = sections.map((section) => {
    const shown = section.rows.slice(0, room);
    room -= shown.length;
    if (shown.length === section.rows.length) return section;
    const more = fill(strings(language).arshjul.listMore, {
      shown: shown.length,
      total: section.rows.length,
    });
    return { ...section, empty: more, rows: shown };
  });
  return renderCard('arshjul/list', { title, intro, sections: bounded });
}

/** Per activity of a year: how many occurrences are done, open and overdue. */
export interface StatusRow {
  activityId: string;
  name: string;
  done: number;
  open: number;
  overdue: number;
}

export function statusRows(scene: ArshjulScene, occurrences: IndexedOccurrence[]): StatusRow[] {
  const rows = new Map<string, StatusRow>();
  for (const o of occurrences) {
    const row = rows.get(o.activityId) ?? {
      activityId: o.activityId,
      name: scene.activities.get(o.activityId)?.name[scene.language] ?? o.activityId,
      done: 0,
      open: 0,
      overdue: 0,
    };
    row[shownStatus(o, scene.today)]++;
    rows.set(o.activityId, row);
  }
  const order = [...scene.activities.keys()];
  const rank = (id: string) => (order.includes(id) ? order.indexOf(id) : order.length);
  return [...rows.values()].sort((a, b) => rank(a.activityId) - rank(b.activityId));
}

export function statusCard(scene: ArshjulScene, year: number, rows: StatusRow[]): Card {
  const t = strings(scene.language).arshjul;
  return renderCard('arshjul/status', {
    t: t.statusColumns,
    title: fill(t.statusTitle, { year }),
    intro: t.statusIntro,
    rows: rows.map((r) => ({
      name: r.name,
      done: String(r.done),
      open: String(r.open),
      overdue: String(r.overdue),
      overdueColor: r.overdue > 0 ? 'Attention' : 'Default',
    })),
  });
}

/** The same as CSV (RFC 4180, `;`-free): activity id, name, done, open, overdue. */
export function statusCsv(rows: StatusRow[]): string {
  const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
  return [
    'activity,name,done,open,overdue',
    ...rows.map((r) => [r.activityId, quote(r.name), r.done, r.open, r.overdue].join(',')),
  ].join('\r\n');
}
