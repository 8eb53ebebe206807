import fs from 'node:fs';
import path from 'node:path';
import { ChannelLinkStore } from '../../bot/channels/link-store';
import { parseProcessFile } from '../../bot/processes/process-file';
import { PEOPLE, startBotUnderTest, type BotUnderTest } from '../support/bot-under-test';
import { cardText, executeAction, inputsOf } from '../support/cards';
import { act, invokeCard } from '../support/deviation-flows';
import { demoOrg } from '../support/demo-org';
import { adaptiveCardsOf } from '../support/fake-connector';
import { BOT, type TeamsUser } from '../support/teams-client';

/**
 * A process or project linked to a team channel over real HTTP (issue #9, "Team channels"):
 * "koble kanal" with its picker, who may link, notices of a new task and a phase decision with
 * counts and no sensitive text, "koble fra" stopping them, and someone who owns nothing.
 */
let t: BotUnderTest;
const { ingrid, emil, per, marte, lars, nina } = PEOPLE;
const silje: TeamsUser = {
  id: '29:silje',
  aadObjectId: '7c1a2b3d-0001-4a10-9c01-000000000102',
  name: 'Silje Bakke',
};
const clock = { at: new Date('2027-03-08T09:00:00Z'), now: () => clock.at };
const TEAM = '19:team-eldre@thread.tacv2';
type Where = { teamId: string; channelId: string };
const channel = (name: string): Where => ({ teamId: TEAM, channelId: `19:${name}@thread.tacv2` });
const eldre = channel('eldre');
const prosjekt = channel('prosjekt');
const links = () => new ChannelLinkStore(t.bot.tables);
const chat = (who: TeamsUser) => t.client.personalConversationId(who);

const TASK_TITLE = 'Kartlegg møteplasser for eldre';
const TASK_SECRET = 'Beboer på Solbakken har falt to ganger';
const SEND_BACK = 'Mangler kostnadsanslag for Solbakken';

beforeAll(async () => {
  t = await startBotUnderTest({
    clock,
    installed: [ingrid, emil, per, marte, lars, nina, silje],
  });
  const file = parseProcessFile(
    JSON.parse(
      fs.readFileSync(path.join(__dirname, '../../bot/processes/demo/heim-prosesser.json'), 'utf8'),
    ),
  );
  if (!file.ok) throw new Error(file.errors.join());
  await t.bot.processes.import(file.file, demoOrg(), clock.now());
});
afterAll(async () => {
  await t?.stop();
});

/** Writes in a channel (the bot @mentioned) and returns the card that answers. */
async function say(user: TeamsUser, text: string, where: Where): Promise<any> {
  const before = t.connector.sent().length;
  expect((await t.client.channelMessageIn(user, text, where)).status).toBe(200);
  const reply = await t.connector.waitFor(() =>
    t.connector
      .sent()
      .slice(before)
      .find((a) => a.conversationId.includes(where.channelId)),
  );
  return adaptiveCardsOf(reply.activity)[0];
}

async function press(user: TeamsUser, verb: string, data: Record<string, unknown>, where: Where) {
  return invokeCard(
    await t.client.cardAction(user, verb, data, { extra: t.client.inChannel(where) }),
  );
}

/** Every card the bot posted in a channel, as text. */
const postedIn = (where: Where) =>
  t.connector
    .sent()
    .filter((a) => a.conversationId.includes(where.channelId))
    .flatMap((a) => adaptiveCardsOf(a.activity).map(cardText));

async function ask(who: TeamsUser, text: string): Promise<{ id: string; card: any }> {
  const before = t.connector.cardsIn(chat(who)).length;
  expect((await t.client.message(who, text)).status).toBe(200);
  return t.connector.waitFor(() => t.connector.cardsIn(chat(who))[before]);
}

async function createTask(who: TeamsUser, parent: string): Promise<string> {
  const form = await ask(who, 'ny oppgave');
  const data = executeAction(form.card, 'task.create').data;
  const card = invokeCard(
    await t.client.cardAction(who, 'task.create', {
      ...data,
      parent,
      title: TASK_TITLE,
      description: TASK_SECRET,
      assignee: ingrid.aadObjectId!,
      due: '2027-03-19',
    }),
  );
  await t.settle();
  const ref = /OPG-\d{4}-\d{4,}/.exec(JSON.stringify(card))?.[0];
  if (!ref) throw new Error(`no task created: ${cardText(card)}`);
  return ref;
}

describe('linking a channel to a process', () => {
  test('Emil owns nothing: a clear answer, and nothing is linked', async () => {
    const where = channel('emil');
    const card = await say(emil, 'koble kanal', where);
    expect(cardText(card)).toContain('Du eier ingen aktiv prosess eller noe aktivt prosjekt');
    expect(await links().forChannel(TEAM, where.channelId)).toEqual([]);
  });

  test('the picker offers what Silje owns; pressing links the channel', async () => {
    const picker = await say(silje, 'koble kanal', eldre);
    const choices = inputsOf(picker).find((i) => i.id === 'target').choices;
    expect(choices.map((c: any) => c.value)).toEqual(
      expect.arrayContaining(['process:aldersvennlig-samfunn', 'process:folkehelse']),
    );
    expect(choices.map((c: any) => c.value)).not.toContain('process:barn-og-unge');
    expect(executeAction(picker, 'channel-link.create')).toBeDefined();

    const card = await press(
      silje,
      'channel-link.create',
      { target: 'process:aldersvennlig-samfunn' },
      eldre,
    );
    expect(cardText(card)).toContain('Kanalen er koblet til Aldersvennlig samfunn');
    expect(await links().forTarget({ kind: 'process', id: 'aldersvennlig-samfunn' })).toEqual([
      expect.objectContaining({
        teamId: TEAM,
        channelId: eldre.channelId,
        linkedBy: silje.aadObjectId,
      }),
    ]);
  });

  test("Lars may not link Silje's process, whatever the card said; Per, above her, may", async () => {
    const where = channel('lars');
    const refused = await press(
      lars,
      'channel-link.create',
      { target: 'process:aldersvennlig-samfunn' },
      where,
    );
    expect(cardText(refused)).toContain('Bare eieren av Aldersvennlig samfunn');
    expect(await links().forChannel(TEAM, where.channelId)).toEqual([]);

    const named = await say(per, 'koble kanal aldersvennlig samfunn', channel('per'));
    expect(cardText(named)).toContain('Kanalen er koblet til Aldersvennlig samfunn');
  });

  test('in a personal chat it explains that links are for team channels', async () => {
    expect(cardText((await ask(silje, 'koble kanal')).card)).toContain(
      'Kobling gjelder kanaler i et team',
    );
  });
});

describe('notices in the linked channel', () => {
  let taskRef: string;

  test('a new task posts a short notice with counts and no title, description or names', async () => {
    const before = postedIn(eldre).length;
    taskRef = await createTask(silje, 'process:aldersvennlig-samfunn');
    const notices = postedIn(eldre).slice(before);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain(
      `Ny oppgave ${taskRef} i prosessen Aldersvennlig samfunn (aldersvennlig-samfunn).`,
    );
    expect(notices[0]).toMatch(/0 av [1-9]\d* oppgaver utført/);
    for (const secret of [TASK_SECRET, TASK_TITLE, 'Ingrid', 'Silje'])
      expect(notices[0]).not.toContain(secret);
    // The other channel linked to it (Per's) got its own notice, under its own key.
    expect(postedIn(channel('per')).some((n) => n.includes(taskRef))).toBe(true);
  });

  test('a phase decision of a linked project posts a notice without comment or voters', async () => {
    const form = await ask(per, 'nytt prosjekt');
    const created = invokeCard(
      await t.client.cardAction(per, 'project.create', {
        ...executeAction(form.card, 'project.create').data,
        name: 'Velferdsteknologi i hjemmetjenesten',
        mandate: 'Innføre digitalt tilsyn for hjemmeboende.',
        ownerId: ingrid.aadObjectId!,
        steeringGroup: [marte, lars, nina].map((p) => p.aadObjectId).join(','),
        quorum: 'majority',
      }),
    );
    await t.settle();
    const ref = /PRO-\d{4}-\d{4,}/.exec(JSON.stringify(created))![0];
    const linked = await say(ingrid, `koble kanal ${ref}`, prosjekt);
    expect(cardText(linked)).toContain('Kanalen er koblet til Velferdsteknologi i hjemmetjenesten');

    const own = await t.connector.waitFor(() =>
      t.connector
        .cardsIn(chat(ingrid))
        .filter((c) => JSON.stringify(c.card).includes(ref))
        .pop(),
    );
    await act(t, ingrid, own, 'project.gate');
    await t.settle();
    for (const who of [marte, lars]) {
      const card = await t.connector.waitFor(() =>
        t.connector
          .cardsIn(chat(who))
          .filter((c) => cardText(c.card).includes('Styringsgruppen bes om en beslutning'))
          .pop(),
      );
      await act(t, who, card, 'project.sendback', { sendBackComment: SEND_BACK });
    }
    await t.settle();
    const notices = postedIn(prosjekt).filter((n) => n.includes('Styringsgruppen'));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain(
      `Styringsgruppen sendte beslutningen om neste fase i prosjektet Velferdsteknologi i hjemmetjenesten (${ref}) tilbake: fasen er fortsatt konsept, 2 av 3 sendte tilbake.`,
    );
    for (const secret of [SEND_BACK, 'Marte', 'Lars', 'Ingrid', 'digitalt tilsyn'])
      expect(notices[0]).not.toContain(secret);
  });

  test('"koble fra" stops the notices; a later task posts nothing there', async () => {
    const card = await say(silje, 'koble fra', eldre);
    // One link in the channel, Silje may end it: the picker offers exactly that.
    const choices = inputsOf(card).find((i) => i.id === 'target').choices;
    expect(choices.map((c: any) => c.value)).toEqual(['process:aldersvennlig-samfunn']);
    const ended = await press(
      silje,
      'channel-link.remove',
      { target: 'process:aldersvennlig-samfunn' },
      eldre,
    );
    expect(cardText(ended)).toContain('Kanalen får ikke lenger meldinger om Aldersvennlig samfunn');
    expect(await links().forChannel(TEAM, eldre.channelId)).toEqual([]);

    const before = postedIn(eldre).length;
    const perBefore = postedIn(channel('per')).length;
    const later = await createTask(silje, 'process:aldersvennlig-samfunn');
    expect(postedIn(eldre).slice(before)).toEqual([]);
    // Per's channel is still linked: it hears, with the new count.
    const perNotice = postedIn(channel('per')).slice(perBefore);
    expect(perNotice).toHaveLength(1);
    expect(perNotice[0]).toContain(later);
    expect(perNotice[0]).not.toContain(taskRef);
  });

  test('"koble fra" in an unlinked channel, or by someone not allowed, changes nothing', async () => {
    expect(cardText(await say(silje, 'koble fra', eldre))).toContain(
      'Kanalen er ikke koblet til noen prosess',
    );
    const refused = await say(emil, 'koble fra aldersvennlig samfunn', channel('per'));
    expect(cardText(refused)).toContain('Bare eieren og lederne i linjen over eieren');
    expect(await links().forChannel(TEAM, channel('per').channelId)).toHaveLength(1);
  });
});

test('forged picker data: never a 5xx, and nothing is linked or unlinked', async () => {
  const where = channel('forged');
  const per_ = channel('per');
  const forged = [
    {},
    { target: 42 },
    { target: ['process:aldersvennlig-samfunn'] },
    { target: 'process:' },
    { target: 'vedtak:V-1' },
    { target: 'process:finnes-ikke' },
    { target: 'project:PRO-9999-9999' },
    { target: `process:${'x'.repeat(5000)}` },
    { target: 'process:aldersvennlig-samfunn/../x' },
  ];
  for (const verb of ['channel-link.create', 'channel-link.remove'])
    for (const data of forged) {
      const res = await t.client.cardAction(silje, verb, data, {
        extra: t.client.inChannel(where),
      });
      expect(res.status).toBeLessThan(500);
      expect(cardText(invokeCard(res)).length).toBeGreaterThan(0);
      const other = await t.client.cardAction(emil, verb, data, {
        extra: t.client.inChannel(per_),
      });
      expect(other.status).toBeLessThan(500);
    }
  expect(await links().forChannel(TEAM, where.channelId)).toEqual([]);
  expect(await links().forChannel(TEAM, per_.channelId)).toHaveLength(1);
});

test('the bot removed from the team ends its links', async () => {
  expect(await links().forTarget({ kind: 'process', id: 'aldersvennlig-samfunn' })).toHaveLength(1);
  const res = await t.client.membersRemoved(per, TEAM, [BOT.id]);
  expect(res.status).toBe(200);
  expect(await links().forTarget({ kind: 'process', id: 'aldersvennlig-samfunn' })).toEqual([]);
  expect(await links().forChannel(TEAM, prosjekt.channelId)).toEqual([]);
});
