import { fill, strings } from '../i18n';
import type { Actor } from '../kernel/actor';
import { asShownText, notice, renderCard, type Card } from '../kernel/card-templates';
import { isInLineAbove, isLeaderRole, unitsLedBy } from '../org/organisation';
import type { Occurrence } from './arshjul';
import { readArshjulScene } from './arshjul-actions';
import { addMonths } from './arshjul-time';
import {
  listCard,
  listRow,
  ownerLabel,
  statusCard,
  statusRows,
  type ArshjulScene,
  type StatusRow,
} from './arshjul-views';
import { calendarFeed, feedTitle } from './calendar-feed';
import { ownerOf } from './occurrences';
import type { ArshjulDeps, IndexedOccurrence } from './ports';

/** What typed text asks of the årshjul; undefined when it is not an årshjul command. */
export type ArshjulCommand =
  | { kind: 'month'; arg: string }
  | { kind: 'mine' }
  | { kind: 'status'; arg: string }
  | { kind: 'calendar' };

const MAX_COMMAND = 200;

export function parseArshjulCommand(text: string | undefined): ArshjulCommand | undefined {
  const t = (text ?? '')
    .slice(0, MAX_COMMAND + 1)
    .trim()
    .toLocaleLowerCase('nb-NO');
  if (t.length > MAX_COMMAND) return undefined;
  const plain = t.replace(/[.!?]+$/, '').replace(/\s+/g, ' ');
  if (plain === 'mine frister' || plain === 'my deadlines') return { kind: 'mine' };
  const head = ['årshjul', 'årshjulet', 'arshjul', 'annual cycle'].find(
    (w) => plain === w || plain.startsWith(`${w} `),
  );
  if (!head) return undefined;
  const arg = plain.slice(head.length).trim();
  if (arg === 'kalender' || arg === 'calendar') return { kind: 'calendar' };
  if (arg === 'status' || arg.startsWith('status '))
    return { kind: 'status', arg: arg.slice(6).trim() };
  return { kind: 'month', arg };
}

/** "mars", "mars 2027", "March", "3", "2027-03"; undefined when it names no month. */
export function parseMonth(
  arg: string,
  today: string,
): { year: number; month: number } | undefined {
  const [thisYear, thisMonth] = today.split('-').map(Number);
  const iso = /^(\d{4})-(\d{1,2})$/.exec(arg);
  if (iso) {
    const month = Number(iso[2]);
    return month >= 1 && month <= 12 ? { year: Number(iso[1]), month } : undefined;
  }
  const m = /^(\p{L}+|\d{1,2})(?:\s+(\d{4}))?$/u.exec(arg);
  if (!m) return undefined;
  let month = /^\d+$/.test(m[1]) ? Number(m[1]) : 0;
  if (!month) {
    const word = m[1].toLocaleLowerCase('nb-NO');
    const names = [strings('nb').arshjul.months, strings('en').arshjul.months];
    for (const list of names) {
      const i = list.findIndex(
        (n) => word.length >= 3 && n.toLocaleLowerCase('nb-NO').startsWith(word),
      );
      if (i >= 0) month = i + 1;
    }
  }
  if (month < 1 || month > 12) return undefined;
  // Without a year: the next time that month comes (this month counts as now).
  const year = m[2] ? Number(m[2]) : month < thisMonth ? thisYear + 1 : thisYear;
  return { year, month };
}

/** The årshjul in chat: months, my deadlines, the status overview, the calendar links. */
export class ArshjulService {
  constructor(private readonly deps: ArshjulDeps) {}

  async run(actor: Actor, command: ArshjulCommand): Promise<Card> {
    const scene = await readArshjulScene(this.deps, actor.language);
    if (scene.activities.size === 0) return notice(strings(actor.language).arshjul.notImported);
    switch (command.kind) {
      case 'month':
        return this.months(scene, actor, command.arg);
      case 'mine':
        return this.mine(scene, actor);
      case 'status':
        return this.status(scene, actor, command.arg);
      case 'calendar':
        return this.calendar(scene, actor);
    }
  }

  private async occurrences(years: number[]): Promise<IndexedOccurrence[]> {
    const all = await Promise.all([...new Set(years)].map((y) => this.deps.index.inYear(y)));
    return all
      .flat()
      .sort((a, b) => a.deadline.localeCompare(b.deadline) || a.ref.localeCompare(b.ref));
  }

  private async months(scene: ArshjulScene, actor: Actor, arg: string): Promise<Card> {
    const t = strings(actor.language).arshjul;
    let months: { year: number; month: number }[];
    if (!arg) {
      const first = {
        year: Number(scene.today.slice(0, 4)),
        month: Number(scene.today.slice(5, 7)),
      };
      const next = addMonths(`${first.year}-${pad(first.month)}-01`, 1);
      months = [first, { year: Number(next.slice(0, 4)), month: Number(next.slice(5, 7)) }];
    } else {
      const one = parseMonth(arg, scene.today);
      if (!one) return notice(fill(t.unknownMonth, { text: asShownText(arg.slice(0, 40)) }));
      months = [one];
    }
    const occurrences = (await this.occurrences(months.map((m) => m.year))).filter((o) =>
      visibleTo(scene, o, actor.id),
    );
    const label = (m: { year: number; month: number }) => `${t.months[m.month - 1]} ${m.year}`;
    const sections = months.map((m) => {
      const prefix = `${m.year}-${pad(m.month)}`;
      const rows = occurrences
        .filter((o) => o.deadline.startsWith(prefix))
        .map((o) => listRow(scene, o, ownerLabel(scene, o)));
      return {
        heading: label(m),
        empty: rows.length ? '' : fill(t.monthEmpty, { month: label(m) }),
        rows,
      };
    });
    return listCard(
      fill(t.monthTitle, { months: months.map(label).join(` ${t.and} `) }),
      '',
      sections,
      scene.language,
    );
  }

  private async mine(scene: ArshjulScene, actor: Actor): Promise<Card> {
    const t = strings(actor.language).arshjul;
    const year = Number(scene.today.slice(0, 4));
    const mine = (await this.occurrences([year - 1, year, year + 1])).filter(
      (o) => o.status === 'open' && ownerOf(o, scene.org)?.id === actor.id,
    );
    const rows = mine.map((o) => listRow(scene, o, ''));
    return listCard(
      t.mineTitle,
      '',
      [{ heading: '', empty: rows.length ? '' : t.mineEmpty, rows }],
      scene.language,
    );
  }

  /** For the rådmann, the assistant, and leaders of units that own organisation-wide activities. */
  mayReadStatus(scene: ArshjulScene, actorId: string): boolean {
    const person = scene.org.people.get(actorId);
    if (!person) return false;
    if (person.role === 'rådmann' || person.role === 'assisterende rådmann') return true;
    const owningUnits = [...scene.activities.values()]
      .map((a) => ('unit' in a.owner ? a.owner.unit : undefined))
      .filter((u): u is string => Boolean(u));
    return owningUnits.some((u) => scene.org.units.get(u)?.leaderId === actorId);
  }

  async statusRows(scene: ArshjulScene, year: number): Promise<StatusRow[]> {
    return statusRows(scene, await this.deps.index.inYear(year));
  }

  private async status(scene: ArshjulScene, actor: Actor, arg: string): Promise<Card> {
    if (!this.mayReadStatus(scene, actor.id))
      return notice(strings(actor.language).arshjul.statusNotAllowed);
    const year = /^\d{4}$/.test(arg) ? Number(arg) : Number(scene.today.slice(0, 4));
    return statusCard(scene, year, await this.statusRows(scene, year));
  }

  private async calendar(scene: ArshjulScene, actor: Actor): Promise<Card> {
    const t = strings(actor.language).arshjul;
    const person = scene.org.people.get(actor.id);
    const led = unitsLedBy(scene.org, actor.id);
    if (!person || (!isLeaderRole(person.role) && led.length === 0))
      return notice(t.calendarNotLeader);
    const feeds = [
      { name: t.calendarOrg, id: 'org' },
      ...led.map((u) => ({ name: u.name, id: `unit:${u.id}` })),
    ];
    const withLinks = await Promise.all(
      feeds.map(async (f) => ({
        name: f.name,
        url: this.feedUrl(await this.deps.feeds.linkFor(f.id)),
      })),
    );
    return renderCard('arshjul/calendar', {
      title: t.calendarTitle,
      intro: t.calendarIntro,
      feeds: withLinks,
    });
  }

  feedUrl(secret: string): string {
    return `${this.deps.publicUrl.replace(/\/+$/, '')}/calendar/${secret}.ics`;
  }

  /** The iCalendar text of a feed ('org' or 'unit:<id>'), or undefined for an unknown unit. */
  async renderFeed(feedId: string): Promise<string | undefined> {
    const scene = await readArshjulScene(this.deps, 'nb');
    const unitId = feedId.startsWith('unit:') ? feedId.slice(5) : undefined;
    if (feedId !== 'org' && (!unitId || !scene.org.units.has(unitId))) return undefined;
    // This year so far (what was done stays in the calendar) and the horizon ahead.
    const from = `${scene.today.slice(0, 4)}-01-01`;
    const to = addMonths(scene.today, this.deps.settings.horizonMonths);
    const years = range(Number(from.slice(0, 4)), Number(to.slice(0, 4)));
    const occurrences = (await this.occurrences(years)).filter((o) =>
      unitId ? o.unitId === unitId : isOrganisationWide(scene, o),
    );
    return calendarFeed({
      title: feedTitle(scene.municipality, unitId && scene.org.units.get(unitId)?.name, 'nb'),
      language: 'nb',
      occurrences: occurrences as Occurrence[],
      activities: scene.activities,
      unitNames: new Map([...scene.org.units.values()].map((u) => [u.id, u.name])),
      now: scene.now,
      from,
      to,
    });
  }
}

function isOrganisationWide(scene: ArshjulScene, o: IndexedOccurrence): boolean {
  const activity = scene.activities.get(o.activityId);
  return !activity || !('unitLeaders' in activity.owner);
}

/** Organisation-wide occurrences are for everyone; a unit's own for its people and its line. */
function visibleTo(scene: ArshjulScene, o: IndexedOccurrence, actorId: string): boolean {
  if (isOrganisationWide(scene, o) || !o.unitId) return true;
  const person = scene.org.people.get(actorId);
  return person?.unitId === o.unitId || isInLineAbove(scene.org, o.unitId, actorId);
}

const pad = (n: number) => String(n).padStart(2, '0');
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);
