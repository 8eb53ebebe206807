import type { Grant } from '../../bot/delegations/delegation';
import {
  demoOrgFile,
  PEOPLE,
  startBotUnderTest,
  type BotUnderTest,
} from '../support/bot-under-test';
import { cardText, executeAction } from '../support/cards';
import { delegationChat, importDemoRegister } from '../support/delegations-setup';
import { act, invokeCard } from '../support/deviation-flows';

/**
 * Rule 6 end to end over HTTP against Azurite: an organisation import moves Emil from Sentrum
 * barnehage (Ingrid) to Heim skole (Marte) while he holds three personal grants. Both leaders
 * get a review card for each; either may decide; a keep and a withdraw at once leave one
 * outcome; a forged press and a second import change nothing; a grant that left the line
 * cannot be kept (rule 1).
 */
let t: BotUnderTest;
let chat: ReturnType<typeof delegationChat>;
const { ingrid, emil, per, marte } = PEOPLE;
const clock = { at: new Date('2026-12-01T09:00:00Z'), now: () => clock.at };
const grants = () => t.bot.delegations.deps.grants;
const keptEvents = async (ref: string) =>
  (await grants().events(ref)).filter((e) => e.kind === 'kept');

/** The org file with Emil moved to Heim skole. */
function emilMoved() {
  const file = demoOrgFile();
  return {
    ...file,
    people: file.people.map((p) =>
      p.id === emil.aadObjectId ? { ...p, unitId: 'heim-skole' } : p,
    ),
  };
}

/** `who` delegates `areaId` to Emil and Emil accepts: the active grant. */
async function emilHolds(who: typeof per, areaId: string): Promise<Grant> {
  await chat.delegate(who, { areaId, to: `person:${emil.aadObjectId}` });
  const ref = (await t.bot.delegations.deps.register.read()).grants.find(
    (g) => g.areaId === areaId && g.to.kind === 'person' && g.to.id === emil.aadObjectId,
  )!.ref;
  const offered = await chat.cardWith(emil, ref, 'vil delegere fullmakt til deg');
  await act(t, emil, offered, 'delegation.accept');
  await t.settle();
  return chat.grant(ref);
}

let fromPer: Grant;
let alsoFromPer: Grant;
let fromIngrid: Grant;

beforeAll(async () => {
  t = await startBotUnderTest({ clock, installed: [ingrid, emil, per, marte] });
  chat = delegationChat(t);
  await importDemoRegister(t, clock.now());
  fromPer = await emilHolds(per, 'permisjon');
  alsoFromPer = await emilHolds(per, 'attestasjon');
  fromIngrid = await emilHolds(ingrid, 'tilsetting');
  expect([fromPer, alsoFromPer, fromIngrid].map((g) => g.status)).toEqual([
    'active',
    'active',
    'active',
  ]);
}, 60_000);
afterAll(async () => {
  await t?.stop();
});

describe('rule 6: Emil moves to Heim skole while he holds three grants', () => {
  let summary: Awaited<ReturnType<BotUnderTest['bot']['org']['importFile']>>;

  beforeAll(async () => {
    clock.at = new Date('2026-12-02T09:00:00Z');
    summary = await t.bot.org.importFile(emilMoved(), { removeMissing: false });
    await t.settle();
  });

  test('the import flags his three personal grants and says so', async () => {
    expect(summary.followUps).toEqual(['3 personal grants flagged for review (rule 6).']);
    for (const ref of [fromPer.ref, alsoFromPer.ref, fromIngrid.ref]) {
      const grant = await chat.grant(ref);
      expect(grant.status).toBe('active');
      expect(grant.review).toMatchObject({
        personId: emil.aadObjectId,
        oldUnitId: 'sentrum-barnehage',
        newUnitId: 'heim-skole',
        oldLeaderId: ingrid.aadObjectId,
        newLeaderId: marte.aadObjectId,
      });
      expect((await grants().events(ref)).filter((e) => e.kind === 'flagged')).toHaveLength(1);
    }
  });

  test('the old and the new leader each get the review card with Behold and Trekk tilbake', async () => {
    for (const leader of [ingrid, marte]) {
      const card = await chat.cardWith(leader, fromPer.ref, 'har byttet enhet eller leder');
      expect(cardText(card.card)).toContain('Sentrum barnehage → Heim skole');
      expect(executeAction(card.card, 'delegation.keep')).toBeDefined();
      expect(executeAction(card.card, 'delegation.revoke')).toBeDefined();
    }
    // Emil himself gets no review card.
    const emilSees = chat.cardsIn(emil).filter((c) => cardText(c.card).includes('byttet enhet'));
    expect(emilSees).toHaveLength(0);
  });

  test('the same import again flags nothing more', async () => {
    const again = await t.bot.org.importFile(emilMoved(), { removeMissing: false });
    expect(again.followUps).toEqual([]);
    expect((await grants().events(fromPer.ref)).filter((e) => e.kind === 'flagged')).toHaveLength(
      1,
    );
  });

  test('a forged press changes nothing', async () => {
    const card = await chat.cardWith(marte, fromPer.ref, 'har byttet enhet eller leder');
    const data = { ...executeAction(card.card, 'delegation.keep').data, sig: 'x'.repeat(32) };
    const answer = invokeCard(await t.client.cardAction(marte, 'delegation.keep', data));
    expect(cardText(answer)).not.toContain(fromPer.ref);
    expect((await chat.grant(fromPer.ref)).review).toBeDefined();
    expect(await keptEvents(fromPer.ref)).toHaveLength(0);
  });

  test('someone who is not a reviewing leader cannot keep it', async () => {
    const card = await chat.cardWith(marte, fromPer.ref, 'har byttet enhet eller leder');
    const data = executeAction(card.card, 'delegation.keep').data!;
    const answer = invokeCard(await t.client.cardAction(emil, 'delegation.keep', data));
    expect(cardText(answer)).toMatch(/ikke lov|not allowed|kan ikke/i);
    expect((await chat.grant(fromPer.ref)).review).toBeDefined();
    expect(await keptEvents(fromPer.ref)).toHaveLength(0);
  });

  test('Ingrid, the old leader, is no longer above Emil and still keeps; Marte’s copy follows', async () => {
    const card = await chat.cardWith(ingrid, alsoFromPer.ref, 'har byttet enhet eller leder');
    const kept = await act(t, ingrid, card, 'delegation.keep');
    expect(cardText(kept.card)).not.toContain('har byttet enhet');
    await t.settle();
    const grant = await chat.grant(alsoFromPer.ref);
    expect(grant.status).toBe('active');
    expect(grant.review).toBeUndefined();
    const events = await keptEvents(alsoFromPer.ref);
    expect(events).toHaveLength(1);
    expect(events[0].actorId).toBe(ingrid.aadObjectId);
    const updates = t.connector
      .updates()
      .filter((u) => JSON.stringify(u.activity).includes(alsoFromPer.ref));
    expect(updates.length).toBeGreaterThan(0);
  });

  test('Marte keeps and Ingrid withdraws at once: exactly one outcome, one event', async () => {
    const marteCard = await chat.cardWith(marte, fromPer.ref, 'har byttet enhet eller leder');
    const ingridCard = await chat.cardWith(ingrid, fromPer.ref, 'har byttet enhet eller leder');
    const keep = executeAction(marteCard.card, 'delegation.keep').data!;
    const revoke = executeAction(ingridCard.card, 'delegation.revoke').data!;
    const answers = await Promise.all([
      t.client.cardAction(marte, 'delegation.keep', keep, { replyToId: marteCard.id }),
      t.client.cardAction(ingrid, 'delegation.revoke', revoke, { replyToId: ingridCard.id }),
      t.client.cardAction(marte, 'delegation.keep', keep, { replyToId: marteCard.id }),
    ]);
    answers.forEach((a) => expect(a.status).toBe(200));
    await t.settle();
    const events = await grants().events(fromPer.ref);
    const decisions = events.filter((e) => e.kind === 'kept' || e.kind === 'revoked');
    expect(decisions).toHaveLength(1);
    const stored = await chat.grant(fromPer.ref);
    expect(stored.status).toBe(decisions[0].kind === 'kept' ? 'active' : 'revoked');
    expect(stored.review).toBeUndefined();
    // The loser's press, repeated now, is refused (reviewed: no longer hers to decide).
    const late = invokeCard(await t.client.cardAction(ingrid, 'delegation.revoke', revoke));
    expect(cardText(late)).toMatch(/Ingenting er endret|endret av noen andre/);
    expect((await grants().events(fromPer.ref)).length).toBe(events.length);
  });

  test('Ingrid’s own grant left her line: keeping it is refused by rule 1; withdrawing works', async () => {
    const card = await chat.cardWith(marte, fromIngrid.ref, 'har byttet enhet eller leder');
    const kept = await act(t, marte, card, 'delegation.keep');
    expect(cardText(kept.card)).toMatch(/Regel 1/);
    expect((await chat.grant(fromIngrid.ref)).review).toBeDefined();
    const own = await chat.cardWith(ingrid, fromIngrid.ref, 'har byttet enhet eller leder');
    const withdrawn = await act(t, ingrid, own, 'delegation.revoke');
    expect(cardText(withdrawn.card)).toContain('Trukket tilbake');
    await t.settle();
    const grant = await chat.grant(fromIngrid.ref);
    expect(grant.status).toBe('revoked');
    expect(grant.review).toBeUndefined();
    // Emil is told he lost it.
    await chat.cardWith(emil, fromIngrid.ref, 'trukket tilbake');
  });
});
