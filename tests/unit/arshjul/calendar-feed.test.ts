import ICAL from 'ical.js';
import type { Activity, Occurrence } from '../../../bot/arshjul/arshjul';
import {
  calendarFeed,
  feedTitle,
  occurrenceUid,
  type CalendarFeedInput,
} from '../../../bot/arshjul/calendar-feed';
import { deadlineOnWorkingDay } from '../../../bot/time/working-time';

/**
 * The calendar feed, read back with an independent parser (Mozilla's ical.js): what Outlook
 * and other subscribers get.
 */

const PERSON_ID = '5f0c9a1e-7d2b-4c61-9a8e-1b2c3d4e5f60';
const PERSON_NAME = 'Kari Nordmann';

function activity(
  id: string,
  nb: string,
  en: string,
  extra: Partial<Activity> = {},
): [string, Activity] {
  return [
    id,
    {
      id,
      name: { nb, en },
      due: { nb: `${nb} skal være ferdig.`, en: `${en} is due.` },
      owner: { role: 'rådmann' },
      audience: { roles: [], channels: false },
      recurrence: { kind: 'yearly', date: '12-15' },
      leadDays: [30, 7, 1],
      ...extra,
    },
  ];
}

const activities = new Map<string, Activity>([
  activity('arsbudsjett', 'Årsbudsjett', 'Annual budget', {
    legalBasis: {
      law: 'kommuneloven',
      section: '§ 14-3',
      url: 'https://lovdata.no/lov/2018-06-22-83/§14-3',
    },
  }),
  activity('arsregnskap', 'Årsregnskap', 'Annual accounts', { owner: { unit: 'okonomi' } }),
  activity('internkontroll', 'Internkontroll', 'Internal control', {
    owner: { unitLeaders: ['enhet'] },
  }),
  activity('virksomhetsplan', 'Virksomhetsplan', 'Business plan', {
    owner: { unitLeaders: ['enhet'] },
  }),
]);

const unitNames = new Map([
  ['okonomi', 'Økonomi'],
  ['sentrum-bhg', 'Sentrum barnehage'],
]);

function occurrence(
  fields: Partial<Occurrence> & Pick<Occurrence, 'ref' | 'activityId' | 'nominal'>,
): Occurrence {
  return {
    rev: 1,
    year: Number(fields.nominal.slice(0, 4)),
    index: 1,
    deadline: fields.nominal,
    status: 'open',
    helpCount: 0,
    sequence: 0,
    ...fields,
  };
}

const NOW = new Date('2026-11-27T09:00:00Z');
const FROM = '2026-11-27';
const TO = '2028-11-27';

const occurrences: Occurrence[] = [
  // On the window's first day, owned by a role, with a legal basis.
  occurrence({
    ref: 'AH-2026-arsbudsjett-2',
    activityId: 'arsbudsjett',
    ownerRole: 'rådmann',
    nominal: '2026-11-27',
  }),
  // Sunday 28 February 2027: the deadline is Monday 1 March. A named unit's leader owns it.
  occurrence({
    ref: 'AH-2027-arsregnskap-1',
    activityId: 'arsregnskap',
    unitId: 'okonomi',
    nominal: '2027-02-28',
    deadline: '2027-03-01',
    sequence: 1,
  }),
  // Per unit; 17 May 2027 is Constitution Day (a Monday): moved to the 18th, twice moved.
  occurrence({
    ref: 'AH-2027-internkontroll-1-sentrum-bhg',
    activityId: 'internkontroll',
    unitId: 'sentrum-bhg',
    nominal: '2027-05-17',
    deadline: '2027-05-18',
    sequence: 2,
  }),
  // Done, signed off by a person whose id, name and note must stay out of the feed.
  occurrence({
    ref: 'AH-2026-virksomhetsplan-1-sentrum-bhg',
    activityId: 'virksomhetsplan',
    unitId: 'sentrum-bhg',
    nominal: '2026-12-01',
    status: 'done',
    doneAt: '2026-11-20T10:15:00.000Z',
    doneBy: PERSON_ID,
    doneNote: `Levert av ${PERSON_NAME}`,
    lastActionId: 'act-1',
  }),
  // The last day of the window (inclusive).
  occurrence({
    ref: 'AH-2028-arsbudsjett-2',
    activityId: 'arsbudsjett',
    ownerRole: 'rådmann',
    nominal: '2028-11-27',
  }),
  // Outside the window: after 24 months, and yesterday.
  occurrence({
    ref: 'AH-2028-arsbudsjett-3',
    activityId: 'arsbudsjett',
    ownerRole: 'rådmann',
    nominal: '2028-11-28',
  }),
  occurrence({
    ref: 'AH-2026-arsbudsjett-1',
    activityId: 'arsbudsjett',
    ownerRole: 'rådmann',
    nominal: '2026-11-26',
  }),
];

function input(extra: Partial<CalendarFeedInput> = {}): CalendarFeedInput {
  return {
    title: feedTitle('Heim kommune', undefined, 'nb'),
    language: 'nb',
    occurrences,
    activities,
    unitNames,
    now: NOW,
    from: FROM,
    to: TO,
    ...extra,
  };
}

function parse(text: string) {
  const calendar = new ICAL.Component(ICAL.parse(text));
  const events = calendar.getAllSubcomponents('vevent').map((vevent) => {
    const event = new ICAL.Event(vevent);
    const dtstart = vevent.getFirstProperty('dtstart');
    return {
      vevent,
      uid: event.uid,
      summary: event.summary,
      description: event.description,
      sequence: event.sequence,
      start: event.startDate.toString(),
      end: event.endDate.toString(),
      startIsDate: event.startDate.isDate && dtstart?.type === 'date',
      endIsDate: event.endDate.isDate,
      url: vevent.getFirstPropertyValue('url'),
      stamp: String(vevent.getFirstPropertyValue('dtstamp')),
      lastModified: String(vevent.getFirstPropertyValue('last-modified')),
    };
  });
  return { calendar, events, byUid: new Map(events.map((e) => [e.uid, e])) };
}

const uid = (ref: string) => `${ref}@internkontroll`;

describe('the årshjul calendar feed', () => {
  const text = calendarFeed(input());
  const { calendar, events, byUid } = parse(text);

  test('one whole-day event per occurrence in the window, both ends inclusive', () => {
    expect(events.map((e) => e.uid)).toEqual([
      uid('AH-2026-arsbudsjett-2'),
      uid('AH-2026-virksomhetsplan-1-sentrum-bhg'),
      uid('AH-2027-arsregnskap-1'),
      uid('AH-2027-internkontroll-1-sentrum-bhg'),
      uid('AH-2028-arsbudsjett-2'),
    ]);
    expect(text).not.toContain('AH-2028-arsbudsjett-3');
    expect(text).not.toContain('AH-2026-arsbudsjett-1@');
    for (const e of events) {
      expect(e.startIsDate).toBe(true);
      expect(e.endIsDate).toBe(true);
    }
    expect(text).toMatch(/^DTSTART;VALUE=DATE:20261127\r$/m);
  });

  test('the deadline is the event date: a weekend or holiday moves it to the next working day', () => {
    const sunday = byUid.get(uid('AH-2027-arsregnskap-1'))!;
    expect([sunday.start, sunday.end]).toEqual(['2027-03-01', '2027-03-02']);
    expect(deadlineOnWorkingDay('2027-02-28')).toBe('2027-03-01');
    expect(sunday.description).toContain('Flyttet fra 28.02.2027 (helg/helligdag)');

    const holiday = byUid.get(uid('AH-2027-internkontroll-1-sentrum-bhg'))!;
    expect([holiday.start, holiday.end]).toEqual(['2027-05-18', '2027-05-19']);
    expect(deadlineOnWorkingDay('2027-05-17')).toBe('2027-05-18');
    expect(holiday.description).toContain('Flyttet fra 17.05.2027 (helg/helligdag)');

    const unmoved = byUid.get(uid('AH-2026-arsbudsjett-2'))!;
    expect([unmoved.start, unmoved.end]).toEqual(['2026-11-27', '2026-11-28']);
    expect(unmoved.description).not.toContain('Flyttet');
  });

  test('SEQUENCE is the occurrence’s; DTSTAMP is now', () => {
    expect(events.map((e) => e.sequence)).toEqual([0, 0, 1, 2, 0]);
    for (const e of events) expect(e.stamp).toBe('2026-11-27T09:00:00Z');
    expect(byUid.get(uid('AH-2026-virksomhetsplan-1-sentrum-bhg'))!.lastModified).toBe(
      '2026-11-20T10:15:00Z',
    );
    expect(byUid.get(uid('AH-2027-arsregnskap-1'))!.lastModified).toBe('2026-11-27T09:00:00Z');
  });

  test('summary names the activity, and the unit when a unit owns it', () => {
    expect(events.map((e) => e.summary)).toEqual([
      'Årsbudsjett',
      'Virksomhetsplan – Sentrum barnehage',
      'Årsregnskap – Økonomi',
      'Internkontroll – Sentrum barnehage',
      'Årsbudsjett',
    ]);
  });

  test('description: what is due, the owner’s role, the legal basis with its link, the status', () => {
    const budget = byUid.get(uid('AH-2026-arsbudsjett-2'))!;
    expect(budget.description.split('\n')).toEqual([
      'Årsbudsjett skal være ferdig.',
      'Ansvarlig: rådmann',
      'Lovgrunnlag: kommuneloven § 14-3 (https://lovdata.no/lov/2018-06-22-83/%C2%A714-3)',
      'Status: Åpen',
    ]);
    expect(budget.url).toBe('https://lovdata.no/lov/2018-06-22-83/%C2%A714-3');

    const done = byUid.get(uid('AH-2026-virksomhetsplan-1-sentrum-bhg'))!;
    expect(done.description).toContain('Ansvarlig: leder for Sentrum barnehage');
    expect(done.description).toContain('Status: Utført');
    expect(done.url).toBeNull();
    expect(byUid.get(uid('AH-2027-arsregnskap-1'))!.description).toContain(
      'Ansvarlig: leder for Økonomi',
    );
  });

  test('no personal data: no person id, name or sign-off note', () => {
    expect(text).not.toContain(PERSON_ID);
    expect(text).not.toContain(PERSON_NAME);
    expect(text).not.toContain('act-1');
    expect(text).not.toMatch(/ORGANIZER|ATTENDEE|CONTACT/);
  });

  test('the calendar: name, product id, Oslo time zone, no alarms, busy-free deadlines', () => {
    expect(calendar.getFirstPropertyValue('version')).toBe('2.0');
    expect(calendar.getFirstPropertyValue('prodid')).toBe('-//Internkontroll//Årshjul//NB');
    expect(calendar.getFirstPropertyValue('x-wr-calname')).toBe('Årshjul – Heim kommune');
    expect(calendar.getFirstPropertyValue('x-wr-timezone')).toBe('Europe/Oslo');
    expect(calendar.getFirstPropertyValue('method')).toBeNull();
    expect(calendar.getAllSubcomponents('valarm')).toHaveLength(0);
    for (const e of events) {
      expect(e.vevent.getAllSubcomponents('valarm')).toHaveLength(0);
      expect(e.vevent.getFirstPropertyValue('transp')).toBe('TRANSPARENT');
    }
    expect(text).not.toContain('BEGIN:VALARM');
  });

  test('RFC 5545 lines: CRLF, folded at 75 octets, calendar properties first', () => {
    expect(text.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    expect(text.endsWith('\r\nEND:VCALENDAR\r\n')).toBe(true);
    expect(text.indexOf('X-WR-TIMEZONE:Europe/Oslo\r\n')).toBeLessThan(
      text.indexOf('BEGIN:VEVENT'),
    );
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    for (const line of text.split('\r\n'))
      expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
  });

  test('UIDs are stable: drawing again later, or after a move, keeps them', () => {
    const later = calendarFeed(
      input({ now: new Date('2027-01-05T07:00:00Z'), from: '2027-01-05' }),
    );
    const moved = occurrences.map((o) =>
      o.ref === 'AH-2027-arsregnskap-1' ? { ...o, deadline: '2027-03-02', sequence: 2 } : o,
    );
    const again = parse(calendarFeed(input({ occurrences: moved })));
    expect(again.events.map((e) => e.uid)).toEqual(events.map((e) => e.uid));
    const event = again.byUid.get(uid('AH-2027-arsregnskap-1'))!;
    expect([event.start, event.sequence]).toEqual(['2027-03-02', 2]);
    expect(parse(later).events.map((e) => e.uid)).toEqual(events.slice(2).map((e) => e.uid));
    expect(occurrenceUid('AH-2027-x-1-sentrum bhg,øst')).toBe(
      'AH-2027-x-1-sentrum%20bhg%2C%C3%B8st@internkontroll',
    );
  });

  test('the same dates whatever time zone the server process runs in', () => {
    const original = process.env.TZ;
    try {
      for (const tz of ['Pacific/Kiritimati', 'America/Los_Angeles', 'Europe/Oslo']) {
        process.env.TZ = tz;
        expect(calendarFeed(input())).toBe(text);
      }
    } finally {
      if (original === undefined) delete process.env.TZ;
      else process.env.TZ = original;
    }
  });

  test('English text when asked', () => {
    const en = parse(
      calendarFeed(input({ language: 'en', title: feedTitle('Heim', 'Sentrum barnehage', 'en') })),
    );
    expect(en.calendar.getFirstPropertyValue('x-wr-calname')).toBe(
      'Annual cycle – Sentrum barnehage (Heim)',
    );
    const holiday = en.byUid.get(uid('AH-2027-internkontroll-1-sentrum-bhg'))!;
    expect(holiday.summary).toBe('Internal control – Sentrum barnehage');
    expect(holiday.description).toContain('Owner: leader of Sentrum barnehage');
    expect(holiday.description).toContain('Moved from 17 May 2027 (weekend/public holiday)');
    expect(en.byUid.get(uid('AH-2026-virksomhetsplan-1-sentrum-bhg'))!.description).toContain(
      'Status: Done',
    );
  });

  test('titles', () => {
    expect(feedTitle('Heim kommune', undefined, 'nb')).toBe('Årshjul – Heim kommune');
    expect(feedTitle('Heim kommune', 'Økonomi', 'nb')).toBe('Årshjul – Økonomi (Heim kommune)');
    expect(feedTitle('', undefined, 'en')).toBe('Annual cycle');
  });

  test('an empty window is still a valid calendar', () => {
    const empty = parse(calendarFeed(input({ occurrences: [] })));
    expect(empty.events).toHaveLength(0);
    expect(empty.calendar.name).toBe('vcalendar');
    expect(empty.calendar.getFirstPropertyValue('x-wr-timezone')).toBe('Europe/Oslo');
  });
});
