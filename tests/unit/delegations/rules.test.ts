import { applyChange, applyChanges, type Register } from '../../../bot/delegations/delegation';
import {
  acceptGrant,
  declineGrant,
  isBelow,
  mustReport,
  proposeGrant,
  reportRecipients,
  revokeGrant,
  type GrantDraft,
  type Refusal,
} from '../../../bot/delegations/delegation-rules';
import { refusalText } from '../../../bot/delegations/delegation-texts';
import { makeOrganisation } from '../../../bot/org/organisation';
import { DEMO_PEOPLE } from '../../support/demo-people';
import { deepFreeze, demoOrg, NOW } from '../fixtures';
import { demoRegister, orgWithAvdeling, passed, refOf, refused } from './demo-register';

/**
 * Rules 1, 2, 3, 5 and 7 for a new grant, and the recipient's and delegator's steps (pure). The
 * organisation is the demo's with Avdeling Sol (led by Sofie, Emil in it) under Sentrum
 * barnehage, so grants can go four levels down.
 */
const org = orgWithAvdeling();
const { per, ingrid, sofie, emil, lars, marte } = DEMO_PEOPLE;
const demo = demoRegister();
const base: Register = deepFreeze(demo.register);
const ref = (id: string) => refOf(demo.refs, id);

let counter = 100;
function propose(register: Register, actorId: string, draft: GrantDraft, now = NOW) {
  return proposeGrant({ register, org, actorId, draft, now, ref: `DEL-2026-0${counter++}` });
}

/** Proposes and accepts: the register with the new active grant, and its reference. */
function grantActive(register: Register, actorId: string, draft: GrantDraft, now = NOW) {
  const proposed = passed(propose(register, actorId, draft, now)).change;
  let next = applyChange(register, proposed);
  const recipient =
    draft.to.kind === 'person' ? draft.to.id : org.units.get(draft.to.unitId)!.leaderId!;
  next = applyChange(
    next,
    passed(acceptGrant({ register: next, org, ref: proposed.after.ref, actorId: recipient, now }))
      .change,
  );
  return { register: next, ref: proposed.after.ref };
}

const codes = (refusals: Refusal[]) => refusals.map((r) => `${r.rule ?? '-'}:${r.code}`);
const toPerson = (id: string) => ({ kind: 'person' as const, id });

describe('rule 1: only in the line', () => {
  it('lets a leader delegate to someone in their unit', () => {
    const { change } = passed(
      propose(base, ingrid.id, { areaId: 'tilsetting', to: toPerson(sofie.id) }),
    );
    expect(change.after).toMatchObject({
      status: 'proposed',
      fromId: ingrid.id,
      parentRef: ref('tilsetting-sentrum-barnehage'),
      level: 3,
      origin: 'delegation',
    });
    expect(change.event).toMatchObject({ kind: 'proposed', seq: 1, toStatus: 'proposed' });
  });

  it('refuses a recipient in another unit, or above the delegator', () => {
    for (const other of [lars.id, per.id, marte.id]) {
      const refusals = refused(
        propose(base, ingrid.id, { areaId: 'tilsetting', to: toPerson(other) }),
      );
      expect(codes(refusals)).toEqual(['1:not-in-line']);
    }
  });

  it('refuses a grant to oneself, by name or through one’s own role', () => {
    expect(
      codes(refused(propose(base, ingrid.id, { areaId: 'tilsetting', to: toPerson(ingrid.id) }))),
    ).toEqual(['1:to-self']);
    expect(
      codes(
        refused(
          propose(base, ingrid.id, {
            areaId: 'tilsetting',
            to: { kind: 'role', role: 'enhetsleder', unitId: 'sentrum-barnehage' },
          }),
        ),
      ),
    ).toEqual(['1:to-self']);
  });

  it('keeps a leder who leads no unit from delegating: nobody is below her', () => {
    const refusals = proposeGrant({
      register: base,
      org: demoOrg(),
      actorId: sofie.id,
      draft: { areaId: 'innkjop', to: toPerson(emil.id) },
      now: NOW,
      ref: 'DEL-2026-0900',
    });
    expect(codes(refused(refusals))).toEqual(['1:not-in-line']);
  });

  it('refuses a recipient the organisation does not know', () => {
    const refusals = refused(
      propose(base, ingrid.id, { areaId: 'tilsetting', to: toPerson('no-such-person') }),
    );
    expect(codes(refusals)).toEqual(['1:unknown-recipient']);
  });

  it('lets the rådmann delegate to a role in a unit, and not to a role above it', () => {
    passed(
      propose(base, per.id, {
        areaId: 'permisjon',
        to: { kind: 'role', role: 'enhetsleder', unitId: 'heim-skole' },
      }),
    );
    expect(isBelow(org, ingrid.id, { kind: 'role', role: 'rådmann', unitId: 'radmann' })).toBe(
      false,
    );
    expect(
      isBelow(org, ingrid.id, { kind: 'role', role: 'leder', unitId: 'sentrum-barnehage' }),
    ).toBe(true);
  });
});

describe('rule 2: nobody delegates more than they hold', () => {
  it('refuses a limit higher than the delegator’s own', () => {
    const refusals = refused(
      propose(base, sofie.id, { areaId: 'innkjop', to: toPerson(emil.id), limitNok: 150_000 }),
    );
    expect(refusals).toEqual([
      { rule: 2, code: 'limit-too-high', limitNok: 150_000, maxNok: 100_000 },
    ]);
  });

  it('refuses validity beyond the delegator’s own', () => {
    const refusals = refused(
      propose(base, sofie.id, {
        areaId: 'innkjop',
        to: toPerson(emil.id),
        validTo: '2027-12-31',
      }),
    );
    expect(refusals).toEqual([
      { rule: 2, code: 'ends-too-late', validTo: '2027-12-31', latest: '2027-06-30' },
    ]);
  });

  it('refuses a start before the delegator’s own', () => {
    // Ingrid gives Sofie hiring from 2027; Sofie cannot pass it on from 2026.
    const later = grantActive(base, ingrid.id, {
      areaId: 'tilsetting',
      to: toPerson(sofie.id),
      validFrom: '2027-01-01',
    });
    const refusals = refused(
      propose(later.register, sofie.id, {
        areaId: 'tilsetting',
        to: toPerson(emil.id),
        validFrom: '2026-12-01',
      }),
    );
    expect(refusals).toEqual([
      { rule: 2, code: 'starts-too-early', validFrom: '2026-12-01', earliest: '2027-01-01' },
    ]);
  });

  it('refuses a start after the delegator’s own end', () => {
    const refusals = refused(
      propose(base, sofie.id, {
        areaId: 'innkjop',
        to: toPerson(emil.id),
        validFrom: '2027-07-01',
      }),
    );
    expect(refusals).toEqual([
      { rule: 2, code: 'starts-too-late', validFrom: '2027-07-01', latest: '2027-06-30' },
    ]);
  });

  it('fills in the delegator’s limit and end when the form leaves them out', () => {
    const { change } = passed(
      propose(base, sofie.id, { areaId: 'innkjop', to: toPerson(emil.id) }),
    );
    expect(change.after).toMatchObject({
      limitNok: 100_000,
      validFrom: '2026-11-27',
      validTo: '2027-06-30',
      level: 4,
      parentRef: ref('innkjop-sofie'),
    });
  });

  it('refuses someone who holds nothing in the area, or a grant that is not theirs', () => {
    expect(
      codes(refused(propose(base, emil.id, { areaId: 'tilsetting', to: toPerson(emil.id) }))),
    ).toEqual(['2:holds-nothing']);
    const refusals = refused(
      propose(base, marte.id, {
        areaId: 'tilsetting',
        to: toPerson(sofie.id),
        parentRef: ref('tilsetting-sentrum-barnehage'),
      }),
    );
    expect(codes(refusals)).toEqual(['2:not-holder', '1:not-in-line']);
  });

  it('refuses deriving from a grant of another area', () => {
    const refusals = refused(
      propose(base, ingrid.id, {
        areaId: 'tilsetting',
        to: toPerson(sofie.id),
        parentRef: ref('permisjon-sentrum-barnehage'),
      }),
    );
    expect(refusals).toEqual([
      {
        rule: 2,
        code: 'other-area',
        parentRef: ref('permisjon-sentrum-barnehage'),
        areaId: 'tilsetting',
        parentAreaId: 'permisjon',
      },
    ]);
  });

  it('refuses deriving from a proposal that is not accepted yet', () => {
    const proposed = passed(
      propose(base, ingrid.id, { areaId: 'tilsetting', to: toPerson(sofie.id) }),
    ).change;
    const register = applyChange(base, proposed);
    const refusals = refused(
      propose(register, sofie.id, {
        areaId: 'tilsetting',
        to: toPerson(emil.id),
        parentRef: proposed.after.ref,
      }),
    );
    expect(codes(refusals)).toEqual(['2:parent-not-active']);
  });

  it('refuses dates that are not dates, a period that ends before it starts, and the past', () => {
    expect(
      refused(
        propose(base, ingrid.id, {
          areaId: 'tilsetting',
          to: toPerson(sofie.id),
          validFrom: '2027-02-30',
        }),
      ),
    ).toEqual([{ code: 'bad-date', field: 'validFrom' }]);
    expect(
      codes(
        refused(
          propose(base, ingrid.id, {
            areaId: 'tilsetting',
            to: toPerson(sofie.id),
            validFrom: '2027-03-01',
            validTo: '2027-02-01',
          }),
        ),
      ),
    ).toEqual(['-:bad-period']);
    expect(
      codes(
        refused(
          propose(base, ingrid.id, {
            areaId: 'tilsetting',
            to: toPerson(sofie.id),
            validFrom: '2026-11-01',
          }),
        ),
      ),
    ).toEqual(['-:starts-in-past']);
    expect(
      codes(
        refused(
          propose(base, ingrid.id, { areaId: 'innkjop', to: toPerson(emil.id), limitNok: -5 }),
        ),
      ),
    ).toEqual(['-:bad-limit']);
  });

  it('refuses the same grant to the same person twice', () => {
    const codesOf = codes(
      refused(propose(base, ingrid.id, { areaId: 'innkjop', to: toPerson(sofie.id) })),
    );
    expect(codesOf).toEqual(['-:duplicate']);
  });
});

describe('rule 3: delegeringssperre and the council’s own', () => {
  it('refuses any grant derived from a blocked one («Enhetsleder / stabsleder selv»)', () => {
    const refusals = refused(
      propose(base, ingrid.id, { areaId: 'budsjettdisponering', to: toPerson(sofie.id) }),
    );
    expect(refusals).toEqual([
      { rule: 3, code: 'blocked', parentRef: ref('budsjett-sentrum-barnehage') },
    ]);
  });

  it('refuses passing on a grant given with a sperre from a form', () => {
    const blocked = grantActive(base, ingrid.id, {
      areaId: 'tilsetting',
      to: toPerson(sofie.id),
      blocked: true,
    });
    const refusals = refused(
      propose(blocked.register, sofie.id, { areaId: 'tilsetting', to: toPerson(emil.id) }),
    );
    expect(refusals).toEqual([{ rule: 3, code: 'blocked', parentRef: blocked.ref }]);
  });

  it('never delegates an area reserved to the council, not even from the rådmann', () => {
    for (const actor of [per.id, ingrid.id])
      expect(
        refused(
          propose(base, actor, {
            areaId: 'arsbudsjett',
            to: { kind: 'role', role: 'stabsleder', unitId: 'okonomi' },
          }),
        ),
      ).toEqual([{ rule: 3, code: 'council-only', areaId: 'arsbudsjett' }]);
  });
});

describe('rule 5 at proposal and acceptance: what a grant derives from has ended', () => {
  it('refuses to accept a proposal whose parent was withdrawn meanwhile', () => {
    // Sofie proposes to Emil, then Ingrid withdraws Sofie's grant: the proposal lapses (cascade)
    // and, were it still pending, accepting it would be refused.
    const proposed = passed(
      propose(base, sofie.id, { areaId: 'innkjop', to: toPerson(emil.id) }),
    ).change;
    const withProposal = applyChange(base, proposed);
    const withdrawn = passed(
      revokeGrant({
        register: withProposal,
        org,
        ref: ref('innkjop-sofie'),
        actorId: ingrid.id,
        now: NOW,
      }),
    );
    const onlyRevoked = applyChange(withProposal, withdrawn.change); // the cascade not applied
    expect(
      refused(
        acceptGrant({
          register: onlyRevoked,
          org,
          ref: proposed.after.ref,
          actorId: emil.id,
          now: NOW,
        }),
      ),
    ).toEqual([
      { rule: 5, code: 'parent-ended', parentRef: ref('innkjop-sofie'), status: 'revoked' },
    ]);
    const cascaded = applyChanges(onlyRevoked, withdrawn.cascade.changes);
    expect(
      refused(
        acceptGrant({
          register: cascaded,
          org,
          ref: proposed.after.ref,
          actorId: emil.id,
          now: NOW,
        }),
      ),
    ).toEqual([{ code: 'wrong-status', ref: proposed.after.ref, status: 'revoked' }]);
  });

  it('refuses deriving from a withdrawn grant', () => {
    const withdrawn = passed(
      revokeGrant({ register: base, org, ref: ref('innkjop-sofie'), actorId: ingrid.id, now: NOW }),
    );
    const register = applyChange(base, withdrawn.change);
    expect(
      refused(
        propose(register, sofie.id, {
          areaId: 'innkjop',
          to: toPerson(emil.id),
          parentRef: ref('innkjop-sofie'),
        }),
      ),
    ).toContainEqual({
      rule: 5,
      code: 'parent-ended',
      parentRef: ref('innkjop-sofie'),
      status: 'revoked',
    });
  });
});

describe('the recipient and the delegator', () => {
  const proposed = passed(
    propose(base, ingrid.id, { areaId: 'tilsetting', to: toPerson(sofie.id) }),
  ).change;
  const register = applyChange(base, proposed);
  const grantRef = proposed.after.ref;

  it('activates a grant only when the recipient accepts, with a comment', () => {
    expect(
      refused(acceptGrant({ register, org, ref: grantRef, actorId: emil.id, now: NOW })),
    ).toEqual([{ code: 'not-recipient', ref: grantRef }]);
    const { change } = passed(
      acceptGrant({
        register,
        org,
        ref: grantRef,
        actorId: sofie.id,
        now: NOW,
        note: ' Takk!\u0007 ',
      }),
    );
    expect(change.after).toMatchObject({
      status: 'active',
      rev: 2,
      decision: { by: sofie.id, note: 'Takk!' },
    });
    expect(change.event).toMatchObject({
      kind: 'accepted',
      seq: 2,
      fromStatus: 'proposed',
      toStatus: 'active',
    });
    const again = applyChange(register, change);
    expect(
      refused(acceptGrant({ register: again, org, ref: grantRef, actorId: sofie.id, now: NOW })),
    ).toEqual([{ code: 'wrong-status', ref: grantRef, status: 'active' }]);
  });

  it('lets the recipient decline, and nobody else', () => {
    expect(
      refused(declineGrant({ register, org, ref: grantRef, actorId: ingrid.id, now: NOW })),
    ).toEqual([{ code: 'not-recipient', ref: grantRef }]);
    const { change } = passed(
      declineGrant({ register, org, ref: grantRef, actorId: sofie.id, now: NOW, note: 'Nei takk' }),
    );
    expect(change.after).toMatchObject({ status: 'declined', decision: { note: 'Nei takk' } });
  });

  it('confirms an employee’s request as an active grant at once ("bekreft fullmakt")', () => {
    const { change } = passed(
      proposeGrant({
        register: base,
        org,
        actorId: ingrid.id,
        draft: { areaId: 'permisjon', to: toPerson(sofie.id), validTo: '2027-01-31' },
        now: NOW,
        ref: 'DEL-2026-0500',
        origin: 'confirmation',
      }),
    );
    expect(change.after).toMatchObject({ status: 'active', origin: 'confirmation', level: 3 });
    expect(change.event.kind).toBe('accepted');
  });

  it('lets the delegator or whoever holds a grant above withdraw, and nobody else', () => {
    const active = applyChange(
      register,
      passed(acceptGrant({ register, org, ref: grantRef, actorId: sofie.id, now: NOW })).change,
    );
    for (const actorId of [emil.id, lars.id, sofie.id])
      expect(
        refused(revokeGrant({ register: active, org, ref: grantRef, actorId, now: NOW })),
      ).toEqual([{ code: 'not-allowed', ref: grantRef }]);
    for (const actorId of [ingrid.id, per.id])
      expect(
        passed(
          revokeGrant({
            register: active,
            org,
            ref: grantRef,
            actorId,
            now: NOW,
            note: 'Ny rutine',
          }),
        ).change.after,
      ).toMatchObject({ status: 'revoked', end: { by: actorId, reason: 'Ny rutine' } });
  });

  it('lets only the council withdraw a root grant', () => {
    expect(
      refused(
        revokeGrant({
          register: base,
          org,
          ref: ref('tilsetting-radmann'),
          actorId: per.id,
          now: NOW,
        }),
      ),
    ).toEqual([{ code: 'not-allowed', ref: ref('tilsetting-radmann') }]);
  });
});

describe('rule 7: onward delegation from level 2 is reported', () => {
  it('reports every grant below level 2', () => {
    expect(mustReport({ level: 1 })).toBe(false);
    expect(mustReport({ level: 2 })).toBe(false);
    expect(mustReport({ level: 3 })).toBe(true);
    expect(mustReport({ level: 4 })).toBe(true);
    const { change } = passed(
      propose(base, ingrid.id, { areaId: 'tilsetting', to: toPerson(sofie.id) }),
    );
    expect(mustReport(change.after)).toBe(true);
    const { change: fromRadmann } = passed(
      propose(base, per.id, {
        areaId: 'permisjon',
        to: { kind: 'role', role: 'enhetsleder', unitId: 'heim-skole' },
      }),
    );
    expect(mustReport(fromRadmann.after)).toBe(false);
  });

  it('tells the configured role, or the rådmann when nobody has it', () => {
    expect(reportRecipients(org).map((p) => p.name)).toEqual(['Kari Nilsen']);
    expect(reportRecipients(org, 'kommunalsjef').map((p) => p.name)).toEqual([
      'Ola Berg',
      'Hanne Dahl',
      'Jon Strand',
    ]);
    const small = makeOrganisation(
      [{ id: 'r', name: 'R', role: 'rådmann', unitId: 'top' }],
      [{ id: 'top', name: 'Top', kind: 'rådmannsnivå', leaderId: 'r' }],
    );
    expect(reportRecipients(small).map((p) => p.id)).toEqual(['r']);
  });
});

describe('refusals in the user’s language', () => {
  it('names the rule, the people and the amounts', () => {
    const ctx = { org, register: base };
    const notInLine: Refusal = {
      rule: 1,
      code: 'not-in-line',
      delegatorId: ingrid.id,
      to: toPerson(lars.id),
    };
    expect(refusalText(notInLine, 'nb', ctx)).toBe(
      'Regel 1 (kun i linjen): Lars Moen står ikke under Ingrid Haugen i linjen.',
    );
    expect(refusalText(notInLine, 'en', ctx)).toBe(
      'Rule 1 (only in the line): Lars Moen is not below Ingrid Haugen in the line.',
    );
    expect(
      refusalText({ rule: 2, code: 'limit-too-high', limitNok: 150_000, maxNok: 100_000 }, 'nb'),
    ).toBe(
      'Regel 2 (ingen gir mer enn de har): Beløpsgrensen 150\u00a0000 kr er høyere enn den du selv har (100\u00a0000 kr).',
    );
    expect(refusalText({ rule: 3, code: 'council-only', areaId: 'arsbudsjett' }, 'en', ctx)).toBe(
      'Rule 3 (block on further delegation and council only): “Adopting the annual budget and financial plan” is reserved to the municipal council and cannot be delegated.',
    );
  });

  it('has a text without open placeholders for every refusal, in both languages', () => {
    const all: Refusal[] = [
      {
        rule: 1,
        code: 'not-in-line',
        delegatorId: ingrid.id,
        to: { kind: 'role', role: 'leder', unitId: 'heim-skole' },
      },
      { rule: 1, code: 'to-self' },
      { rule: 1, code: 'unknown-recipient', to: toPerson('x') },
      { rule: 2, code: 'holds-nothing', areaId: 'tilsetting' },
      { rule: 2, code: 'not-holder', parentRef: 'DEL-2026-0001' },
      { rule: 2, code: 'parent-not-active', parentRef: 'DEL-2026-0001' },
      {
        rule: 2,
        code: 'other-area',
        parentRef: 'DEL-2026-0001',
        areaId: 'innkjop',
        parentAreaId: 'permisjon',
      },
      { rule: 2, code: 'limit-too-high', limitNok: 2, maxNok: 1 },
      { rule: 2, code: 'starts-too-early', validFrom: '2026-01-01', earliest: '2026-02-01' },
      { rule: 2, code: 'ends-too-late', validTo: '2026-03-01', latest: '2026-02-01' },
      { rule: 2, code: 'starts-too-late', validFrom: '2026-03-01', latest: '2026-02-01' },
      { rule: 3, code: 'blocked', parentRef: 'DEL-2026-0001' },
      { rule: 3, code: 'council-only', areaId: 'arsbudsjett' },
      { rule: 5, code: 'parent-ended', parentRef: 'DEL-2026-0001', status: 'expired' },
      { code: 'unknown-area', areaId: 'x' },
      { code: 'unknown-grant', ref: 'DEL-2026-0001' },
      { code: 'bad-limit' },
      { code: 'bad-date', field: 'validTo' },
      { code: 'bad-period', validFrom: '2026-02-01', validTo: '2026-01-01' },
      { code: 'starts-in-past', validFrom: '2026-01-01', today: '2026-02-01' },
      { code: 'duplicate', ref: 'DEL-2026-0001' },
      { code: 'wrong-status', ref: 'DEL-2026-0001', status: 'declined' },
      { code: 'ended', ref: 'DEL-2026-0001', validTo: '2026-01-01' },
      { code: 'not-recipient', ref: 'DEL-2026-0001' },
      { code: 'not-allowed', ref: 'DEL-2026-0001' },
      { code: 'not-under-review', ref: 'DEL-2026-0001' },
    ];
    for (const language of ['nb', 'en'] as const)
      for (const refusal of all) {
        const text = refusalText(refusal, language, { org, register: base });
        expect(text).not.toMatch(/[{}]/);
        expect(text.length).toBeGreaterThan(10);
        if (refusal.rule) expect(text).toMatch(language === 'nb' ? /^Regel \d/ : /^Rule \d/);
      }
  });
});
