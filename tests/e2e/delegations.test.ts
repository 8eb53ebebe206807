import type { Grant } from '../../bot/delegations/delegation';
import { PEOPLE, startBotUnderTest, type BotUnderTest } from '../support/bot-under-test';
import { delegationChat, importDemoRegister } from '../support/delegations-setup';
import { actionsOf, cardText, executeAction } from '../support/cards';
import { act, invokeCard } from '../support/deviation-flows';
import type { TeamsUser } from '../support/teams-client';

/**
 * Delegations of authority end to end over HTTP against Azurite, with the demo register of Heim
 * kommune: the chain for Ingrid, "deleger" → accept → the chain shows it, decline, a refusal
 * per rule that chat can hit, forged/stale/concurrent accepts leave one outcome, withdrawal
 * cascades and every holder is told, and "bekreft fullmakt" confirmed and declined.
 */
let t: BotUnderTest;
const { ingrid, emil, per, sofie, marte } = PEOPLE;
const kari: TeamsUser = {
  id: '29:kari',
  aadObjectId: '00000000-0000-0000-0000-0000000000022',
  name: 'Kari Nilsen',
};
const anders: TeamsUser = {
  id: '29:anders',
  aadObjectId: '7c1a2b3d-0001-4a10-9c01-000000000402',
  name: 'Anders Lie',
};
const clock = { at: new Date('2026-12-01T09:00:00Z'), now: () => clock.at };

const shared = () => delegationChat(t);
const cardsIn = (who: TeamsUser) => shared().cardsIn(who);
const register = () => t.bot.delegations.deps.register.read();
const ask = (who: TeamsUser, text: string) => shared().ask(who, text);
const cardWith = (who: TeamsUser, ...texts: string[]) => shared().cardWith(who, ...texts);
/** "deleger", then the form sent with these values; the answer card. */
const delegate = async (who: TeamsUser, values: Record<string, unknown>) => ({
  card: await shared().delegate(who, values),
});

const grantsTo = async (personId: string, areaId: string): Promise<Grant[]> =>
  (await register()).grants.filter(
    (g) => g.areaId === areaId && g.to.kind === 'person' && g.to.id === personId,
  );

beforeAll(async () => {
  t = await startBotUnderTest({
    clock,
    installed: [ingrid, emil, per, sofie, marte, kari, anders],
  });
  await importDemoRegister(t, clock.now());
}, 60_000);
afterAll(async () => {
  await t?.stop();
});

describe('har jeg fullmakt til …? (rule 4: the chain and who stays responsible)', () => {
  test('Ingrid sees her chain for tilsetting: kommunestyret → rådmann → enhetsleder', async () => {
    const { card } = await ask(ingrid, 'Har jeg fullmakt til å tilsette?');
    const text = cardText(card);
    expect(text).toContain('Ja, du har fullmakt til «Tilsetting»');
    expect(text).toContain('Kommunestyret');
    expect(text).toContain('PS 12/24');
    expect(text).toContain('rådmann, Rådmannen (Per Kristiansen)');
    expect(text).toContain('enhetsleder, Sentrum barnehage (Ingrid Haugen)');
    expect(text).toContain('kommuneloven § 13-1');
    // Who stays responsible for Ingrid's step: whoever holds the rådmann's grant.
    expect(text).toMatch(/Ansvarlig: rådmann, Rådmannen \(Per Kristiansen\)/);
    const lovdata = actionsOf(card).find((a) => a.type === 'Action.OpenUrl');
    expect(lovdata).toBeDefined();
    expect(JSON.stringify(card)).toContain('https://lovdata.no/');
  });

  test('in English: "do I have authority to hire?"', async () => {
    const { card } = await ask(
      { ...ingrid, locale: 'en-GB' } as TeamsUser,
      'Do I have authority to hire?',
    );
    expect(cardText(card)).toContain('Yes, you have authority for “Hiring”');
  });

  test('no: Emil does not hold it, and is told to ask Ingrid', async () => {
    const { card } = await ask(emil, 'fullmakt tilsetting');
    const text = cardText(card);
    expect(text).toContain('Nei, du har ikke fullmakt til «Tilsetting»');
    expect(text).toContain('Spør Ingrid Haugen.');
  });

  test('a sperre: the one to ask must decide in person', async () => {
    const { card } = await ask(emil, 'fullmakt budsjettdisponering');
    expect(cardText(card)).toContain('Ingrid Haugen har fullmakten med delegeringssperre');
  });

  test('ambiguous text offers the areas as choices, and a choice answers', async () => {
    const choices = await ask(sofie, 'fullmakt innkjøp');
    const verbs = actionsOf(choices.card).filter((a) => a.verb === 'delegation.ask');
    expect(verbs.map((a) => a.data?.areaId).sort()).toEqual(['innkjop', 'innkjop-eos']);
    const response = await t.client.cardAction(sofie, 'delegation.ask', { areaId: 'innkjop' });
    const text = cardText(invokeCard(response));
    expect(text).toContain('Ja, du har fullmakt');
    expect(text).toContain('100');
    expect(text).toContain('Sofie Lunde');
  });
});

describe('deleger → accept or decline', () => {
  test('Ingrid delegates tilsetting to Emil; Emil accepts; the chain shows it; rule 7 reported', async () => {
    const { card } = await delegate(ingrid, {
      areaId: 'tilsetting',
      to: `person:${emil.aadObjectId}`,
      conditions: 'Gjelder vikarer',
    });
    expect(cardText(card)).toContain('Sendt til Emil Vik');
    const [proposed] = await grantsTo(emil.aadObjectId, 'tilsetting');
    expect(proposed).toMatchObject({ status: 'proposed', level: 3, fromId: ingrid.aadObjectId });
    expect((await ask(emil, 'fullmakt tilsetting')).card).toBeDefined();
    expect(cardText(cardsIn(emil).at(-1)!.card)).toContain('Nei');

    const offer = await cardWith(emil, proposed.ref, 'vil delegere fullmakt til deg');
    const accepted = await act(t, emil, offer, 'delegation.accept');
    expect(cardText(accepted.card)).toContain('Akseptert');
    await t.settle();
    const chain = cardText((await ask(emil, 'har jeg fullmakt til å ansette?')).card);
    expect(chain).toContain('Ja, du har fullmakt til «Tilsetting»');
    expect(chain).toContain('Emil Vik');
    expect(chain).toContain('Ansvarlig: enhetsleder, Sentrum barnehage (Ingrid Haugen)');
    expect(chain).toContain('Gjelder vikarer');
    // Ingrid's copy (the form's message) follows, and she is told.
    await cardWith(ingrid, 'Emil Vik har akseptert fullmakten');
    const updated = t.connector
      .updates()
      .filter((u) => JSON.stringify(u.activity).includes(proposed.ref));
    expect(updated.length).toBeGreaterThan(0);
    // Rule 7: level 3, so the rådmann's office (assisterende rådmann) is told.
    const report = await cardWith(kari, 'Videredelegering', proposed.ref);
    expect(cardText(report.card)).toContain('nivå 3');
  });

  test('Sofie declines permisjon with a comment; Ingrid is told; nothing applies', async () => {
    await delegate(ingrid, { areaId: 'permisjon', to: `person:${sofie.aadObjectId}` });
    const [proposed] = await grantsTo(sofie.aadObjectId, 'permisjon');
    const offer = await cardWith(sofie, proposed.ref, 'vil delegere fullmakt til deg');
    const declined = await act(t, sofie, offer, 'delegation.decline', { note: 'Har ikke tid nå' });
    expect(cardText(declined.card)).toContain('Avslått');
    expect(cardText(declined.card)).toContain('Har ikke tid nå');
    await cardWith(ingrid, 'Sofie Lunde har avslått fullmakten', proposed.ref);
    expect(cardText((await ask(sofie, 'fullmakt permisjon')).card)).toContain('Nei');
    expect((await grantsTo(sofie.aadObjectId, 'permisjon'))[0].status).toBe('declined');
  });
});

test('the same form sent twice (a Teams retry) makes one proposal and shows it again', async () => {
  const form = await ask(ingrid, 'deleger');
  const formId = executeAction(form.card, 'delegation.submit').data?.formId;
  const values = { formId, areaId: 'tilsetting', to: `person:${sofie.aadObjectId}` };
  const first = invokeCard(await t.client.cardAction(ingrid, 'delegation.submit', values));
  const second = invokeCard(await t.client.cardAction(ingrid, 'delegation.submit', values));
  const made = await grantsTo(sofie.aadObjectId, 'tilsetting');
  expect(made).toHaveLength(1);
  expect(JSON.stringify(first)).toContain(made[0].ref);
  expect(JSON.stringify(second)).toContain(made[0].ref);
  await t.settle();
});

describe('refusals name the rule, and nothing is stored', () => {
  const refused = async (values: Record<string, unknown>, expected: RegExp) => {
    const before = (await register()).grants.length;
    const { card } = await delegate(ingrid, values);
    expect(cardText(card)).toMatch(expected);
    expect(executeAction(card, 'delegation.submit')).toBeDefined();
    expect((await register()).grants.length).toBe(before);
  };

  test('rule 1: outside the line', () =>
    refused(
      { areaId: 'tilsetting', to: `person:${anders.aadObjectId}` },
      /Regel 1 \(kun i linjen\): Anders Lie står ikke under Ingrid Haugen/,
    ));

  test('rule 2: more than she holds', () =>
    refused(
      { areaId: 'innkjop', to: `person:${emil.aadObjectId}`, limitNok: '600 000' },
      /Regel 2 \(ingen gir mer enn de har\): Beløpsgrensen 600\s000 kr er høyere/,
    ));

  test('rule 3: a sperre', () =>
    refused(
      { areaId: 'budsjettdisponering', to: `person:${emil.aadObjectId}` },
      /Regel 3 .*delegeringssperre/,
    ));

  test('rule 3: reserved to the council', () =>
    refused(
      { areaId: 'arsbudsjett', to: `person:${emil.aadObjectId}` },
      /Regel 3 .*kommunestyret selv/,
    ));

  test('in English, the same rule in English', async () => {
    const english = { ...ingrid, locale: 'en-GB' } as TeamsUser;
    const { card } = await delegate(english, {
      areaId: 'tilsetting',
      to: `person:${anders.aadObjectId}`,
    });
    expect(cardText(card)).toContain('Rule 1 (only in the line)');
  });
});

describe('forged, stale and concurrent answers leave one outcome', () => {
  let offer: { id: string; card: any };
  let ref: string;
  beforeAll(async () => {
    await delegate(ingrid, { areaId: 'attestasjon', to: `person:${emil.aadObjectId}` });
    ref = (await grantsTo(emil.aadObjectId, 'attestasjon'))[0].ref;
    offer = await cardWith(emil, ref, 'vil delegere fullmakt til deg');
  });

  test('a forged signature changes nothing', async () => {
    const data = { ...executeAction(offer.card, 'delegation.accept').data, sig: 'x'.repeat(32) };
    const card = invokeCard(await t.client.cardAction(emil, 'delegation.accept', data));
    expect(cardText(card)).not.toContain('Akseptert');
    expect((await t.bot.delegations.deps.grants.get(ref))?.record.status).toBe('proposed');
  });

  test('someone else than the recipient cannot accept', async () => {
    const data = executeAction(offer.card, 'delegation.accept').data!;
    const card = invokeCard(await t.client.cardAction(sofie, 'delegation.accept', data));
    expect(cardText(card)).not.toContain('Akseptert');
    expect((await t.bot.delegations.deps.grants.get(ref))?.record.status).toBe('proposed');
  });

  test('accept and decline at once: exactly one outcome, one event', async () => {
    const accept = executeAction(offer.card, 'delegation.accept').data!;
    const decline = executeAction(offer.card, 'delegation.decline').data!;
    const answers = await Promise.all([
      t.client.cardAction(emil, 'delegation.accept', accept, { replyToId: offer.id }),
      t.client.cardAction(emil, 'delegation.decline', decline, { replyToId: offer.id }),
      t.client.cardAction(emil, 'delegation.accept', accept, { replyToId: offer.id }),
    ]);
    answers.forEach((a) => expect(a.status).toBe(200));
    await t.settle();
    const events = await t.bot.delegations.deps.grants.events(ref);
    const decisions = events.filter((e) => e.kind === 'accepted' || e.kind === 'declined');
    expect(decisions).toHaveLength(1);
    const stored = (await t.bot.delegations.deps.grants.get(ref))!.record;
    expect(stored.status).toBe(decisions[0].toStatus);
  });

  test('a stale card (an older revision) is refused with the current state', async () => {
    const decline = executeAction(offer.card, 'delegation.decline').data!;
    const before = (await t.bot.delegations.deps.grants.get(ref))!.record;
    const card = invokeCard(await t.client.cardAction(emil, 'delegation.decline', decline));
    expect(cardText(card)).toMatch(/endret|changed/i);
    expect((await t.bot.delegations.deps.grants.get(ref))!.record.rev).toBe(before.rev);
  });
});

describe('mine fullmakter and withdrawal (rule 5: it cascades, every holder is told)', () => {
  test('Per withdraws Ingrid’s innkjøp; Sofie’s grant from it ends; both are told', async () => {
    const before = await register();
    const ingridsInnkjop = before.grants.find(
      (g) => g.areaId === 'innkjop' && g.to.kind === 'role' && g.to.unitId === 'sentrum-barnehage',
    )!;
    const sofies = before.grants.find((g) => g.parentRef === ingridsInnkjop.ref)!;
    expect(sofies.status).toBe('active');

    const mine = await ask(per, 'mine fullmakter');
    expect(cardText(mine.card)).toContain('Det jeg har delegert');
    const withdraw = actionsOf(mine.card).find(
      (a) => a.verb === 'delegation.revoke' && a.data?.ref === ingridsInnkjop.ref,
    )!;
    expect(withdraw).toBeDefined();
    // Sofie may not withdraw what Per gave Ingrid.
    const refused = invokeCard(
      await t.client.cardAction(sofie, 'delegation.revoke', withdraw.data!),
    );
    expect(cardText(refused)).not.toContain('Trukket tilbake');

    const response = await t.client.cardAction(per, 'delegation.revoke', withdraw.data!, {
      replyToId: mine.id,
    });
    expect(cardText(invokeCard(response))).toContain('Trukket tilbake');
    await t.settle();
    await t.settle();
    const after = await register();
    expect(after.grants.find((g) => g.ref === ingridsInnkjop.ref)?.status).toBe('revoked');
    const cascaded = after.grants.find((g) => g.ref === sofies.ref)!;
    expect(cascaded.status).toBe('revoked');
    expect(cascaded.end?.cascadeFrom).toBe(ingridsInnkjop.ref);
    await cardWith(ingrid, 'Fullmakt falt bort', ingridsInnkjop.ref);
    await cardWith(sofie, 'Fullmakt falt bort', sofies.ref, ingridsInnkjop.ref);
    const events = await t.bot.delegations.deps.grants.events(sofies.ref);
    expect(events.map((e) => e.kind)).toEqual(['registered', 'cascaded']);
  });

  test('mine fullmakter lists what I hold, with no withdraw button on my own grant', async () => {
    const { card } = await ask(emil, 'mine fullmakter');
    const text = cardText(card);
    expect(text).toContain('Det jeg har');
    expect(text).toContain('Tilsetting');
    expect(actionsOf(card).filter((a) => a.verb === 'delegation.revoke')).toHaveLength(0);
  });
});

describe('bekreft fullmakt', () => {
  test('Emil asks Ingrid; she confirms with a period; the grant is in his chain', async () => {
    const form = await ask(emil, 'bekreft fullmakt');
    expect(cardText(form.card)).toContain('Ingrid Haugen');
    const formId = executeAction(form.card, 'delegation.request').data?.formId;
    const sent = invokeCard(
      await t.client.cardAction(
        emil,
        'delegation.request',
        { formId, areaId: 'permisjon', matter: 'Velferdspermisjon for en kollega' },
        { replyToId: form.id },
      ),
    );
    expect(cardText(sent)).toContain('Venter på Ingrid Haugen');
    await t.settle();
    const request = await cardWith(ingrid, 'ber deg bekrefte', 'Velferdspermisjon');
    // Only the leader it went to decides.
    const forged = invokeCard(
      await t.client.cardAction(
        per,
        'delegation-request.confirm',
        executeAction(request.card, 'delegation-request.confirm').data!,
      ),
    );
    expect(cardText(forged)).not.toContain('Bekreftet');
    const confirmed = await act(t, ingrid, request, 'delegation-request.confirm', {
      limitNok: '',
      validFrom: '',
      validTo: '2027-06-30',
    });
    expect(cardText(confirmed.card)).toContain('Bekreftet');
    await t.settle();
    await t.settle();
    const [grant] = await grantsTo(emil.aadObjectId, 'permisjon');
    expect(grant).toMatchObject({
      status: 'active',
      origin: 'confirmation',
      validTo: '2027-06-30',
    });
    await cardWith(emil, 'Ingrid Haugen har bekreftet', grant.ref);
    const chain = cardText((await ask(emil, 'fullmakt permisjon')).card);
    expect(chain).toContain('Ja, du har fullmakt til «Permisjon»');
    expect(chain).toContain('Emil Vik');
  });

  test('Anders asks Marte; she declines with a reason from the card; he is told why', async () => {
    const form = await ask(anders, 'bekreft fullmakt');
    const formId = executeAction(form.card, 'delegation.request').data?.formId;
    await t.client.cardAction(
      anders,
      'delegation.request',
      { formId, areaId: 'tilsetting' },
      { replyToId: form.id },
    );
    await t.settle();
    const request = await cardWith(marte, 'ber deg bekrefte', 'Anders Lie');
    const empty = await act(t, marte, request, 'delegation-request.refuse', { reason: ' ' });
    expect(cardText(empty.card)).toContain('Skriv en begrunnelse');
    const refused = await act(t, marte, request, 'delegation-request.refuse', {
      reason: 'Ikke i år',
    });
    expect(cardText(refused.card)).toContain('Avslått');
    await cardWith(anders, 'Marte Solberg har avslått forespørselen', 'Ikke i år');
    expect(cardText((await ask(anders, 'fullmakt tilsetting')).card)).toContain('Nei');
  });
});

describe('the daily expiry (rule 5)', () => {
  test('Emil’s confirmed permisjon ends after 30 June 2027, and he is told once', async () => {
    clock.at = new Date('2027-07-01T06:00:00Z');
    expect(await t.bot.delegations.expire(clock.now())).toBeGreaterThan(0);
    await t.settle();
    const [grant] = await grantsTo(emil.aadObjectId, 'permisjon');
    expect(grant.status).toBe('expired');
    await cardWith(emil, 'er utløpt', grant.ref);
    expect(await t.bot.delegations.expire(clock.now())).toBe(0);
    expect(cardText((await ask(emil, 'fullmakt permisjon')).card)).toContain('Nei');
  });
});

describe('untrusted card data', () => {
  test('every delegation verb with arbitrary data: never a 5xx, nothing stored', async () => {
    const fc = await import('fast-check');
    const grantsBefore = (await register()).grants.length;
    const verbs = [
      'delegation.ask',
      'delegation.submit',
      'delegation.request',
      'delegation.accept',
      'delegation.decline',
      'delegation.revoke',
      'delegation-request.confirm',
      'delegation-request.refuse',
    ];
    const data = fc.dictionary(
      fc.constantFrom(
        'ref',
        'rev',
        'sig',
        'formId',
        'areaId',
        'to',
        'limitNok',
        'validFrom',
        'note',
        'reason',
        'matter',
      ),
      fc.oneof(
        fc.string(),
        fc.integer(),
        fc.constant(null),
        fc.array(fc.string()),
        fc.constant('DEL-2026-0001'),
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...verbs), data, async (verb, values) => {
        const response = await t.client.cardAction(emil, verb, values);
        expect(response.status).toBe(200);
      }),
      { numRuns: 80 },
    );
    expect((await register()).grants.length).toBe(grantsBefore);
  });
});
