import { applyChange, applyChanges, type Register } from '../../../bot/delegations/delegation';
import {
  acceptGrant,
  cascade,
  expireDue,
  flagForReview,
  holds,
  keepGrant,
  proposeGrant,
  revokeGrant,
  reviewAfterOrgChange,
  type GrantDraft,
} from '../../../bot/delegations/delegation-rules';
import { parseOrgFile } from '../../../bot/org/org-file';
import type { Organisation } from '../../../bot/org/organisation';
import { DEMO_PEOPLE } from '../../support/demo-people';
import { deepFreeze, NOW } from '../fixtures';
import { demoRegister, orgWithAvdeling, passed, refOf, refused } from './demo-register';

/** Rule 5 (cascade on withdrawal and expiry) and rule 6 (review after an org import). */
const org = orgWithAvdeling();
const { per, ingrid, sofie, emil, marte, lars } = DEMO_PEOPLE;
const demo = demoRegister();
const ref = (id: string) => refOf(demo.refs, id);

let counter = 700;
/** Proposes, and accepts unless `pending`. */
function add(register: Register, actorId: string, draft: GrantDraft, pending = false) {
  const grantRef = `DEL-2026-0${counter++}`;
  let next = applyChange(
    register,
    passed(proposeGrant({ register, org, actorId, draft, now: NOW, ref: grantRef })).change,
  );
  if (!pending && draft.to.kind === 'person')
    next = applyChange(
      next,
      passed(acceptGrant({ register: next, org, ref: grantRef, actorId: draft.to.id, now: NOW }))
        .change,
    );
  return { register: next, ref: grantRef };
}

// Ingrid → Sofie (innkjøp, from the demo) → Emil (accepted); Ingrid → Emil (a pending proposal
// from Sofie's grant is not possible twice, so Emil's second is from Ingrid's attestation line).
const step1 = add(demo.register, sofie.id, {
  areaId: 'innkjop',
  to: { kind: 'person', id: emil.id },
});
const step2 = add(
  step1.register,
  sofie.id,
  { areaId: 'attestasjon', to: { kind: 'person', id: emil.id } },
  true,
);
const register = deepFreeze(step2.register);
const emilInnkjop = step1.ref;
const emilAttestasjonProposal = step2.ref;

describe('rule 5: withdrawing a grant ends every grant derived from it', () => {
  it('ends Sofie’s and Emil’s purchasing when the rådmann withdraws Ingrid’s', () => {
    const result = passed(
      revokeGrant({
        register,
        org,
        ref: ref('innkjop-sentrum-barnehage'),
        actorId: per.id,
        now: NOW,
        note: 'Nytt innkjøpsreglement',
      }),
    );
    expect(result.change.after).toMatchObject({
      status: 'revoked',
      end: { by: per.id, reason: 'Nytt innkjøpsreglement' },
    });
    expect(result.cascade.changes.map((c) => [c.after.ref, c.after.status, c.event.kind])).toEqual([
      [ref('innkjop-sofie'), 'revoked', 'cascaded'],
      [emilInnkjop, 'revoked', 'cascaded'],
    ]);
    expect(result.cascade.changes[1].after.end).toEqual({
      at: NOW.toISOString(),
      by: per.id,
      cascadeFrom: ref('innkjop-sentrum-barnehage'),
    });
    expect(result.cascade.lost).toEqual([
      {
        ref: ref('innkjop-sofie'),
        areaId: 'innkjop',
        to: { kind: 'person', id: sofie.id },
        was: 'active',
        cause: ref('innkjop-sentrum-barnehage'),
      },
      {
        ref: emilInnkjop,
        areaId: 'innkjop',
        to: { kind: 'person', id: emil.id },
        was: 'active',
        cause: ref('innkjop-sentrum-barnehage'),
      },
    ]);
    const after = applyChanges(applyChange(register, result.change), result.cascade.changes);
    for (const person of [ingrid.id, sofie.id, emil.id])
      expect(holds(after, org, person, 'innkjop', NOW)).toBeUndefined();
    // The rest of Ingrid's authority is untouched.
    expect(holds(after, org, ingrid.id, 'tilsetting', NOW)).toBeDefined();
  });

  it('lets a pending proposal lapse with the grant it derives from', () => {
    const result = cascade(register, ref('attestasjon-sofie'), NOW, { actorId: ingrid.id });
    expect(result.lost).toEqual([
      {
        ref: emilAttestasjonProposal,
        areaId: 'attestasjon',
        to: { kind: 'person', id: emil.id },
        was: 'proposed',
        cause: ref('attestasjon-sofie'),
      },
    ]);
  });

  it('touches only what derives from the grant, and nothing already ended', () => {
    expect(cascade(register, emilInnkjop, NOW).changes).toEqual([]);
    const once = passed(
      revokeGrant({ register, org, ref: ref('innkjop-sofie'), actorId: ingrid.id, now: NOW }),
    );
    const after = applyChanges(applyChange(register, once.change), once.cascade.changes);
    expect(cascade(after, ref('innkjop-sofie'), NOW).changes).toEqual([]);
    expect(cascade(after, ref('innkjop-sentrum-barnehage'), NOW).changes).toEqual([]);
  });

  it('ends the whole tree under a root grant the council withdraws', () => {
    const result = passed(
      revokeGrant({
        register,
        org,
        ref: ref('innkjop-radmann'),
        actorId: 'kommunestyret',
        now: NOW,
      }),
    );
    expect(result.cascade.changes.map((c) => c.after.ref)).toEqual([
      ref('innkjop-sentrum-barnehage'),
      ref('innkjop-sofie'),
      emilInnkjop,
    ]);
  });
});

describe('rule 5: expiry ends every grant derived from the expired one', () => {
  it('expires Sofie’s purchasing after 30 June 2027, and Emil’s with it', () => {
    const day = new Date('2027-07-01T04:00:00Z');
    const result = expireDue(register, day);
    expect(result.changes.map((c) => [c.after.ref, c.after.status, c.event.kind])).toEqual([
      [ref('innkjop-sofie'), 'expired', 'expired'],
      [emilInnkjop, 'expired', 'cascaded'],
    ]);
    expect(result.lost.map((l) => l.ref)).toEqual([emilInnkjop]);
    const after = applyChanges(register, result.changes);
    expect(expireDue(after, day).changes).toEqual([]);
    expect(holds(after, org, ingrid.id, 'innkjop', day)).toBeDefined();
  });

  it('does nothing on the last valid day (validity is inclusive, Oslo time)', () => {
    expect(expireDue(register, new Date('2027-06-30T21:59:00Z')).changes).toEqual([]);
  });
});

describe('rule 6: a holder who changed unit or leader is reviewed', () => {
  function changedOrg(change: (json: Record<string, any>) => void): Organisation {
    const json = JSON.parse(
      JSON.stringify({
        municipality: 'Heim kommune',
        units: [...org.units.values()],
        people: [...org.people.values()],
      }),
    );
    change(json);
    const parsed = parseOrgFile(json);
    if (!parsed.ok) throw new Error(parsed.errors.join('; '));
    return parsed.org;
  }
  const person = (json: Record<string, any>, id: string) =>
    json.people.find((p: { id: string }) => p.id === id);

  it('flags the personal grants of someone who moved, with the old and new leader', () => {
    const moved = changedOrg((json) => {
      person(json, sofie.id).unitId = 'heim-skole';
    });
    const flags = reviewAfterOrgChange(register, org, moved);
    expect(flags).toEqual([
      {
        ref: ref('innkjop-sofie'),
        areaId: 'innkjop',
        personId: sofie.id,
        oldUnitId: 'sentrum-barnehage',
        newUnitId: 'heim-skole',
        oldLeaderId: ingrid.id,
        newLeaderId: marte.id,
        left: false,
      },
      expect.objectContaining({ ref: ref('attestasjon-sofie'), personId: sofie.id }),
    ]);
  });

  it('flags a changed leader without a move, and someone who left', () => {
    const newLeader = changedOrg((json) => {
      json.units.find((u: { id: string }) => u.id === 'avdeling-sol').leaderId = ingrid.id;
    });
    expect(reviewAfterOrgChange(register, org, newLeader)).toEqual([
      expect.objectContaining({
        ref: emilInnkjop,
        personId: emil.id,
        oldLeaderId: sofie.id,
        newLeaderId: ingrid.id,
        oldUnitId: 'avdeling-sol',
        newUnitId: 'avdeling-sol',
      }),
      expect.objectContaining({ ref: emilAttestasjonProposal, personId: emil.id }),
    ]);
    const left = changedOrg((json) => {
      json.people = json.people.filter((p: { id: string }) => p.id !== emil.id);
    });
    expect(reviewAfterOrgChange(register, org, left)[0]).toMatchObject({
      personId: emil.id,
      left: true,
      oldLeaderId: sofie.id,
    });
  });

  it('flags nothing when nothing changed, and never a role grant', () => {
    expect(reviewAfterOrgChange(register, org, org)).toEqual([]);
    const ingridMoved = changedOrg((json) => {
      person(json, ingrid.id).unitId = 'heim-skole';
    });
    expect(
      reviewAfterOrgChange(register, org, ingridMoved).every((f) => f.personId !== ingrid.id),
    ).toBe(true);
  });

  it('flags once: an import run twice does not flag again', () => {
    const moved = changedOrg((json) => {
      person(json, sofie.id).unitId = 'heim-skole';
    });
    const flags = reviewAfterOrgChange(register, org, moved);
    const flagged = applyChanges(
      register,
      flags.map((f) =>
        flagForReview(
          register.grants.find((g) => g.ref === f.ref)!,
          f,
          NOW,
        ),
      ),
    );
    expect(reviewAfterOrgChange(flagged, org, moved)).toEqual([]);
    const grant = flagged.grants.find((g) => g.ref === ref('innkjop-sofie'))!;
    expect(grant).toMatchObject({
      status: 'active',
      review: { personId: sofie.id, oldLeaderId: ingrid.id, newLeaderId: marte.id },
    });
    expect(flagged.events.at(-1)).toMatchObject({ kind: 'flagged', targetId: marte.id });
  });

  it('lets the old or new leader keep it, or withdraw it; nobody else', () => {
    // Emil gets a new leader (Ingrid leads Avdeling Sol herself). Sofie, who gave him his grant,
    // no longer leads his unit: keeping it is refused by rule 1, withdrawing it is not.
    const newLeader = changedOrg((json) => {
      json.units.find((u: { id: string }) => u.id === 'avdeling-sol').leaderId = ingrid.id;
    });
    const flags = reviewAfterOrgChange(register, org, newLeader);
    const flagged = applyChanges(
      register,
      flags.map((f) =>
        flagForReview(
          register.grants.find((g) => g.ref === f.ref)!,
          f,
          NOW,
        ),
      ),
    );
    expect(
      refused(
        keepGrant({
          register: flagged,
          org: newLeader,
          ref: emilInnkjop,
          actorId: lars.id,
          now: NOW,
        }),
      ),
    ).toEqual([{ code: 'not-allowed', ref: emilInnkjop }]);
    expect(
      refused(
        keepGrant({
          register: flagged,
          org: newLeader,
          ref: emilInnkjop,
          actorId: ingrid.id,
          now: NOW,
        }),
      ),
    ).toEqual([
      { rule: 1, code: 'not-in-line', delegatorId: sofie.id, to: { kind: 'person', id: emil.id } },
    ]);
    const withdrawn = passed(
      revokeGrant({
        register: flagged,
        org: newLeader,
        ref: emilInnkjop,
        actorId: ingrid.id,
        now: NOW,
      }),
    );
    expect(withdrawn.change.after.status).toBe('revoked');
    expect(withdrawn.change.after.review).toBeUndefined();

    // Sofie moves within the line (to Avdeling Sol, still under Ingrid): Ingrid keeps her grant.
    const within = changedOrg((json) => {
      person(json, sofie.id).unitId = 'avdeling-sol';
      json.units.find((u: { id: string }) => u.id === 'avdeling-sol').leaderId = ingrid.id;
    });
    const sofieFlags = reviewAfterOrgChange(register, org, within).filter(
      (f) => f.personId === sofie.id,
    );
    const sofieFlagged = applyChanges(
      register,
      sofieFlags.map((f) =>
        flagForReview(
          register.grants.find((g) => g.ref === f.ref)!,
          f,
          NOW,
        ),
      ),
    );
    const kept = passed(
      keepGrant({
        register: sofieFlagged,
        org: within,
        ref: ref('innkjop-sofie'),
        actorId: ingrid.id,
        now: NOW,
        note: 'Samme oppgaver',
      }),
    );
    expect(kept.change.after.review).toBeUndefined();
    expect('review' in kept.change.after).toBe(false);
    expect(kept.change.event).toMatchObject({ kind: 'kept', note: 'Samme oppgaver' });
    expect(
      refused(
        keepGrant({
          register: applyChange(sofieFlagged, kept.change),
          org: within,
          ref: ref('innkjop-sofie'),
          actorId: ingrid.id,
          now: NOW,
        }),
      ),
    ).toEqual([{ code: 'not-under-review', ref: ref('innkjop-sofie') }]);
  });
});
