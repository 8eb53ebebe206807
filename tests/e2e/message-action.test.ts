import { PEOPLE, startBotUnderTest, type BotUnderTest } from '../support/bot-under-test';
import { actionsOf, cardText, errorBeside, inputValue, referenceIn } from '../support/cards';
import { adaptiveCardsOf } from '../support/fake-connector';
import { cardFor, validReport } from '../support/deviation-flows';
import { TENANT_ID, type TeamsUser } from '../support/teams-client';

/** Channels get a pointer to the personal chat; the message action "Meld avvik fra denne meldingen". */
let t: BotUnderTest;
const { ingrid, emil } = PEOPLE;
const chat = (u: TeamsUser) => t.client.personalConversationId(u);
const TEAM = '19:heim-barnehage@thread.tacv2';
const channel = {
  conversation: {
    id: `${TEAM};messageid=1700000000000`,
    conversationType: 'channel',
    isGroup: true,
    tenantId: TENANT_ID,
  },
  channelData: { tenant: { id: TENANT_ID }, team: { id: TEAM }, channel: { id: TEAM } },
};

beforeAll(async () => {
  t = await startBotUnderTest({ installed: [ingrid, emil] });
});
afterAll(async () => {
  await t?.stop();
});

test('"meld avvik" in a channel gets a hint to use the personal chat, and no form is posted', async () => {
  const before = t.connector.sent().length;
  const res = await t.client.channelMessage(emil, 'meld avvik', TEAM);
  expect(res.status).toBe(200);
  const reply = await t.connector.waitFor(() => t.connector.sent().slice(before)[0]);
  expect(reply.conversationId).toContain(TEAM);
  expect(reply.activity.text).toContain('personlig chat');
  expect(
    t.connector
      .sent()
      .slice(before)
      .flatMap((a) => adaptiveCardsOf(a.activity)),
  ).toEqual([]);
});

test('the message action opens the form with the message text as plain text', async () => {
  const res = await t.client.fetchTask(emil, '<p>Hei <b>alle</b></p>', channel);
  expect(res.status).toBe(200);
  expect(res.body.task.type).toBe('continue');
  const card = res.body.task.value.card.content;
  expect(inputValue(card, 'description')).toBe('Hei alle');
  expect(inputValue(card, 'unitId')).toBe('sentrum-barnehage');
  expect(cardText(card)).toContain('Teksten fra meldingen er lagt inn');
});

test('HTML entities and line breaks in the message become text, not markup', async () => {
  const res = await t.client.fetchTask(
    emil,
    '<div>Tom &amp; Jerry<br>sa &lt;hei&gt;</div>',
    channel,
  );
  expect(inputValue(res.body.task.value.card.content, 'description')).toBe('Tom & Jerry\nsa <hei>');
});

test("sending the dialog puts the receipt in the reporter's personal chat, not in the channel", async () => {
  const fetched = await t.client.fetchTask(emil, '<p>Stigen i gymsalen er løs</p>', channel);
  const form = fetched.body.task.value.card.content;
  const submit = actionsOf(form).find((a) => a.type === 'Action.Submit');
  expect(submit?.data).toMatchObject({ verb: 'deviation.submit', formId: expect.any(String) });

  await t.settle(); // what earlier tests decided has gone out before we count
  const before = t.connector.sent().length;
  const res = await t.client.submitAction(
    emil,
    { ...validReport({ description: 'Stigen i gymsalen er løs' }), ...submit!.data },
    channel,
  );
  expect(res.status).toBe(200);
  const posted = await t.connector.waitFor(() =>
    t.connector
      .sent()
      .slice(before)
      .find((a) => a.conversationId === chat(emil)),
  );
  const receipt = adaptiveCardsOf(posted.activity)[0];
  const ref = referenceIn(receipt)!;
  expect(cardText(receipt)).toContain('Takk! Avviket er meldt');
  expect(
    t.connector
      .sent()
      .slice(before)
      .filter((a) => a.conversationId.includes(TEAM)),
  ).toEqual([]);

  expect((await t.deviations.get(ref))?.record.description).toBe('Stigen i gymsalen er løs');
  await cardFor(t, ingrid, ref, 'deviation.take');
  // Later changes update that receipt.
  const copies = await t.deviations.postedCards(ref);
  expect(copies).toEqual(
    expect.arrayContaining([
      expect.objectContaining({
        view: 'receipt',
        conversationId: chat(emil),
        activityId: posted.id,
      }),
    ]),
  );
});

test('a reporter who never opened the personal chat is told the reference in the dialog', async () => {
  const { sofie } = PEOPLE;
  const res = await t.client.submitAction(
    sofie,
    validReport({ unitId: 'sentrum-barnehage' }),
    channel,
  );
  expect(res.status).toBe(200);
  expect(res.body.task.type).toBe('message');
  expect(res.body.task.value).toMatch(/Avviket er meldt med referanse AVV-\d{4}-\d{4}/);
});

test('an invalid dialog comes back as the dialog with the error beside the field', async () => {
  const res = await t.client.submitAction(emil, validReport({ description: '   ' }), channel);
  expect(res.status).toBe(200);
  expect(res.body.task.type).toBe('continue');
  expect(errorBeside(res.body.task.value.card.content, 'description')).toBe('Må fylles ut.');
});
