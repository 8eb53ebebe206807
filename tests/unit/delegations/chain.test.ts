import { applyChange, applyChanges, type Register } from '../../../bot/delegations/delegation';
import {
  acceptGrant,
  chainFor,
  heldGrants,
  holds,
  proposeGrant,
  registerAsOf,
  revokeGrant,
  type ChainAnswer,
} from '../../../bot/delegations/delegation-rules';
import { partyName } from '../../../bot/delegations/delegation-texts';
import { parseOrgFile } from '../../../bot/org/org-file';
import { DEMO_PEOPLE } from '../../support/demo-people';
import { readDemoOrgJson } from '../../support/demo-org';
import { deepFreeze, demoOrg, NOW } from '../fixtures';
import { demoRegister, IMPORTED_AT, passed, refOf } from './demo-register';

/** Rule 4 (the chain and who stays responsible), role grants, and the register as of a date. */
const org = demoOrg();
const { per, ingrid, sofie, emil, anders, marte } = DEMO_PEOPLE;
const demo = demoRegister();
const base: Register = deepFreeze(demo.register);
const ref = (id: string) => refOf(demo.refs, id);
const ctx = { org, register: base };

function yes(answer: ChainAnswer) {
  if (answer.answer !== 'yes') throw new Error(`expected yes, got ${JSON.stringify(answer)}`);
  return answer;
}
function no(answer: ChainAnswer) {
  if (answer.answer !== 'no') throw new Error('expected no');
  return answer;
}
/** The chain as names, the responsible party after each: "Ingrid Haugen ← rådmann …". */
function names(answer: ChainAnswer & { answer: 'yes' }): string[] {
  return answer.steps.map((s) => partyName(s.holder, ctx, 'nb'));
}

describe('rule 4: "Har jeg fullmakt til å tilsette?"', () => {
  it('answers Ingrid yes with the whole chain: kommunestyret → rådmann → enhetsleder', () => {
    const answer = yes(chainFor(base, org, ingrid.id, 'tilsetting', NOW));
    expect(names(answer)).toEqual([
      'Kommunestyret',
      'rådmann, Rådmannen (Per Kristiansen)',
      'enhetsleder, Sentrum barnehage (Ingrid Haugen)',
    ]);
    expect(answer.steps[0].politicalBasis).toEqual({
      body: 'Kommunestyret',
      caseNumber: 'PS 12/24',
      date: '2024-03-14',
    });
    // Responsibility stays with the one who delegated, at every step.
    expect(answer.steps.map((s) => s.responsible && partyName(s.responsible, ctx, 'nb'))).toEqual([
      undefined,
      'Kommunestyret',
      'rådmann, Rådmannen (Per Kristiansen)',
    ]);
    expect(answer.steps[2]).toMatchObject({
      level: 2,
      ref: ref('tilsetting-sentrum-barnehage'),
      delegatedBy: { kind: 'person', id: per.id },
      validFrom: '2024-05-01',
      blocked: false,
    });
    expect(answer.basis).toEqual({
      kind: 'law',
      law: 'kommuneloven',
      section: '§ 13-1',
      ledd: 'sjuende ledd',
      url: 'https://lovdata.no/lov/2018-06-22-83/§13-1',
    });
    expect(answer.mayDelegate).toBe(true);
  });

  it('shows Sofie her limit, her end date and that Ingrid is responsible for her step', () => {
    const answer = yes(chainFor(base, org, sofie.id, 'innkjop', NOW));
    expect(names(answer)).toEqual([
      'Kommunestyret',
      'rådmann, Rådmannen (Per Kristiansen)',
      'enhetsleder, Sentrum barnehage (Ingrid Haugen)',
      'Sofie Lunde',
    ]);
    expect(answer.steps.map((s) => s.limitNok)).toEqual([undefined, 1_300_000, 500_000, 100_000]);
    expect(answer).toMatchObject({ limitNok: 100_000, validTo: '2027-06-30' });
    expect(answer.steps[3].conditions).toBe('Innenfor inngåtte rammeavtaler.');
    expect(partyName(answer.steps[3].responsible!, ctx, 'nb')).toBe(
      'enhetsleder, Sentrum barnehage (Ingrid Haugen)',
    );
  });

  it('answers the rådmann through the council’s decision alone', () => {
    const answer = yes(chainFor(base, org, per.id, 'tilsetting', NOW));
    expect(answer.steps).toHaveLength(2);
    expect(answer.grant.ref).toBe(ref('tilsetting-radmann'));
  });

  it('says no to Sofie for hiring, and to ask Ingrid, who may delegate it', () => {
    const answer = no(chainFor(base, org, sofie.id, 'tilsetting', NOW));
    expect(answer).toMatchObject({
      rule: 4,
      reason: 'not-held',
      ask: { kind: 'person', id: ingrid.id },
      askMayDelegate: true,
    });
    expect(answer.askSteps).toHaveLength(3);
  });

  it('says to ask Ingrid, who must decide herself, where her grant has a sperre', () => {
    for (const person of [sofie.id, emil.id])
      expect(no(chainFor(base, org, person, 'budsjettdisponering', NOW))).toMatchObject({
        reason: 'not-held',
        ask: { kind: 'person', id: ingrid.id },
        askMayDelegate: false,
      });
  });

  it('skips leaders up the line who do not hold the area', () => {
    // Marte (Heim skole) has no leave authority; the rådmann has it from the council.
    expect(no(chainFor(base, org, anders.id, 'permisjon', NOW)).ask).toEqual({
      kind: 'person',
      id: per.id,
    });
  });

  it('sends what is reserved to the council to the council', () => {
    expect(no(chainFor(base, org, per.id, 'arsbudsjett', NOW))).toMatchObject({
      reason: 'council-only',
      ask: { kind: 'council', body: 'Kommunestyret' },
    });
    expect(no(chainFor(base, org, per.id, 'no-such-area', NOW)).reason).toBe('unknown-area');
  });

  it('says "not yet" for a grant that starts later, and no after a grant’s end', () => {
    const proposed = passed(
      proposeGrant({
        register: base,
        org,
        actorId: ingrid.id,
        draft: {
          areaId: 'tilsetting',
          to: { kind: 'person', id: sofie.id },
          validFrom: '2027-01-01',
        },
        now: NOW,
        ref: 'DEL-2026-0100',
      }),
    ).change;
    let register = applyChange(base, proposed);
    register = applyChange(
      register,
      passed(acceptGrant({ register, org, ref: 'DEL-2026-0100', actorId: sofie.id, now: NOW }))
        .change,
    );
    expect(no(chainFor(register, org, sofie.id, 'tilsetting', NOW))).toMatchObject({
      reason: 'not-yet-valid',
      grant: { ref: 'DEL-2026-0100', validFrom: '2027-01-01' },
      ask: { kind: 'person', id: ingrid.id },
    });
    expect(
      chainFor(register, org, sofie.id, 'tilsetting', new Date('2027-01-01T08:00:00Z')).answer,
    ).toBe('yes');
    expect(chainFor(base, org, sofie.id, 'innkjop', new Date('2027-06-30T20:00:00Z')).answer).toBe(
      'yes',
    ); // 22:00 in Oslo, still 30 June
    expect(chainFor(base, org, sofie.id, 'innkjop', new Date('2027-06-30T22:30:00Z')).answer).toBe(
      'no',
    ); // 00:30 on 1 July in Oslo
  });
});

describe('role grants survive a change of leader', () => {
  // Ingrid leaves Sentrum barnehage for Heim skole; Hilde Nygaard becomes enhetsleder.
  const json = readDemoOrgJson();
  const hilde = { id: '7c1a2b3d-0001-4a10-9c01-000000000601', name: 'Hilde Nygaard' };
  json.people.push({ ...hilde, role: 'enhetsleder', unitId: 'sentrum-barnehage' });
  json.people.find((p: { id: string }) => p.id === ingrid.id).unitId = 'heim-skole';
  json.people.find((p: { id: string }) => p.id === ingrid.id).role = 'leder';
  json.units.find((u: { id: string }) => u.id === 'sentrum-barnehage').leaderId = hilde.id;
  const parsed = parseOrgFile(json);
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  const newOrg = parsed.org;

  it('gives the new leader the role’s authority and takes it from the old one', () => {
    expect(holds(base, newOrg, hilde.id, 'tilsetting', NOW)?.ref).toBe(
      ref('tilsetting-sentrum-barnehage'),
    );
    expect(holds(base, newOrg, ingrid.id, 'tilsetting', NOW)).toBeUndefined();
    expect(holds(base, org, ingrid.id, 'tilsetting', NOW)?.ref).toBe(
      ref('tilsetting-sentrum-barnehage'),
    );
  });

  it('keeps Sofie’s grant from Ingrid, with the new leader now responsible for it', () => {
    const answer = yes(chainFor(base, newOrg, sofie.id, 'innkjop', NOW));
    expect(answer.steps[3].delegatedBy).toEqual({ kind: 'person', id: ingrid.id });
    expect(answer.steps[3].responsible).toEqual({
      kind: 'role',
      role: 'enhetsleder',
      unitId: 'sentrum-barnehage',
      holderIds: [hilde.id],
    });
  });

  it('lets the new leader delegate and withdraw from the role', () => {
    const proposed = proposeGrant({
      register: base,
      org: newOrg,
      actorId: hilde.id,
      draft: { areaId: 'permisjon', to: { kind: 'person', id: sofie.id } },
      now: NOW,
      ref: 'DEL-2026-0200',
    });
    expect(passed(proposed).change.after.parentRef).toBe(ref('permisjon-sentrum-barnehage'));
    expect(
      passed(
        revokeGrant({
          register: base,
          org: newOrg,
          ref: ref('innkjop-sofie'),
          actorId: hilde.id,
          now: NOW,
        }),
      ).change.after.status,
    ).toBe('revoked');
  });

  it('shows a vacant role as vacant and holding nothing for anyone', () => {
    const vacantJson = readDemoOrgJson();
    vacantJson.people = vacantJson.people.filter((p: { id: string }) => p.id !== marte.id);
    delete vacantJson.units.find((u: { id: string }) => u.id === 'heim-skole').leaderId;
    const vacant = parseOrgFile(vacantJson);
    if (!vacant.ok) throw new Error(vacant.errors.join('; '));
    const grant = base.grants.find((g) => g.ref === ref('tilsetting-heim-skole'))!;
    expect(
      partyName(
        { kind: 'role', role: 'enhetsleder', unitId: 'heim-skole', holderIds: [] },
        { org: vacant.org },
        'nb',
      ),
    ).toBe('enhetsleder, Heim skole (ubesatt)');
    expect(grant.status).toBe('active');
    expect(heldGrants(base, vacant.org, anders.id, 'tilsetting', NOW)).toEqual([]);
  });
});

describe('the register as it stood on a date', () => {
  const t1 = new Date('2026-12-01T09:00:00Z');
  const t2 = new Date('2026-12-03T09:00:00Z');
  const t3 = new Date('2027-02-01T09:00:00Z');
  const proposed = passed(
    proposeGrant({
      register: base,
      org,
      actorId: ingrid.id,
      draft: { areaId: 'tilsetting', to: { kind: 'person', id: sofie.id } },
      now: t1,
      ref: 'DEL-2026-0300',
    }),
  ).change;
  let register = applyChange(base, proposed);
  register = applyChange(
    register,
    passed(acceptGrant({ register, org, ref: 'DEL-2026-0300', actorId: sofie.id, now: t2 })).change,
  );
  const withdrawn = passed(
    revokeGrant({
      register,
      org,
      ref: ref('tilsetting-sentrum-barnehage'),
      actorId: per.id,
      now: t3,
    }),
  );
  register = applyChanges(applyChange(register, withdrawn.change), withdrawn.cascade.changes);
  const full = deepFreeze(register);
  const statusOn = (r: Register, grantRef: string) =>
    r.grants.find((g) => g.ref === grantRef)?.status;

  it('shows each grant with the status it had, and leaves out what came later', () => {
    expect(statusOn(registerAsOf(full, '2026-11-30'), 'DEL-2026-0300')).toBeUndefined();
    expect(statusOn(registerAsOf(full, '2026-12-01'), 'DEL-2026-0300')).toBe('proposed');
    expect(statusOn(registerAsOf(full, new Date('2026-12-03T08:59:59Z')), 'DEL-2026-0300')).toBe(
      'proposed',
    );
    expect(statusOn(registerAsOf(full, '2026-12-03'), 'DEL-2026-0300')).toBe('active');
    expect(statusOn(registerAsOf(full, '2027-01-31'), ref('tilsetting-sentrum-barnehage'))).toBe(
      'active',
    );
    expect(statusOn(registerAsOf(full, '2027-02-01'), 'DEL-2026-0300')).toBe('revoked');
    expect(statusOn(registerAsOf(full, '2027-02-01'), ref('tilsetting-sentrum-barnehage'))).toBe(
      'revoked',
    );
  });

  it('drops the facts of later steps (the acceptance, the end) from the grant', () => {
    const asProposed = registerAsOf(full, t1).grants.find((g) => g.ref === 'DEL-2026-0300')!;
    expect(asProposed).toMatchObject({ rev: 1, status: 'proposed' });
    expect(asProposed.decision).toBeUndefined();
    expect(asProposed.end).toBeUndefined();
    const asActive = registerAsOf(full, t2).grants.find((g) => g.ref === 'DEL-2026-0300')!;
    expect(asActive).toMatchObject({ rev: 2, decision: { by: sofie.id } });
    expect(asActive.end).toBeUndefined();
    expect(registerAsOf(full, t2).events.every((e) => Date.parse(e.at) <= t2.getTime())).toBe(true);
  });

  it('is the register itself at the time of its last change', () => {
    expect(registerAsOf(full, t3)).toEqual(full);
  });

  it('counts a registered grant from its validity, even if it was recorded later', () => {
    expect(IMPORTED_AT.toISOString() > '2024-05-01').toBe(true);
    expect(statusOn(registerAsOf(full, '2024-03-31'), ref('tilsetting-radmann'))).toBeUndefined();
    expect(statusOn(registerAsOf(full, '2024-04-01'), ref('tilsetting-radmann'))).toBe('active');
    expect(statusOn(registerAsOf(full, '2024-04-30'), ref('tilsetting-sentrum-barnehage'))).toBe(
      undefined,
    );
    expect(
      yes(
        chainFor(
          registerAsOf(full, '2025-06-01'),
          org,
          ingrid.id,
          'tilsetting',
          new Date('2025-06-01T10:00:00Z'),
        ),
      ).steps,
    ).toHaveLength(3);
    expect(
      chainFor(registerAsOf(full, '2027-02-01'), org, ingrid.id, 'tilsetting', t3).answer,
    ).toBe('no');
  });
});
