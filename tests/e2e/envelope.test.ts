import { PEOPLE, startBotUnderTest, type BotUnderTest } from '../support/bot-under-test';

/** Whatever arrives at /api/messages, a malformed envelope is a 4xx, never a 5xx, and the bot stays healthy. */
let t: BotUnderTest;
const { emil } = PEOPLE;

beforeAll(async () => {
  t = await startBotUnderTest();
});
afterAll(async () => {
  await t?.stop();
});

const valid = () => t.client.activity(emil, { type: 'message', text: 'hjelp' });
function without(path: string): Record<string, any> {
  const activity = valid();
  const [head, tail] = path.split('.');
  if (tail) delete activity[head][tail];
  else delete activity[head];
  return activity;
}

const expect4xx = (status: number) => {
  expect(status).toBeGreaterThanOrEqual(400);
  expect(status).toBeLessThan(500);
};

test('a valid activity is accepted (the baseline for the cases below)', async () => {
  expect((await t.client.post(valid())).status).toBe(200);
});

test('invalid JSON is a 400', async () => {
  const res = await t.client.postRaw('{"type": "message", "text": ');
  expect(res.status).toBe(400);
});

test.each([
  ['an array', () => [valid()]],
  ['an empty object', () => ({})],
  ['null', () => null],
  ['a string', () => 'message'],
  ['missing type', () => without('type')],
  ['missing from.id', () => without('from.id')],
  ['missing conversation.id', () => without('conversation.id')],
  ['missing channelId', () => without('channelId')],
  ['missing recipient', () => without('recipient')],
  ['missing serviceUrl', () => without('serviceUrl')],
  ['serviceUrl file:///x', () => ({ ...valid(), serviceUrl: 'file:///x' })],
  ['serviceUrl javascript:', () => ({ ...valid(), serviceUrl: 'javascript:alert(1)' })],
  ['from.id a number', () => ({ ...valid(), from: { id: 42 } })],
  ['an empty conversation id', () => ({ ...valid(), conversation: { id: '' } })],
])('%s is a 4xx', async (_name, body) => {
  const res = await t.client.post(body());
  expect4xx(res.status);
});

test('a 300 KB body is a 413', async () => {
  const res = await t.client.post({
    ...valid(),
    text: 'hjelp',
    channelData: { padding: 'x'.repeat(300 * 1024) },
  });
  expect(res.status).toBe(413);
});

test('text/plain content is a 4xx', async () => {
  const res = await t.client.postRaw(JSON.stringify(valid()), { 'content-type': 'text/plain' });
  expect4xx(res.status);
});

test.each([
  ['without a value', {}],
  ['with a value that is not an object', { value: 'x' }],
  [
    'with an Action.Execute without a verb',
    { value: { action: { type: 'Action.Execute', data: {} } } },
  ],
])('a card action invoke %s is a malformed envelope: a 4xx, not a 5xx', async (_name, extra) => {
  const res = await t.client.post(
    t.client.activity(emil, { type: 'invoke', name: 'adaptiveCard/action', ...extra }),
  );
  expect4xx(res.status);
});

test('card action data of the wrong shape gets an answer, not an error', async () => {
  for (const [verb, data] of [
    ['deviation.take', null],
    ['deviation.submit', 'text'],
    ['deviation.submit', { description: { nested: true }, formId: ['x'] }],
    ['deviation.list', { page: 1e308 }],
  ] as const) {
    const res = await t.client.post(t.client.cardActionActivity(emil, verb, data as never));
    expect([verb, res.status]).toEqual([verb, 200]);
    expect(res.body?.value?.type).toBe('AdaptiveCard');
  }
});

test('nothing was sent to the connector for any malformed request', () => {
  const conversations = t.connector.sent().map((a) => a.conversationId);
  expect(new Set(conversations)).toEqual(new Set([t.client.personalConversationId(emil)]));
});

test('the bot is healthy afterwards: /healthz and /readyz answer 200 with the store ok', async () => {
  const health = await t.client.get('/healthz');
  expect(health.status).toBe(200);
  expect(health.body).toMatchObject({ status: 'ok', store: 'ok' });
  const ready = await t.client.get('/readyz');
  expect(ready.status).toBe(200);
  expect((await t.client.post(valid())).status).toBe(200);
});
