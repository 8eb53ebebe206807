import { log, logScope } from '../../bot/app/log';
import { strings } from '../../bot/i18n';
import { PEOPLE, startBotUnderTest, type BotUnderTest } from '../support/bot-under-test';
import { inputValue, referenceIn } from '../support/cards';
import { invokeCard, validReport } from '../support/deviation-flows';
import { TENANT_ID, type Activity, type TeamsUser } from '../support/teams-client';

/**
 * The tenant boundary (ALLOWED_TENANT_IDS) over HTTP: an activity from another tenant, without
 * a tenant, or naming two tenants is refused before teams-ai reads any state, and nothing is
 * stored. Inside the tenant, reporting is never blocked.
 */
let t: BotUnderTest;
const OTHER_TENANT = '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a';
const outsider: TeamsUser = {
  id: '29:outsider',
  aadObjectId: 'c0ffee00-1111-4222-8333-944455556666',
  name: 'Olga Utenfor',
};
/** Every table request, with the activity it was made for (the server's log scope). */
const requests: { table: string; kind: string; activityId?: string }[] = [];

beforeAll(async () => {
  t = await startBotUnderTest({
    env: { ALLOWED_TENANT_IDS: TENANT_ID },
    onStorageOperation: (op) =>
      void requests.push({
        table: op.table,
        kind: op.kind,
        activityId: logScope.getStore()?.correlationId,
      }),
  });
});
afterAll(async () => {
  await t?.stop();
});
afterEach(() => jest.restoreAllMocks());

const chat = (user: TeamsUser) => t.client.personalConversationId(user);

/** Where the activity comes from: a personal chat in `conversationTenant` / `channelDataTenant`. */
function inTenant(
  user: TeamsUser,
  conversationTenant: string | undefined,
  channelDataTenant: string | undefined = conversationTenant,
): Activity {
  return {
    conversation: {
      id: chat(user),
      conversationType: 'personal',
      ...(conversationTenant ? { tenantId: conversationTenant } : {}),
    },
    channelData: channelDataTenant ? { tenant: { id: channelDataTenant } } : {},
  };
}

const message = (user: TeamsUser, where: Activity, text = 'meld avvik') =>
  t.client.activity(user, { type: 'message', text, textFormat: 'plain', ...where });

const submit = (user: TeamsUser, where: Activity) =>
  t.client.cardActionActivity(user, 'deviation.submit', validReport(), { extra: where });

async function botStateRows(): Promise<number> {
  let rows = 0;
  for await (const _row of t.bot.tables.client('BotState').listEntities()) rows++;
  return rows;
}

/** Nothing was read or written for the activity, and nothing is known about the user. */
async function expectNothingStored(activityId: string, user: TeamsUser, stateRowsBefore: number) {
  expect(requests.filter((r) => r.activityId === activityId)).toEqual([]);
  expect(await t.conversations.forUser(user.aadObjectId)).toBeUndefined();
  expect(await t.deviations.byReporter(user.aadObjectId)).toEqual([]);
  expect(await botStateRows()).toBe(stateRowsBefore);
}

/** Posts a refused message; returns the text the bot answered with in that chat. */
async function refusedMessage(user: TeamsUser, where: Activity): Promise<string> {
  const stateRows = await botStateRows();
  const before = t.connector.sent().length;
  const activity = message(user, where);
  const res = await t.client.post(activity);
  expect(res.status).toBe(200);
  const reply = await t.connector.waitFor(() =>
    t.connector
      .sent()
      .slice(before)
      .find((s) => s.conversationId === chat(user)),
  );
  await expectNothingStored(activity.id, user, stateRows);
  expect(t.connector.cardsIn(chat(user))).toEqual([]);
  return reply.activity.text;
}

/** Posts a refused invoke: a 403, nothing sent, nothing stored. */
async function expectRefusedInvoke(user: TeamsUser, where: Activity) {
  const stateRows = await botStateRows();
  const before = t.connector.requests.length;
  const activity = submit(user, where);
  const res = await t.client.post(activity);
  expect(res.status).toBe(403);
  expect(res.body).toMatchObject({ statusCode: 403 });
  expect(t.connector.requests.slice(before)).toEqual([]);
  await expectNothingStored(activity.id, user, stateRows);
}

test('the check detects table requests: an activity inside the tenant reads its user state', async () => {
  const activity = message(PEOPLE.emil, inTenant(PEOPLE.emil, TENANT_ID), 'hjelp');
  expect((await t.client.post(activity)).status).toBe(200);
  expect(
    requests.filter((r) => r.activityId === activity.id && r.table === 'BotState'),
  ).not.toEqual([]);
});

test('a message from another tenant gets a short refusal; nothing is read or stored', async () => {
  const text = await refusedMessage(outsider, inTenant(outsider, OTHER_TENANT));
  expect(text).toBe(strings('nb').tenantRefused);
});

test('in English Teams the refusal is in English', async () => {
  const english = { ...outsider, locale: 'en-GB' };
  const text = await refusedMessage(english, inTenant(english, OTHER_TENANT));
  expect(text).toBe(strings('en').tenantRefused);
});

test('an invoke from another tenant gets a 403; no report is stored', async () => {
  await expectRefusedInvoke(outsider, inTenant(outsider, OTHER_TENANT));
});

test('installing the bot from another tenant is ignored: no answer, no conversation remembered', async () => {
  const stateRows = await botStateRows();
  const before = t.connector.requests.length;
  const activity = t.client.activity(outsider, {
    type: 'conversationUpdate',
    membersAdded: [{ id: '28:bot' }],
    ...inTenant(outsider, OTHER_TENANT),
  });
  expect((await t.client.post(activity)).status).toBe(200);
  expect(t.connector.requests.slice(before)).toEqual([]);
  await expectNothingStored(activity.id, outsider, stateRows);
});

test('a missing tenant is refused (message and invoke)', async () => {
  const text = await refusedMessage(outsider, inTenant(outsider, undefined));
  expect(text).toBe(strings('nb').tenantRefused);
  await expectRefusedInvoke(outsider, inTenant(outsider, undefined));
});

test.each([
  ['channelData names another tenant than the conversation', TENANT_ID, OTHER_TENANT],
  ['the conversation names another tenant than channelData', OTHER_TENANT, TENANT_ID],
])('%s: refused', async (_case, conversationTenant, channelDataTenant) => {
  const where = inTenant(outsider, conversationTenant, channelDataTenant);
  expect(await refusedMessage(outsider, where)).toBe(strings('nb').tenantRefused);
  await expectRefusedInvoke(outsider, where);
});

test('the refusal is logged with the tenant id only', async () => {
  const warn = jest.spyOn(log, 'warn');
  const activity = message(outsider, inTenant(outsider, OTHER_TENANT));
  await t.client.post(activity);
  const logged = JSON.stringify(warn.mock.calls);
  expect(logged).toContain(OTHER_TENANT);
  expect(logged).toContain('tenant boundary');
  for (const personal of [outsider.id, outsider.aadObjectId, outsider.name, 'meld avvik'])
    expect(logged).not.toContain(personal);
});

test('someone in the tenant but not in the organisation may still report', async () => {
  const visitor: TeamsUser = {
    id: '29:vikar-tenant',
    aadObjectId: 'd4c3b2a1-5b2f-4e8a-9c0d-1f2e3d4c5b6a',
    name: 'Vikar Vikarsen',
  };
  await t.client.install(visitor);
  expect((await t.conversations.forUser(visitor.aadObjectId))?.conversationId).toBe(chat(visitor));
  const before = t.connector.cardsIn(chat(visitor)).length;
  expect((await t.client.message(visitor, 'meld avvik')).status).toBe(200);
  const form = await t.connector.waitFor(() => t.connector.cardsIn(chat(visitor))[before]);
  expect(inputValue(form.card, 'unitId')).toBe('');

  const res = await t.client.cardAction(
    visitor,
    'deviation.submit',
    validReport({ unitId: 'barnevern' }),
    { replyToId: form.id },
  );
  const ref = referenceIn(invokeCard(res))!;
  expect(ref).toMatch(/^AVV-\d{4}-\d{4}$/);
  expect((await t.deviations.get(ref))?.record.reporterId).toBe(visitor.aadObjectId);
});
