import fs from 'node:fs';
import path from 'node:path';
import { OutboxStore } from '../../bot/store/outbox-store';
import { parseProcessFile } from '../../bot/processes/process-file';
import { TaskStore } from '../../bot/tasks/task-store';
import { PEOPLE, startBotUnderTest, type BotUnderTest } from '../support/bot-under-test';
import { demoOrg } from '../support/demo-org';
import { actionsOf, cardText, executeAction, inputValue, inputsOf } from '../support/cards';
import { cardFor, invokeCard } from '../support/deviation-flows';
import { TENANT_ID, type TeamsUser } from '../support/teams-client';

/**
 * Tasks, continued (issue #9), end to end over HTTP: the message action "Lag oppgave fra denne
 * meldingen" (fetchTask and submitAction), "the leader of unit X" as assignee, and tasks in a
 * project: its owner creates them, "oppgaver PRO-…" shows them to the owner, the styringsgruppe
 * and the line above.
 */
let t: BotUnderTest;
const { ingrid, emil, per, marte, lars, nina } = PEOPLE;
const silje: TeamsUser = {
  id: '29:silje',
  aadObjectId: '7c1a2b3d-0001-4a10-9c01-000000000102',
  name: 'Silje Bakke',
};
const clock = { at: new Date('2027-03-08T09:00:00Z'), now: () => clock.at };
const chat = (who: TeamsUser) => t.client.personalConversationId(who);
const TEAM = '19:heim-eldre@thread.tacv2';
const CHANNEL_POST = `${TEAM};messageid=1700000000123`;
const MESSAGE_ID = '1700000000123';
const ELDER_PROCESS = 'process:aldersvennlig-samfunn';
let projectRef: string;

/** A message action of this bot as Teams sends it from a channel message. */
function messageAction(
  who: TeamsUser,
  name: 'fetchTask' | 'submitAction',
  value: Record<string, unknown>,
) {
  return t.client.post(
    t.client.activity(who, {
      type: 'invoke',
      name: `composeExtension/${name}`,
      conversation: {
        id: CHANNEL_POST,
        conversationType: 'channel',
        isGroup: true,
        tenantId: TENANT_ID,
      },
      channelData: { tenant: { id: TENANT_ID }, team: { id: TEAM }, channel: { id: TEAM } },
      value: {
        commandId: 'createTaskFromMessage',
        commandContext: 'message',
        context: { theme: 'default' },
        messagePayload: {
          id: MESSAGE_ID,
          messageType: 'message',
          body: { contentType: 'html', content: '<p>Ikke brukt</p>' },
        },
        ...value,
      },
    }),
  );
}

async function fetchTaskForm(who: TeamsUser, html: string): Promise<any> {
  const res = await messageAction(who, 'fetchTask', {
    messagePayload: { id: MESSAGE_ID, body: { contentType: 'html', content: html } },
  });
  expect(res.status).toBe(200);
  expect(res.body.task.type).toBe('continue');
  return res.body.task.value.card.content;
}

/** Sends the dialog's form: the Action.Submit data plus what the person filled in. */
async function submitDialog(who: TeamsUser, form: any, values: Record<string, string>) {
  const submit = actionsOf(form).find((a) => a.type === 'Action.Submit');
  expect(submit?.data).toMatchObject({ verb: 'task.create' });
  const res = await messageAction(who, 'submitAction', { data: { ...submit!.data, ...values } });
  expect(res.status).toBe(200);
  expect(res.body.task.type).toBe('continue');
  await t.settle();
  return res.body.task.value.card.content;
}

async function ask(who: TeamsUser, text: string): Promise<any> {
  const before = t.connector.cardsIn(chat(who)).length;
  expect((await t.client.message(who, text)).status).toBe(200);
  return t.connector.waitFor(() => t.connector.cardsIn(chat(who))[before]?.card);
}

/** "ny oppgave" in the personal chat, then "Opprett oppgave" with these values. */
async function createInChat(who: TeamsUser, values: Record<string, string>) {
  const form = await ask(who, 'ny oppgave');
  const data = executeAction(form, 'task.create').data;
  const card = invokeCard(await t.client.cardAction(who, 'task.create', { ...data, ...values }));
  await t.settle();
  return { form, card, ref: /OPG-\d{4}-\d{4,}/.exec(JSON.stringify(card))?.[0] };
}

const tasks = () => new TaskStore(t.bot.tables, new OutboxStore(t.bot.tables));
const choiceValues = (card: any, id: string): string[] =>
  (inputsOf(card).find((i) => i.id === id)?.choices ?? []).map((c: { value: string }) => c.value);

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

describe('"Lag oppgave fra denne meldingen"', () => {
  test('fetchTask opens the task form in a dialog: first line as title (capped), the text as description', async () => {
    const long = 'Eldrerådet ønsker en oversikt over møteplasser i alle bydeler '.repeat(3);
    const form = await fetchTaskForm(silje, `<p>${long}</p><p>Kan noen ta &amp; sjekke?</p>`);
    expect(cardText(form)).toContain('Ny oppgave');
    expect(cardText(form)).toContain('Teksten fra meldingen er lagt inn som beskrivelse');
    const title = String(inputValue(form, 'title'));
    expect([...title]).toHaveLength(80);
    expect(title.endsWith('…')).toBe(true);
    expect(long.startsWith(title.slice(0, -1))).toBe(true);
    expect(inputValue(form, 'description')).toBe(`${long.trim()}\nKan noen ta & sjekke?`);
    expect(inputValue(form, 'parent')).toBe(ELDER_PROCESS);
    // A dialog sends with Action.Submit, not Action.Execute.
    expect(actionsOf(form).map((a) => a.type)).toEqual(['Action.Submit']);
  });

  test('someone who may create tasks in no process or project gets the clear refusal', async () => {
    const answer = await fetchTaskForm(emil, '<p>Lag en oppgave av dette</p>');
    expect(cardText(answer)).toContain('Du eier ingen aktiv prosess');
    expect(actionsOf(answer)).toEqual([]);
  });

  test('a refusal shows the form again in the dialog with the reason; nothing is created', async () => {
    const form = await fetchTaskForm(silje, '<p>Sjekk lokalene</p>');
    const before = t.connector.sent().length;
    const again = await submitDialog(silje, form, {
      parent: ELDER_PROCESS,
      title: 'Sjekk lokalene',
      description: 'Sjekk lokalene',
      assignee: ingrid.aadObjectId!,
      due: '2027-03-01',
    });
    expect(cardText(again)).toContain('Fristen kan ikke være før i dag (2027-03-08).');
    expect(inputValue(again, 'title')).toBe('Sjekk lokalene');
    expect(actionsOf(again).map((a) => a.type)).toEqual(['Action.Submit']);
    expect(JSON.stringify(again)).not.toMatch(/OPG-\d{4}/);
    // A parent that does not exist, and fields of the wrong type: the form again, never a 5xx.
    const odd = await submitDialog(silje, form, {
      parent: 'project:PRO-9999-9999',
      title: ['x'] as unknown as string,
      assignee: 'unit:',
      due: 'i morgen',
    });
    expect(cardText(odd)).toContain('Oppgaven ble ikke opprettet');
    // No task card went out (the process cards of the setup may still be on their way).
    const aboutATask = t.connector
      .sent()
      .slice(before)
      .filter((x) => /Sjekk lokalene|OPG-\d{4}/.test(JSON.stringify(x)));
    expect(aboutATask).toEqual([]);
  });

  test('submitAction creates the task like the form (leader of a unit as assignee), records the message, answers with the task card', async () => {
    const form = await fetchTaskForm(
      silje,
      '<p>Skolen bør åpne gymsalen for eldre på kveldstid</p>',
    );
    expect(choiceValues(form, 'assignee')).toContain('unit:heim-skole');
    const card = await submitDialog(silje, form, {
      parent: ELDER_PROCESS,
      title: String(inputValue(form, 'title')),
      description: String(inputValue(form, 'description')),
      assignee: 'unit:heim-skole',
      due: '2027-04-15',
    });
    expect(cardText(card)).toContain('Oppgaven er opprettet og sendt til Marte Solberg.');
    const ref = /OPG-\d{4}-\d{4,}/.exec(JSON.stringify(card))![0];
    const stored = (await tasks().get(ref))!.record;
    expect(stored.fromMessage).toEqual({ conversationId: CHANNEL_POST, messageId: MESSAGE_ID });
    expect(stored.assignee).toEqual({ kind: 'unitLeader', unitId: 'heim-skole' });
    expect(stored.assigneeId).toBe(marte.aadObjectId);
    expect(stored.title).toBe('Skolen bør åpne gymsalen for eldre på kveldstid');
    // The assignee (the unit's leader) gets the task card in her personal chat, not the channel.
    const marteCard = await cardFor(t, marte, ref, 'task.accept');
    expect(cardText(marteCard.card)).toContain('Du har fått en oppgave');
    expect(t.connector.sent().filter((a) => a.conversationId.includes(TEAM))).toEqual([]);
  });
});

describe('the leader of a unit as assignee in "ny oppgave"', () => {
  test('the form offers "Leder for <enhet>"; a unit that does not exist is refused and nothing is created', async () => {
    const refused = await createInChat(silje, {
      parent: ELDER_PROCESS,
      title: 'Ukjent enhet',
      assignee: 'unit:finnes-ikke',
      due: '2027-04-01',
    });
    expect(JSON.stringify(refused.form)).toContain('"title":"Leder for Barneverntjenesten"');
    expect(choiceValues(refused.form, 'assignee')).toContain('unit:barnevern');
    expect(refused.ref).toBeUndefined();
    expect(cardText(refused.card)).toContain('Oppgaven ble ikke opprettet');

    const made = await createInChat(silje, {
      parent: ELDER_PROCESS,
      title: 'Kartlegg behov i barnevernet',
      assignee: 'unit:barnevern',
      due: '2027-04-01',
    });
    expect(cardText(made.card)).toContain('sendt til Lars Moen');
    expect((await tasks().get(made.ref!))!.record.assignee).toEqual({
      kind: 'unitLeader',
      unitId: 'barnevern',
    });
    await cardFor(t, lars, made.ref!, 'task.accept');
  });
});

describe('tasks in a project', () => {
  beforeAll(async () => {
    // Per (rådmann) gives Ingrid a project with Marte, Lars and Nina as styringsgruppe.
    const form = await ask(per, 'nytt prosjekt');
    const data = executeAction(form, 'project.create').data ?? {};
    const created = invokeCard(
      await t.client.cardAction(per, 'project.create', {
        ...data,
        name: 'Velferdsteknologi i hjemmetjenesten',
        mandate: 'Innføre digitalt tilsyn for hjemmeboende.',
        ownerId: ingrid.aadObjectId!,
        steeringGroup: [marte, lars, nina].map((p) => p.aadObjectId).join(','),
        quorum: 'majority',
      }),
    );
    await t.settle();
    projectRef = /PRO-\d{4}-\d{4,}/.exec(JSON.stringify(created))![0];
  });

  test('the project owner is offered the project and creates a task in it', async () => {
    const made = await createInChat(ingrid, {
      parent: `project:${projectRef}`,
      title: 'Kartlegg tilsynsbehov',
      assignee: emil.aadObjectId!,
      due: '2027-05-01',
    });
    // Ingrid may also create tasks in "Aldersvennlig samfunn" (the owner allowed her).
    expect(choiceValues(made.form, 'parent')).toEqual([ELDER_PROCESS, `project:${projectRef}`]);
    expect(cardText(made.form)).toContain('Prosess eller prosjekt');
    expect(cardText(made.card)).toContain('sendt til Emil Vik');
    expect(cardText(made.card)).toContain('Velferdsteknologi i hjemmetjenesten');
    const stored = (await tasks().get(made.ref!))!.record;
    expect(stored.parent).toEqual({ kind: 'project', id: projectRef });
    expect(stored.ownerId).toBe(ingrid.aadObjectId);
    await cardFor(t, emil, made.ref!, 'task.accept');
  });

  test('only the owner creates tasks in a project: others are not offered it and are refused', async () => {
    const refused = await createInChat(silje, {
      parent: `project:${projectRef}`,
      title: 'Snik inn en oppgave',
      assignee: emil.aadObjectId!,
      due: '2027-05-01',
    });
    expect(choiceValues(refused.form, 'parent')).not.toContain(`project:${projectRef}`);
    expect(refused.ref).toBeUndefined();
    expect(cardText(refused.card)).toContain('Oppgaven ble ikke opprettet');
    expect(cardText(await ask(marte, 'ny oppgave'))).toContain('Du eier ingen aktiv prosess');
  });

  test('"oppgaver PRO-…" shows the tasks to the owner, the styringsgruppe and the line above; not to others', async () => {
    for (const [who, text] of [
      [ingrid, `oppgaver ${projectRef}`],
      [marte, `oppgaver prosjekt ${projectRef.toLowerCase()}`],
      [per, `tasks project ${projectRef}`],
    ] as const) {
      const list = cardText(await ask(who, text));
      expect(list).toContain('Oppgaver i Velferdsteknologi i hjemmetjenesten');
      expect(list).toContain('Kartlegg tilsynsbehov');
      expect(list).toContain('0 av 1 utført, 0 forfalt.');
    }
    const forSilje = cardText(await ask(silje, `oppgaver ${projectRef}`));
    expect(forSilje).toContain('vises bare for eieren, gruppen og linjen over dem');
    expect(forSilje).not.toContain('Kartlegg tilsynsbehov');
  });
});
