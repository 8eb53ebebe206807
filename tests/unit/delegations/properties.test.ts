import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import {
  COUNCIL,
  applyChange,
  applyChanges,
  type AuthorityArea,
  type Grant,
  type GrantChange,
  type GrantEvent,
  type Recipient,
  type Register,
} from '../../../bot/delegations/delegation';
import {
  acceptGrant,
  ancestorsOf,
  chainFor,
  checkRegistered,
  dayOf,
  declineGrant,
  descendantsOf,
  expireDue,
  heldGrants,
  holds,
  holdersOf,
  isBelow,
  isValidOn,
  leaderOf,
  proposeGrant,
  registerAsOf,
  registeredGrant,
  revokeGrant,
  reviewAfterOrgChange,
  type RuleNumber,
} from '../../../bot/delegations/delegation-rules';
import {
  leadersUpTheLine,
  makeOrganisation,
  unitChainUp,
  type Organisation,
  type Person,
  type Role,
  type Unit,
} from '../../../bot/org/organisation';

/**
 * Property tests over generated organisations (a tree of units, each with a leader and 0–2
 * employees) and generated sequences of proposals, acceptances, refusals, withdrawals and
 * expiries in random order. After every step:
 *  - no active grant exceeds its parent (limit, start, end) nor its area's limit;
 *  - no grant survives its parent (nothing active or proposed under an ended grant);
 *  - no grant leaves the line (its recipient is below its delegator);
 *  - no grant derives from a blocked one, and nothing is granted in a council-only area;
 * and at the end of each run the register as of every earlier step is that step's register, and
 * every "yes" chain is in force from the council down with limits that never grow.
 */

const RUNS = 300;

// ─── Generated organisations ──────────────────────────────────────────────────────────────────

interface OrgSpec {
  /** parents[i] < i: unit i hangs under unit parents[i]; unit 0 is the top. */
  parents: number[];
  staff: number[];
  roles: Role[];
}

const orgSpecArb: fc.Arbitrary<OrgSpec> = fc.integer({ min: 1, max: 8 }).chain((n) =>
  fc.record({
    // Half the units hang under the one made just before: deep lines as well as wide ones.
    parents: fc
      .array(fc.tuple(fc.boolean(), fc.nat()), { minLength: n, maxLength: n })
      .map((xs) => xs.map(([deep, x], i) => (i === 0 ? -1 : deep ? i - 1 : x % i))),
    staff: fc.array(fc.nat({ max: 2 }), { minLength: n, maxLength: n }),
    roles: fc.array(fc.constantFrom<Role>('enhetsleder', 'stabsleder', 'leder'), {
      minLength: n,
      maxLength: n,
    }),
  }),
);

function buildOrg(spec: OrgSpec): Organisation {
  const units: Unit[] = [];
  const people: Person[] = [];
  spec.parents.forEach((parent, i) => {
    units.push({
      id: `u${i}`,
      name: `Unit ${i}`,
      kind: i === 0 ? 'rådmannsnivå' : 'enhet',
      ...(parent >= 0 ? { parentId: `u${parent}` } : {}),
      leaderId: `L${i}`,
    });
    people.push({
      id: `L${i}`,
      name: `Leader ${i}`,
      role: i === 0 ? 'rådmann' : spec.roles[i],
      unitId: `u${i}`,
    });
    for (let k = 0; k < spec.staff[i]; k++)
      people.push({ id: `S${i}-${k}`, name: `Staff ${i}.${k}`, role: 'ansatt', unitId: `u${i}` });
  });
  return makeOrganisation(people, units);
}

// ─── Generated registers and steps ────────────────────────────────────────────────────────────

const START = new Date('2026-03-02T09:00:00.000Z');
const DAY = 24 * 60 * 60 * 1000;

const maxDate = (a: string, b: string) => (a > b ? a : b);

/** A date `share` of the way from `from` to `end` (or to 900 days on for an open end). */
function shareOfRemaining(from: string, end: string | undefined, share: number): string {
  const days = end ? Math.max(0, (Date.parse(end) - Date.parse(from)) / DAY) : 900;
  // At least a day either way, so a share below 0 or above 1 really is outside.
  const offset = Math.round(days * share);
  return addDays(
    from,
    share < 0 ? Math.min(-1, offset) : share > 1 ? Math.max(offset, days + 1) : offset,
  );
}

function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

interface RegisterSpec {
  areaLimit: number | null;
  rootEnds: (string | null)[];
}

const registerSpecArb: fc.Arbitrary<RegisterSpec> = fc.record({
  areaLimit: fc.option(fc.integer({ min: 1_000, max: 2_000_000 })),
  rootEnds: fc.array(fc.constantFrom(null, null, null, '2026-06-30', '2026-12-31', '2027-12-31'), {
    minLength: 2,
    maxLength: 2,
  }),
});

function buildRegister(spec: RegisterSpec): Register {
  const synonyms = { nb: [], en: [] };
  const basis = { kind: 'internal' as const, text: 'Reglement' };
  const areas: AuthorityArea[] = [
    {
      id: 'a-limit',
      name: { nb: 'A', en: 'A' },
      basis,
      ...(spec.areaLimit !== null ? { limitNok: spec.areaLimit } : {}),
      councilOnly: false,
      synonyms,
    },
    { id: 'b-open', name: { nb: 'B', en: 'B' }, basis, councilOnly: false, synonyms },
    { id: 'c-council', name: { nb: 'C', en: 'C' }, basis, councilOnly: true, synonyms },
  ];
  let register: Register = {
    areas,
    political: { body: 'Kommunestyret', caseNumber: 'PS 1/26', date: '2025-12-15' },
    grants: [],
    events: [],
  };
  ['a-limit', 'b-open'].forEach((areaId, i) => {
    const end = spec.rootEnds[i];
    register = applyChange(
      register,
      registeredGrant({
        ref: `DEL-2026-000${i + 1}`,
        areaId,
        fromId: COUNCIL,
        to: { kind: 'role', role: 'rådmann', unitId: 'u0' },
        politicalBasis: register.political,
        limitNok: areaId === 'a-limit' && spec.areaLimit !== null ? spec.areaLimit : undefined,
        validFrom: '2026-01-01',
        ...(end !== null ? { validTo: end } : {}),
        by: 'import',
        at: new Date(START.getTime() - DAY),
      }),
    );
  });
  return register;
}

type Step =
  | {
      kind: 'propose';
      parentPick: number;
      newest: boolean;
      asHolder: boolean;
      actorPick: number;
      targetPick: number;
      targetRole: boolean;
      /** Choose the recipient among those below the actor (else anyone: rule 1 refuses). */
      inLine: boolean;
      direct: boolean;
      area: number;
      explicitParent: boolean;
      limitFactor: number | null;
      fromDays: number | null;
      toDays: number | null;
      blocked: boolean;
      confirm: boolean;
    }
  | { kind: 'accept' | 'decline'; pick: number; byHolder: boolean; actorPick: number }
  | { kind: 'revoke'; pick: number; mode: 'delegator' | 'above' | 'random'; actorPick: number }
  | { kind: 'advance'; days: number };

const chance = (percent: number) => fc.integer({ min: 0, max: 99 }).map((x) => x < percent);

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('propose' as const),
      parentPick: fc.nat(),
      newest: chance(50),
      asHolder: chance(85),
      actorPick: fc.nat(),
      targetPick: fc.nat(),
      targetRole: chance(50),
      inLine: chance(75),
      direct: chance(60),
      area: fc.nat({ max: 9 }),
      explicitParent: chance(60),
      limitFactor: fc.option(fc.double({ min: 0, max: 1.5, noNaN: true }), { freq: 2 }),
      fromDays: fc.option(fc.integer({ min: -5, max: 200 }), { freq: 2 }),
      toDays: fc.option(fc.integer({ min: -20, max: 500 }), { freq: 2 }),
      blocked: chance(15),
      confirm: chance(35),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constantFrom(
        'accept' as const,
        'accept' as const,
        'accept' as const,
        'decline' as const,
      ),
      pick: fc.nat(),
      byHolder: chance(90),
      actorPick: fc.nat(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('revoke' as const),
      pick: fc.nat(),
      mode: fc.constantFrom('delegator' as const, 'above' as const, 'random' as const),
      actorPick: fc.nat(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      days: fc.integer({ min: 1, max: 150 }),
    }),
  },
);

/** What the runs covered, so that the properties cannot hold vacuously. */
const stats = {
  runs: 0,
  steps: 0,
  proposed: 0,
  activated: 0,
  declined: 0,
  revoked: 0,
  cascaded: 0,
  expired: 0,
  maxLevel: 0,
  refusedByRule: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 6: 0, 7: 0 } as Record<RuleNumber, number>,
  yesChains: 0,
  asOfChecks: 0,
  deepProposals: 0,
  deepChainLevels: 0,
  deepChainMax: 0,
  noChains: 0,
};

function countRefusals(refusals: { rule?: RuleNumber }[]) {
  for (const r of refusals) if (r.rule) stats.refusedByRule[r.rule] += 1;
}

const isLive = (g: Grant) => g.status === 'active' || g.status === 'proposed';

interface Snapshot {
  at: Date;
  register: Register;
}

/** Runs the steps against the rules; returns every register along the way. */
function simulate(org: Organisation, initial: Register, steps: Step[]): Snapshot[] {
  const people = [...org.people.keys()];
  const units = [...org.units.values()];
  let register = initial;
  let now = START;
  let seq = 10;
  const snapshots: Snapshot[] = [{ at: new Date(START.getTime() - 1), register }];
  const apply = (changes: GrantChange[]) => {
    register = applyChanges(register, changes);
  };
  for (const step of steps) {
    now = new Date(now.getTime() + 60_000);
    const today = dayOf(now);
    stats.steps += 1;
    if (step.kind === 'propose') {
      // Mostly from a live grant, by its holder, to someone below them; sometimes anything.
      const active = register.grants.filter((g) => g.status === 'active');
      const grants = step.asHolder && active.length > 0 ? active : register.grants;
      // Half the time one of the newest: they tend to be deeper, so chains grow long.
      const parent = step.newest
        ? grants[grants.length - 1 - (step.parentPick % Math.min(3, grants.length))]
        : grants[step.parentPick % grants.length];
      const actor = step.asHolder
        ? (holdersOf(org, parent.to)[0] ?? people[step.actorPick % people.length])
        : people[step.actorPick % people.length];
      const roleOf = (u: Unit): Recipient => ({
        kind: 'role',
        role: org.people.get(u.leaderId!)!.role,
        unitId: u.id,
      });
      const candidates: Recipient[] = step.inLine
        ? [...people.map((id): Recipient => ({ kind: 'person', id })), ...units.map(roleOf)].filter(
            (r) => (r.kind === 'role') === step.targetRole && isBelow(org, actor, r),
          )
        : [];
      // Often one step down only (a direct report, or a unit right below): chains grow deep.
      const direct = candidates.filter((r) =>
        r.kind === 'person'
          ? leaderOf(org, r.id)?.id === actor
          : org.units.get(org.units.get(r.unitId)?.parentId ?? '')?.leaderId === actor,
      );
      const pool = step.direct && direct.length > 0 ? direct : candidates;
      const to: Recipient =
        pool.length > 0
          ? pool[step.targetPick % pool.length]
          : step.targetRole
            ? roleOf(units[step.targetPick % units.length])
            : { kind: 'person', id: people[step.targetPick % people.length] };
      const areaId =
        step.area === 9
          ? 'c-council'
          : step.explicitParent && step.area < 6
            ? parent.areaId
            : ['a-limit', 'b-open'][step.area % 2];
      const baseLimit = parent.limitNok ?? 500_000;
      const validFrom = step.fromDays === null ? undefined : addDays(today, step.fromDays);
      const result = proposeGrant({
        register,
        org,
        actorId: actor,
        draft: {
          areaId,
          to,
          ...(step.explicitParent ? { parentRef: parent.ref } : {}),
          ...(step.limitFactor !== null
            ? { limitNok: Math.round(baseLimit * step.limitFactor) }
            : {}),
          ...(validFrom ? { validFrom } : {}),
          ...(step.toDays !== null ? { validTo: addDays(validFrom ?? today, step.toDays) } : {}),
          blocked: step.blocked,
        },
        now,
        ref: `DEL-2026-${String(seq++).padStart(4, '0')}`,
        origin: step.confirm ? 'confirmation' : 'delegation',
      });
      if (result.ok) {
        apply([result.change]);
        stats.proposed += 1;
        stats.maxLevel = Math.max(stats.maxLevel, result.change.after.level);
        if (result.change.after.level >= 3) stats.deepProposals += 1;
        if (result.change.after.status === 'active') stats.activated += 1;
      } else countRefusals(result.refusals);
    } else if (step.kind === 'accept' || step.kind === 'decline') {
      const pending = register.grants.filter((g) => g.status === 'proposed');
      if (pending.length > 0) {
        const g = pending[step.pick % pending.length];
        const actor = step.byHolder
          ? holdersOf(org, g.to)[0]
          : people[step.actorPick % people.length];
        if (actor) {
          const act = step.kind === 'accept' ? acceptGrant : declineGrant;
          const result = act({ register, org, ref: g.ref, actorId: actor, now });
          if (result.ok) {
            apply([result.change]);
            if (step.kind === 'accept') stats.activated += 1;
            else stats.declined += 1;
          } else countRefusals(result.refusals);
        }
      }
    } else if (step.kind === 'revoke') {
      const live = register.grants.filter(isLive);
      if (live.length > 0) {
        const g = live[step.pick % live.length];
        const above = ancestorsOf(register, g);
        const actor =
          step.mode === 'delegator'
            ? g.fromId
            : step.mode === 'above' && above.length > 0
              ? (holdersOf(org, above[step.actorPick % above.length].to)[0] ?? COUNCIL)
              : people[step.actorPick % people.length];
        const result = revokeGrant({ register, org, ref: g.ref, actorId: actor, now });
        if (result.ok) {
          apply([result.change, ...result.cascade.changes]);
          stats.revoked += 1;
          stats.cascaded += result.cascade.changes.length;
        } else countRefusals(result.refusals);
      }
    } else if (step.kind === 'advance') {
      now = new Date(now.getTime() + step.days * DAY);
      const result = expireDue(register, now);
      apply(result.changes);
      stats.expired += result.changes.filter((c) => c.event.kind === 'expired').length;
      stats.cascaded += result.changes.filter((c) => c.event.kind === 'cascaded').length;
    }
    checkInvariants(register, org, now);
    snapshots.push({ at: now, register });
  }
  return snapshots;
}

// ─── The invariants ───────────────────────────────────────────────────────────────────────────

function checkInvariants(register: Register, org: Organisation, now: Date): void {
  // Plain checks, not expect(): they run after every one of thousands of steps.
  const byRef = new Map(register.grants.map((g) => [g.ref, g]));
  const areas = new Map(register.areas.map((a) => [a.id, a]));
  const fail = (what: string, g: Grant) => {
    throw new Error(`${what}: ${JSON.stringify(g)}`);
  };
  for (const g of register.grants) {
    const area = areas.get(g.areaId)!;
    if (area.councilOnly) fail('granted in a council-only area', g);
    if (g.status === 'active' && area.limitNok !== undefined)
      if (g.limitNok === undefined || g.limitNok > area.limitNok) fail('exceeds its area', g);
    if (!g.parentRef) {
      if (g.fromId !== COUNCIL || g.level !== 1) fail('a root not from the council', g);
      continue;
    }
    const p = byRef.get(g.parentRef);
    if (!p) return fail('parent missing', g);
    if (p.blocked) fail('derives from a blocked grant', g);
    if (p.areaId !== g.areaId) fail('derives from another area', g);
    if (g.level !== p.level + 1) fail('wrong level', g);
    if (!isLive(g)) continue;
    if (p.status !== 'active') fail('survives its parent', g);
    if (!isBelow(org, g.fromId, g.to)) fail('leaves the line', g);
    if (g.status === 'active') {
      if (p.limitNok !== undefined && (g.limitNok === undefined || g.limitNok > p.limitNok))
        fail('exceeds its parent’s limit', g);
      if (g.validFrom < p.validFrom) fail('starts before its parent', g);
      if (p.validTo !== undefined && (g.validTo === undefined || g.validTo > p.validTo))
        fail('ends after its parent', g);
    }
  }
  // After the expiry job nothing active or pending has passed its end.
  const today = dayOf(now);
  for (const g of register.grants)
    if (isLive(g) && g.validTo !== undefined && g.validTo < today) fail('not expired', g);
  // Revisions: one per change, numbered like the record, the last one giving its status.
  const events = new Map<string, GrantEvent[]>();
  for (const e of register.events) events.set(e.ref, [...(events.get(e.ref) ?? []), e]);
  for (const g of register.grants) {
    const own = events.get(g.ref) ?? [];
    if (own.some((e, i) => e.seq !== i + 1)) fail('revisions out of order', g);
    if (g.rev !== own.length || own[own.length - 1].toStatus !== g.status)
      fail('record and revisions disagree', g);
  }
}

function checkChains(register: Register, org: Organisation, now: Date): void {
  const today = dayOf(now);
  const byRef = new Map(register.grants.map((g) => [g.ref, g]));
  const fail = (what: string, personId: string, areaId: string) => {
    throw new Error(`${what}: ${personId} ${areaId}`);
  };
  for (const personId of org.people.keys())
    for (const areaId of ['a-limit', 'b-open', 'c-council']) {
      const answer = chainFor(register, org, personId, areaId, now);
      const held = heldGrants(register, org, personId, areaId, now);
      if (answer.answer === 'yes') {
        stats.yesChains += 1;
        if (held[0] !== answer.grant) fail('the chain is not the best holding', personId, areaId);
        const grants = answer.steps.slice(1).map((s) => byRef.get(s.ref!)!);
        if (grants[0].parentRef !== undefined)
          fail('the chain does not start at a root', personId, areaId);
        if (!holdersOf(org, grants[grants.length - 1].to).includes(personId))
          fail('the chain does not end with the person', personId, areaId);
        let limit = Number.POSITIVE_INFINITY;
        grants.forEach((g, i) => {
          if (g.status !== 'active' || !isValidOn(g, today))
            fail('a step is not in force', personId, areaId);
          if (i > 0 && g.parentRef !== grants[i - 1].ref)
            fail('a step is missing', personId, areaId);
          if (i < grants.length - 1 && g.blocked) fail('a step under a sperre', personId, areaId);
          const own = g.limitNok ?? Number.POSITIVE_INFINITY;
          if (own > limit) fail('a limit grows down the chain', personId, areaId);
          limit = own;
        });
      } else {
        stats.noChains += 1;
        if (held.length > 0) fail('no, but holds it', personId, areaId);
        if (answer.ask?.kind === 'person') {
          // Whom to ask: a leader up the person's line who holds the area.
          const ask = answer.ask.id;
          if (!holds(register, org, ask, areaId, now))
            fail('asks someone who does not hold it', personId, areaId);
          const person = org.people.get(personId)!;
          if (!leadersUpTheLine(org, person.unitId).some((l) => l.id === ask && l.id !== personId))
            fail('asks someone outside the line', personId, areaId);
        }
      }
    }
}

// ─── The properties ───────────────────────────────────────────────────────────────────────────

describe('delegation rules over generated organisations and step sequences', () => {
  afterAll(() => {
    // Coverage of the runs above: the invariants were exercised, not vacuously true.
    expect(stats.runs).toBeGreaterThanOrEqual(RUNS);
    expect(stats.activated).toBeGreaterThan(RUNS);
    expect(stats.declined).toBeGreaterThan(0);
    expect(stats.revoked).toBeGreaterThan(RUNS / 10);
    expect(stats.cascaded).toBeGreaterThan(RUNS / 10);
    expect(stats.expired).toBeGreaterThan(RUNS / 10);
    expect(stats.maxLevel).toBeGreaterThanOrEqual(3);
    expect(stats.deepProposals).toBeGreaterThan(RUNS / 10);
    expect(stats.deepChainLevels).toBeGreaterThanOrEqual(RUNS);
    expect(stats.deepChainMax).toBeGreaterThanOrEqual(6);
    expect(stats.asOfChecks).toBeGreaterThan(RUNS * 5);
    for (const rule of [1, 2, 3, 5] as const) expect(stats.refusedByRule[rule]).toBeGreaterThan(0);
    expect(stats.yesChains).toBeGreaterThan(RUNS);
    expect(stats.noChains).toBeGreaterThan(RUNS);
  });

  it('keeps every invariant after every step, and remembers every earlier state', () => {
    fc.assert(
      fc.property(
        orgSpecArb,
        registerSpecArb,
        fc.array(stepArb, { minLength: 10, maxLength: 50 }),
        (orgSpec, registerSpec, steps) => {
          stats.runs += 1;
          const org = buildOrg(orgSpec);
          const snapshots = simulate(org, buildRegister(registerSpec), steps);
          const final = snapshots[snapshots.length - 1];
          // The register as of each step is what it was then.
          const every = Math.max(1, Math.floor(snapshots.length / 8));
          for (const s of snapshots.filter(
            (_, i) => i > 0 && (i % every === 0 || i === snapshots.length - 1),
          )) {
            const then = registerAsOf(final.register, s.at);
            // isDeepStrictEqual is fast; expect() only to show the difference when there is one.
            if (!isDeepStrictEqual(then.grants, s.register.grants))
              expect(then.grants).toEqual(s.register.grants);
            if (!isDeepStrictEqual(then.events, s.register.events))
              expect(then.events).toEqual(s.register.events);
            stats.asOfChecks += 1;
          }
          checkChains(final.register, org, final.at);
          const middle = snapshots[Math.floor(snapshots.length / 2)];
          checkChains(middle.register, org, middle.at);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('keeps limits and validity inside the parent’s all the way down a deep line', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 8 }),
        fc.array(
          fc.record({
            // Mostly inside the parent; now and then one step outside it.
            breach: fc.constantFrom(
              null,
              null,
              null,
              null,
              null,
              null,
              null,
              null,
              'limit',
              'start',
              'end',
            ),
            limitShare: fc.option(fc.double({ min: 0.2, max: 1, noNaN: true }), { freq: 4 }),
            // The start and end as shares of what is left of the parent's validity.
            fromShare: fc.option(fc.double({ min: 0, max: 0.3, noNaN: true }), { freq: 3 }),
            toShare: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { freq: 3 }),
            role: fc.boolean(),
          }),
          { minLength: 8, maxLength: 8 },
        ),
        fc.nat(),
        (depth, levels, cut) => {
          // A line of `depth` units, each under the one before, each leader with one employee.
          const org = buildOrg({
            parents: Array.from({ length: depth }, (_, i) => i - 1),
            staff: Array(depth).fill(1),
            roles: Array(depth).fill('leder'),
          });
          let register = buildRegister({ areaLimit: 1_000_000, rootEnds: ['2027-12-31', null] });
          let parent = register.grants[0];
          let now = START;
          for (let i = 1; i <= depth; i++) {
            const spec = levels[i - 1];
            now = new Date(now.getTime() + 60_000);
            const today = dayOf(now);
            const holder = holdersOf(org, parent.to)[0];
            // Down one unit, or to the leader's own employee at the bottom.
            const to: Recipient =
              i < depth
                ? spec.role
                  ? { kind: 'role', role: 'leder', unitId: `u${i}` }
                  : { kind: 'person', id: `L${i}` }
                : { kind: 'person', id: `S${i - 1}-0` };
            const start = maxDate(today, parent.validFrom);
            const fromShare = spec.breach === 'start' ? -0.01 : spec.fromShare;
            const toShare = spec.breach === 'end' ? 1.01 : spec.toShare;
            const validFrom =
              fromShare === null ? undefined : shareOfRemaining(start, parent.validTo, fromShare);
            const limitNok =
              spec.breach === 'limit'
                ? parent.limitNok! + 1
                : spec.limitShare === null
                  ? undefined
                  : Math.round(parent.limitNok! * spec.limitShare);
            const result = proposeGrant({
              register,
              org,
              actorId: holder,
              draft: {
                areaId: 'a-limit',
                to,
                ...(limitNok !== undefined ? { limitNok } : {}),
                ...(validFrom ? { validFrom } : {}),
                ...(toShare !== null
                  ? { validTo: shareOfRemaining(validFrom ?? start, parent.validTo, toShare) }
                  : {}),
              },
              now,
              ref: `DEL-2026-${String(100 + i).padStart(4, '0')}`,
              origin: 'confirmation',
            });
            // An open end has nothing to go beyond.
            const outside =
              spec.breach !== null && !(spec.breach === 'end' && parent.validTo === undefined);
            if (!result.ok) {
              // Refused exactly when the draft went beyond the parent (or back in time), and
              // only for that: more money, an earlier start, a later end.
              expect(outside).toBe(true);
              for (const r of result.refusals)
                expect(r.rule === 2 || r.code === 'starts-in-past').toBe(true);
              break;
            }
            expect(outside).toBe(false);
            register = applyChange(register, result.change);
            checkInvariants(register, org, now);
            stats.deepChainLevels += 1;
            stats.deepChainMax = Math.max(stats.deepChainMax, result.change.after.level);
            parent = result.change.after;
          }
          // Withdrawing any grant of the line ends everything below it, nothing above.
          const line = register.grants.filter((g) => g.parentRef);
          if (line.length === 0) return;
          const target = line[cut % line.length];
          const result = revokeGrant({
            register,
            org,
            ref: target.ref,
            actorId: target.fromId,
            now: new Date(now.getTime() + 60_000),
          });
          if (!result.ok) throw new Error(JSON.stringify(result.refusals));
          const after = applyChanges(register, [result.change, ...result.cascade.changes]);
          checkInvariants(after, org, now);
          const below = new Set(descendantsOf(register, target.ref).map((g) => g.ref));
          for (const g of after.grants)
            expect(g.status).toBe(g.ref === target.ref || below.has(g.ref) ? 'revoked' : 'active');
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('lets role grants follow the role when a unit gets a new leader', () => {
    fc.assert(
      fc.property(orgSpecArb, fc.nat(), (orgSpec, pick) => {
        const org = buildOrg(orgSpec);
        const units = [...org.units.values()];
        const unit = units[pick % units.length];
        const old = org.people.get(unit.leaderId!)!;
        const register = buildRegister({ areaLimit: null, rootEnds: [null, null] });
        const root = register.grants.find((g) => g.areaId === 'b-open')!;
        let withGrant = register;
        if (unit.parentId) {
          // Down the line: the rådmann → each unit's leader role → this unit's leader role.
          const path = unitChainUp(org, unit.parentId).reverse().concat(unit);
          let parent = root;
          path.slice(1).forEach((u, i) => {
            const leader = org.people.get(u.leaderId!)!;
            const change = registeredGrant({
              ref: `DEL-2026-${String(50 + i).padStart(4, '0')}`,
              areaId: 'b-open',
              fromId: holdersOf(org, parent.to)[0],
              to: { kind: 'role', role: leader.role, unitId: u.id },
              parent,
              validFrom: '2026-01-01',
              by: 'import',
              at: START,
            });
            expect(checkRegistered(withGrant, org, change.after, START)).toEqual([]);
            withGrant = applyChange(withGrant, change);
            parent = change.after;
          });
        }
        const now = new Date(START.getTime() + DAY);
        expect(holds(withGrant, org, old.id, 'b-open', now)).toBeDefined();
        // A new leader takes the unit; the old one stays as an employee of it.
        const people = [...org.people.values()].map((p) =>
          p.id === old.id ? { ...p, role: 'ansatt' as Role } : p,
        );
        const successor: Person = { id: 'NEW', name: 'New', role: old.role, unitId: unit.id };
        const newOrg = makeOrganisation(
          [...people, successor],
          units.map((u) => (u.id === unit.id ? { ...u, leaderId: 'NEW' } : u)),
        );
        expect(holds(withGrant, newOrg, 'NEW', 'b-open', now)).toBeDefined();
        expect(holds(withGrant, newOrg, old.id, 'b-open', now)).toBeUndefined();
        // Role grants are never flagged for review; only personal ones are.
        expect(reviewAfterOrgChange(withGrant, org, newOrg)).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it('flags exactly the personal grants of people whose unit or leader changed', () => {
    fc.assert(
      fc.property(
        orgSpecArb,
        registerSpecArb,
        fc.array(stepArb, { minLength: 10, maxLength: 40 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 4 }),
        (orgSpec, registerSpec, steps, moves) => {
          const org = buildOrg(orgSpec);
          const snapshots = simulate(org, buildRegister(registerSpec), steps);
          const register = snapshots[snapshots.length - 1].register;
          const people = [...org.people.values()];
          const units = [...org.units.values()];
          const moved = new Map(people.map((p) => [p.id, { ...p }]));
          for (const [who, where] of moves) {
            const p = people[who % people.length];
            moved.set(p.id, { ...p, unitId: units[where % units.length].id });
          }
          const newOrg = makeOrganisation([...moved.values()], units);
          const flags = reviewAfterOrgChange(register, org, newOrg);
          const expected = register.grants
            .filter((g) => isLive(g) && g.to.kind === 'person')
            .filter((g) => {
              const id = (g.to as { id: string }).id;
              return (
                org.people.get(id)!.unitId !== newOrg.people.get(id)!.unitId ||
                leaderOf(org, id)?.id !== leaderOf(newOrg, id)?.id
              );
            })
            .map((g) => g.ref);
          expect(flags.map((f) => f.ref)).toEqual(expected);
        },
      ),
      { numRuns: 100 },
    );
  });
});
