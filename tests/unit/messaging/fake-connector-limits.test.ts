import { FakeConnector } from '../../support/fake-connector';

/** The fake Bot Connector's opt-in modes, driven with plain fetch. */
let connector: FakeConnector;

beforeEach(async () => {
  connector = await FakeConnector.start();
});
afterEach(async () => {
  await connector.close();
});

const activities = (conversationId: string) =>
  `${connector.url}v3/conversations/${encodeURIComponent(conversationId)}/activities`;

function post(conversationId: string, text = 'hello'): Promise<Response> {
  return fetch(activities(conversationId), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'message', text }),
  });
}

function put(conversationId: string, activityId: string): Promise<Response> {
  return fetch(`${activities(conversationId)}/${activityId}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'message', text: 'updated' }),
  });
}

function createConversation(): Promise<Response> {
  return fetch(`${connector.url}v3/conversations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ isGroup: false, members: [{ id: '29:user' }] }),
  });
}

test('with no mode on, every send, update and new conversation answers 200 as before', async () => {
  const sends = await Promise.all(Array.from({ length: 20 }, (_, i) => post('a:1', `m${i}`)));
  expect(sends.map((r) => r.status)).toEqual(Array(20).fill(200));
  const { id } = (await sends[0].json()) as { id: string };
  expect((await put('a:1', id)).status).toBe(200);
  const created = await createConversation();
  expect(created.status).toBe(200);
  expect(((await created.json()) as { id: string }).id).toMatch(/^conv-/);
  expect((await fetch(`${connector.url}v3/nothing`)).status).toBe(404);
  expect(connector.sent()).toHaveLength(20);
  expect(connector.updates()).toHaveLength(1);
  expect(connector.limitViolations()).toBe(0);
  // Counted even when nothing is enforced: 21 accepted to a:1 within a second.
  expect(connector.maxInWindow(1000)).toBe(21);
});

test('enforceTeamsLimits: 20 POSTs at once to one conversation, 7 accepted, 13 refused with Retry-After', async () => {
  connector.enforceTeamsLimits();
  const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => post('a:1', `m${i}`)));
  const statuses = answers.map((r) => r.status);
  expect(statuses.filter((s) => s === 200)).toHaveLength(7);
  expect(statuses.filter((s) => s === 429)).toHaveLength(13);
  for (const r of answers.filter((a) => a.status === 429)) {
    const retryAfter = r.headers.get('retry-after');
    expect(retryAfter).toMatch(/^\d+$/);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(retryAfter)).toBeLessThanOrEqual(1);
  }
  expect(connector.limitViolations()).toBe(13);
  expect(connector.maxInWindow(1000)).toBe(7);
  // Refused ones are recorded as 429 and are not delivered.
  expect(connector.requests.filter((r) => r.status === 429)).toHaveLength(13);
  expect(connector.sent()).toHaveLength(7);
  // Another conversation is not affected.
  expect((await post('b:1')).status).toBe(200);
});

test('enforceTeamsLimits: updates count, and after the window has passed sends go again', async () => {
  connector.enforceTeamsLimits({ perConversation: [{ count: 2, windowMs: 300 }] });
  const first = await post('a:1');
  const { id } = (await first.json()) as { id: string };
  expect((await put('a:1', id)).status).toBe(200);
  const refused = await post('a:1');
  expect(refused.status).toBe(429);
  expect(refused.headers.get('retry-after')).toBe('1');
  expect(connector.updates()).toHaveLength(1);
  await new Promise((resolve) => setTimeout(resolve, 350));
  expect((await post('a:1')).status).toBe(200);
  expect(connector.limitViolations()).toBe(1);
  expect(connector.maxInWindow(300)).toBe(2);
});

test('enforceTeamsLimits: the global limit spans conversations, and creating a conversation counts', async () => {
  connector.enforceTeamsLimits({ global: { count: 5, windowMs: 1000 } });
  expect((await createConversation()).status).toBe(200);
  const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => post(`c:${i}`)));
  expect(answers.filter((r) => r.status === 200)).toHaveLength(4);
  const created = await createConversation();
  expect(created.status).toBe(429);
  expect(Number(created.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(connector.limitViolations()).toBe(5);
  expect(connector.maxGlobalInWindow(1000)).toBe(5);
  expect(connector.maxInWindow(1000)).toBe(1);
});

test('enforceTeamsLimits: the hourly window gives a long Retry-After', async () => {
  connector.enforceTeamsLimits({ perConversation: [{ count: 3, windowMs: 3600000 }] });
  for (let i = 0; i < 3; i++) expect((await post('a:1')).status).toBe(200);
  const refused = await post('a:1');
  expect(refused.status).toBe(429);
  const seconds = Number(refused.headers.get('retry-after'));
  expect(seconds).toBeGreaterThan(3590);
  expect(seconds).toBeLessThanOrEqual(3600);
});

test('throttleShare: share 1 refuses every send and update; share 0 none; Retry-After only when given', async () => {
  connector.throttleShare(1, 2);
  const answers = await Promise.all(Array.from({ length: 5 }, () => post('a:1')));
  expect(answers.map((r) => r.status)).toEqual(Array(5).fill(429));
  expect(answers.every((r) => r.headers.get('retry-after') === '2')).toBe(true);
  expect((await put('a:1', 'act-x')).status).toBe(429);
  // Not a limit violation, and nothing delivered.
  expect(connector.limitViolations()).toBe(0);
  expect(connector.sent()).toEqual([]);
  connector.throttleShare(1);
  const bare = await post('a:1');
  expect(bare.status).toBe(429);
  expect(bare.headers.get('retry-after')).toBeNull();
  connector.throttleShare(0);
  expect((await post('a:1')).status).toBe(200);
});

test('throttleShare: about the given share is refused', async () => {
  connector.throttleShare(0.5);
  const answers = await Promise.all(Array.from({ length: 200 }, () => post('a:1')));
  const refused = answers.filter((r) => r.status === 429).length;
  // Binomial(200, 0.5): outside 60..140 has a probability far below 1e-8.
  expect(refused).toBeGreaterThan(60);
  expect(refused).toBeLessThan(140);
  expect(refused + answers.filter((r) => r.status === 200).length).toBe(200);
});

test('goneFor: 403 for sends and updates to that conversation only, by id or predicate', async () => {
  connector.goneFor('a:1');
  connector.goneFor((id) => id.startsWith('blocked:'));
  expect((await post('a:1')).status).toBe(403);
  expect((await put('a:1', 'act-x')).status).toBe(403);
  expect((await post('blocked:7')).status).toBe(403);
  expect((await post('b:1')).status).toBe(200);
  expect(connector.requests.filter((r) => r.status === 403)).toHaveLength(3);
  expect(connector.sent().map((s) => s.conversationId)).toEqual(['b:1']);
});

test('slowAll: answers come late and count as held meanwhile', async () => {
  connector.slowAll(300);
  const started = Date.now();
  const pending = post('a:1');
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(connector.held).toBe(1);
  expect(connector.requests).toHaveLength(0);
  expect((await pending).status).toBe(200);
  expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  expect(connector.held).toBe(0);
  connector.slowAll(0);
  const quick = Date.now();
  expect((await post('a:1')).status).toBe(200);
  expect(Date.now() - quick).toBeLessThan(250);
});

test('failNext still comes first, and clearModes / reset turn the modes off', async () => {
  connector.goneFor('a:1');
  connector.failNext(1, 502);
  expect((await post('a:1')).status).toBe(502);
  expect((await post('a:1')).status).toBe(403);
  connector.clearModes();
  expect((await post('a:1')).status).toBe(200);
  connector.enforceTeamsLimits({ perConversation: [{ count: 1, windowMs: 60000 }] });
  expect((await post('a:1')).status).toBe(200);
  expect((await post('a:1')).status).toBe(429);
  connector.reset();
  expect(connector.limitViolations()).toBe(0);
  expect(connector.maxInWindow(60000)).toBe(0);
  expect((await post('a:1')).status).toBe(200);
  expect(connector.requests).toHaveLength(1);
});
