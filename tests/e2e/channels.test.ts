import { SubscriptionStore } from '../../bot/channels/subscription-store';
import { PEOPLE, startBotUnderTest, type BotUnderTest } from '../support/bot-under-test';
import { cardText, executeAction, inputsOf } from '../support/cards';
import { invokeCard } from '../support/deviation-flows';
import { adaptiveCardsOf } from '../support/fake-connector';
import { BOT, type TeamsUser } from '../support/teams-client';

/** Team-channel subscriptions over real HTTP: subscribe, refuse, pick, list, end, leave a team. */
let t: BotUnderTest;
const { ingrid, emil, lars, per } = PEOPLE;
const TEAM = '19:team-ledere@thread.tacv2';
const OTHER_TEAM = '19:team-skole@thread.tacv2';
type Where = { teamId: string; channelId?: string };
const channel = (name: string): Where => ({ teamId: TEAM, channelId: `19:${name}@thread.tacv2` });
const store = () => new SubscriptionStore(t.bot.tables);
const org = async () => (await t.bot.org.snapshot()).org;

beforeAll(async () => {
  t = await startBotUnderTest({ installed: [ingrid, per] });
});
afterAll(async () => {
  await t?.stop();
});

/** Writes in a channel (the bot @mentioned; the mention is stripped) and returns the answer. */
async function say(user: TeamsUser, text: string, where: Where): Promise<any> {
  const before = t.connector.sent().length;
  expect((await t.client.channelMessageIn(user, text, where)).status).toBe(200);
  const reply = await t.connector.waitFor(() =>
    t.connector
      .sent()
      .slice(before)
      .find((a) => a.conversationId.includes(where.channelId ?? where.teamId)),
  );
  return adaptiveCardsOf(reply.activity)[0];
}

/** Presses a picker's button in a channel; returns the card that answers the presser. */
async function press(user: TeamsUser, verb: string, data: Record<string, unknown>, where: Where) {
  return invokeCard(
    await t.client.cardAction(user, verb, data, { extra: t.client.inChannel(where) }),
  );
}

const rowsIn = async (where: Where) =>
  store().forChannel(where.teamId, where.channelId ?? where.teamId);

describe('subscribing with the unit named', () => {
  const ledelse = channel('ledelse');

  test('Ingrid subscribes a channel to Sentrum barnehage; the confirmation says what it will get', async () => {
    const card = await say(ingrid, 'abonner avvik Sentrum barnehage', ledelse);
    const text = cardText(card);
    expect(text).toContain('Kanalen abonnerer nå på avvik for Sentrum barnehage');
    expect(text).toContain('Hver uke får kanalen en oversikt over avvik i Sentrum barnehage');
    expect(text).toContain('enhetene under');
    expect(text).toContain('løftes til nivået over');
    expect(text).toContain('Abonnert av: Ingrid Haugen');

    const rows = await rowsIn(ledelse);
    expect(rows).toEqual([
      expect.objectContaining({
        topic: 'avvik',
        teamId: TEAM,
        channelId: ledelse.channelId,
        unitId: 'sentrum-barnehage',
        subscribedBy: ingrid.aadObjectId,
      }),
    ]);
    expect((await store().forTopic('avvik')).map((s) => s.channelId)).toContain(ledelse.channelId);
  });

  test('the channel now follows Sentrum barnehage, not other units', async () => {
    const o = await org();
    expect(await store().followersOf('avvik', 'sentrum-barnehage', o)).toContainEqual({
      teamId: TEAM,
      channelId: ledelse.channelId,
    });
    expect(await store().followersOf('avvik', 'heim-skole', o)).not.toContainEqual(
      expect.objectContaining({ channelId: ledelse.channelId }),
    );
  });

  test('unit names match case-insensitively; subscribing again keeps the one there is', async () => {
    const card = await say(ingrid, '  abonner avvik   SENTRUM barnehage ', ledelse);
    expect(cardText(card)).toContain('Kanalen abonnerer allerede på avvik for Sentrum barnehage');
    expect(await rowsIn(ledelse)).toHaveLength(1);
  });

  test('in English: "subscribe deviations <unit>"', async () => {
    const english = channel('english');
    const card = await say(
      { ...ingrid, locale: 'en-US' },
      'subscribe deviations sentrum barnehage',
      english,
    );
    expect(cardText(card)).toContain('This channel now follows deviations for Sentrum barnehage');
    expect(cardText(card)).toContain('escalated to the level above');
    expect(await rowsIn(english)).toHaveLength(1);
  });

  test('Emil, an employee, is refused: only leaders subscribe', async () => {
    const where = channel('emil');
    const card = await say(emil, 'abonner avvik Sentrum barnehage', where);
    expect(cardText(card)).toContain('Bare ledere kan abonnere en kanal');
    expect(await rowsIn(where)).toEqual([]);
  });

  test('Lars, the leader of another unit, is refused for Sentrum barnehage', async () => {
    const where = channel('lars');
    const card = await say(lars, 'abonner avvik Sentrum barnehage', where);
    expect(cardText(card)).toContain('Sentrum barnehage er ikke blant dem');
    expect(cardText(card)).toContain('ingenting er endret');
    expect(await rowsIn(where)).toEqual([]);
  });
});

describe('the picker', () => {
  const choicesOf = (card: any) =>
    inputsOf(card)
      .find((i) => i.id === 'unitId')
      .choices.map((c: any) => c.value);

  test('"abonner avvik" without a unit offers what the actor leads and every unit below', async () => {
    const mine = await say(ingrid, 'abonner avvik', channel('picker-ingrid'));
    expect(choicesOf(mine)).toEqual(['sentrum-barnehage']);
    expect(executeAction(mine, 'subscription.create').data).toEqual({ topic: 'avvik' });

    const all = await say(per, 'abonner avvik', channel('picker-per'));
    expect(choicesOf(all)[0]).toBe('radmann');
    expect(choicesOf(all)).toEqual(expect.arrayContaining(['sentrum-barnehage', 'barnevern']));
    expect(choicesOf(all)).toHaveLength((await org()).units.size);
  });

  test('a name that matches no unit brings the picker with a note', async () => {
    const card = await say(ingrid, 'abonner avvik Månebasen', channel('picker-ingrid'));
    expect(cardText(card)).toContain('Fant ingen enhet som heter «Månebasen»');
    expect(choicesOf(card)).toEqual(['sentrum-barnehage']);
  });

  test('pressing Abonner subscribes the channel to the chosen unit and everything below it', async () => {
    const where = channel('picker-per');
    const posted = t.connector.requests.length;
    const card = await press(
      per,
      'subscription.create',
      { topic: 'avvik', unitId: 'radmann' },
      where,
    );
    // The answer replaces the picker for the presser only: nothing is posted or updated.
    expect(t.connector.requests.length).toBe(posted);
    expect(cardText(card)).toContain('Kanalen abonnerer nå på avvik for Rådmannen');
    expect(cardText(card)).toMatch(/Gjelder: Rådmannen og \d+ enheter under/);
    expect((await rowsIn(where)).map((s) => s.unitId)).toEqual(['radmann']);
    // Subscribed to the top: the channel follows every unit.
    expect(await store().followersOf('avvik', 'barnevern', await org())).toContainEqual({
      teamId: TEAM,
      channelId: where.channelId,
    });
  });

  test("a press for a unit outside the presser's line is refused, whatever the card said", async () => {
    const where = channel('picker-lars');
    const card = await press(
      lars,
      'subscription.create',
      { topic: 'avvik', unitId: 'sentrum-barnehage' },
      where,
    );
    expect(cardText(card)).toContain('Sentrum barnehage er ikke blant dem');
    expect(await rowsIn(where)).toEqual([]);
  });
});

describe('listing and ending', () => {
  const where = channel('avslutt');

  beforeAll(async () => {
    await say(ingrid, 'abonner avvik Sentrum barnehage', where);
    await press(per, 'subscription.create', { topic: 'avvik', unitId: 'radmann' }, where);
  });

  test('"abonnementer" lists the unit, who subscribed and when', async () => {
    const text = cardText(await say(emil, 'abonnementer', where));
    expect(text).toContain('Abonnementer i denne kanalen');
    expect(text).toContain('Sentrum barnehage');
    expect(text).toMatch(/Avvik · abonnert av Ingrid Haugen, \d{2}\.\d{2}\.\d{4}/);
    expect(text).toContain('Rådmannen');
    expect(text).toContain('abonnert av Per Kristiansen');
  });

  test('"abonnementer" in a channel without any says so', async () => {
    expect(cardText(await say(emil, 'abonnementer', channel('tom')))).toContain(
      'Kanalen har ingen abonnementer',
    );
  });

  test('"avslutt abonnement" offers only what the actor may end; pressing ends it', async () => {
    const picker = await say(ingrid, 'avslutt abonnement', where);
    const choices = inputsOf(picker).find((i) => i.id === 'subscription').choices;
    expect(choices.map((c: any) => c.value)).toEqual(['avvik:sentrum-barnehage']);

    const card = await press(
      ingrid,
      'subscription.remove',
      { subscription: 'avvik:sentrum-barnehage' },
      where,
    );
    expect(cardText(card)).toContain('Kanalen følger ikke lenger Sentrum barnehage (avvik)');
    expect((await rowsIn(where)).map((s) => s.unitId)).toEqual(['radmann']);
    expect(await store().followersOf('avvik', 'sentrum-barnehage', await org())).toContainEqual({
      teamId: TEAM,
      channelId: where.channelId,
    }); // still: through Rådmannen, above it
  });

  test('a leader below the subscribed unit may not end it; one above may, by naming it', async () => {
    const refused = await say(ingrid, 'avslutt abonnement Rådmannen', where);
    expect(cardText(refused)).toContain('Bare lederen for Rådmannen eller en leder over den');
    expect(await rowsIn(where)).toHaveLength(1);

    const ended = await say(per, 'avslutt abonnement rådmannen', where);
    expect(cardText(ended)).toContain('Kanalen følger ikke lenger Rådmannen');
    expect(await rowsIn(where)).toEqual([]);
    expect(
      (await store().forTopic('avvik')).filter((s) => s.channelId === where.channelId),
    ).toEqual([]);
  });

  test("Lars may not end Sentrum barnehage's subscription elsewhere", async () => {
    const ledelse = channel('ledelse');
    const card = await say(lars, 'avslutt abonnement Sentrum barnehage', ledelse);
    expect(cardText(card)).toContain('Bare lederen for Sentrum barnehage');
    expect(await rowsIn(ledelse)).toHaveLength(1);
  });
});

describe('the bot removed from a team', () => {
  const general = { teamId: '19:team-helse@thread.tacv2' };
  const vakt = { teamId: general.teamId, channelId: '19:vakt@thread.tacv2' };
  const skole = { teamId: OTHER_TEAM };

  beforeAll(async () => {
    await say(ingrid, 'abonner avvik Sentrum barnehage', general);
    await say(per, 'abonner avvik Helse og mestring', vakt);
    await say(per, 'abonner avvik Heim skole', skole);
  });

  const teamsIn = async () => (await store().forTopic('avvik')).map((s) => s.teamId);

  test('a person leaving the team changes nothing', async () => {
    expect((await t.client.membersRemoved(ingrid, general.teamId, [emil.id])).status).toBe(200);
    expect((await rowsIn(general)).length + (await rowsIn(vakt)).length).toBe(2);
  });

  test("ends every subscription of that team and forgets its channels; other teams' stay", async () => {
    expect(await t.conversations.forChannel(vakt.teamId, vakt.channelId)).toBeDefined();
    const res = await t.client.membersRemoved(ingrid, general.teamId, [BOT.id]);
    expect(res.status).toBe(200);

    expect(await rowsIn(general)).toEqual([]);
    expect(await rowsIn(vakt)).toEqual([]);
    expect(await teamsIn()).not.toContain(general.teamId);
    expect(await teamsIn()).toContain(OTHER_TEAM);
    expect(await rowsIn(skole)).toHaveLength(1);
    expect(await t.conversations.forChannel(vakt.teamId, vakt.channelId)).toBeUndefined();
    expect(await t.conversations.forChannel(general.teamId, general.teamId)).toBeUndefined();
    expect(await t.conversations.forChannel(OTHER_TEAM, OTHER_TEAM)).toBeDefined();
  });
});

describe('in a personal chat', () => {
  async function ask(user: TeamsUser, text: string): Promise<any> {
    const chat = t.client.personalConversationId(user);
    const before = t.connector.sent().length;
    expect((await t.client.message(user, text)).status).toBe(200);
    const reply = await t.connector.waitFor(() =>
      t.connector
        .sent()
        .slice(before)
        .find((a) => a.conversationId === chat),
    );
    return adaptiveCardsOf(reply.activity)[0];
  }

  test.each([
    'abonner avvik Sentrum barnehage',
    'abonner avvik',
    'abonnementer',
    'avslutt abonnement',
  ])('"%s" explains that subscriptions belong in a team channel', async (command) => {
    const before = (await store().forTopic('avvik')).length;
    expect(cardText(await ask(ingrid, command))).toContain(
      'Abonnementer gjelder kanaler i et team',
    );
    expect(await store().forTopic('avvik')).toHaveLength(before);
  });

  test('in English too, and a pressed picker button as well', async () => {
    expect(cardText(await ask({ ...ingrid, locale: 'en-US' }, 'subscriptions'))).toContain(
      'Subscriptions are for channels in a team',
    );
    const card = invokeCard(
      await t.client.cardAction(ingrid, 'subscription.create', {
        topic: 'avvik',
        unitId: 'sentrum-barnehage',
      }),
    );
    expect(cardText(card)).toContain('Abonnementer gjelder kanaler i et team');
  });
});
