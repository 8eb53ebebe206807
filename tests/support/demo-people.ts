import type { TeamsUser } from './teams-client';

/**
 * The people of the demo organisation (bot/org/demo/heim-kommune.json) that tests act as or
 * refer to: the one place their ids and names are written down. id is the person's id in the
 * organisation file, which is their Entra ID (AAD) object id in Teams.
 */
export const DEMO_PEOPLE = {
  /** Per Kristiansen, rådmann (top unit radmann). */
  per: { id: '00000000-0000-0000-0000-0000000000021', name: 'Per Kristiansen' },
  /** Ingrid Haugen, enhetsleder of sentrum-barnehage. */
  ingrid: { id: '00000000-0000-0000-0000-0000000000020', name: 'Ingrid Haugen' },
  /** Sofie Lunde, leder in sentrum-barnehage (assignable). */
  sofie: { id: '00000000-0000-0000-0000-0000000000024', name: 'Sofie Lunde' },
  /** Emil Vik, ansatt in sentrum-barnehage. */
  emil: { id: '7c1a2b3d-0001-4a10-9c01-000000000401', name: 'Emil Vik' },
  /** Lars Moen, enhetsleder of barnevern: a leader, but of another unit. */
  lars: { id: '00000000-0000-0000-0000-0000000000025', name: 'Lars Moen' },
  /** Marte Solberg, enhetsleder of heim-skole. */
  marte: { id: '7c1a2b3d-0001-4a10-9c01-000000000101', name: 'Marte Solberg' },
  /** Anders Lie, ansatt in heim-skole. */
  anders: { id: '7c1a2b3d-0001-4a10-9c01-000000000402', name: 'Anders Lie' },
  /** Nina Holm, stabsleder of okonomi (owns the årsregnskap in the årshjul). */
  nina: { id: '7c1a2b3d-0001-4a10-9c01-000000000201', name: 'Nina Holm' },
  /** Ida Berge, personvernombud (hears of possible personal-data breaches). */
  ida: { id: '7c1a2b3d-0001-4a10-9c01-000000000501', name: 'Ida Berge' },
} as const;

export type DemoPersonKey = keyof typeof DEMO_PEOPLE;

/** A demo person as a Teams user: Teams id 29:<key>, the org id as aadObjectId. */
function teamsUser(key: DemoPersonKey): TeamsUser {
  const person = DEMO_PEOPLE[key];
  return { id: `29:${key}`, aadObjectId: person.id, name: person.name };
}

/** Demo people as Teams users, for the end-to-end tests (re-exported by bot-under-test). */
export const PEOPLE = {
  ingrid: teamsUser('ingrid'),
  sofie: teamsUser('sofie'),
  per: teamsUser('per'),
  lars: teamsUser('lars'),
  emil: teamsUser('emil'),
  ida: teamsUser('ida'),
  marte: teamsUser('marte'),
  nina: teamsUser('nina'),
} satisfies Record<string, TeamsUser>;
