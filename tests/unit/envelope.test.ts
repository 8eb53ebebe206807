import { checkEnvelope } from '../../bot/teams/envelope';

const minimal = () => ({
  type: 'message',
  channelId: 'msteams',
  serviceUrl: 'https://smba.trafficmanager.net/emea/',
  from: { id: '29:1abc', aadObjectId: '00000000-0000-0000-0000-0000000000020' },
  recipient: { id: '28:bot' },
  conversation: { id: 'a:1xyz' },
});

function reasonOf(body: unknown): string {
  const result = checkEnvelope(body);
  if (result.ok) throw new Error('expected the envelope to be refused');
  return result.reason;
}

describe('checkEnvelope', () => {
  test('a valid minimal activity passes', () => {
    expect(checkEnvelope(minimal())).toEqual({ ok: true });
  });

  test('the Agents Playground connector (http on localhost) passes', () => {
    expect(
      checkEnvelope({ ...minimal(), serviceUrl: 'http://localhost:56150/_connector' }),
    ).toEqual({ ok: true });
  });

  test('extra properties (value, entities, channelData) are allowed', () => {
    expect(
      checkEnvelope({
        ...minimal(),
        type: 'invoke',
        name: 'adaptiveCard/action',
        value: { action: { type: 'Action.Execute', verb: 'deviation.take', data: {} } },
        channelData: { tenant: { id: 't' } },
      }),
    ).toEqual({ ok: true });
  });

  test.each([
    ['null', null],
    ['an array', [minimal()]],
    ['a string', JSON.stringify(minimal())],
    ['a number', 42],
    ['undefined', undefined],
  ])('%s is refused', (_what, body) => {
    expect(checkEnvelope(body).ok).toBe(false);
  });

  const without = (mutate: (a: Record<string, any>) => void) => {
    const a: Record<string, any> = minimal();
    mutate(a);
    return a;
  };

  test.each([
    ['type', without((a) => delete a.type)],
    ['type', without((a) => (a.type = ''))],
    ['type', without((a) => (a.type = 7))],
    ['from', without((a) => delete a.from)],
    ['from.id', without((a) => (a.from = {}))],
    ['from.id', without((a) => (a.from = { id: '' }))],
    ['conversation', without((a) => delete a.conversation)],
    ['conversation.id', without((a) => (a.conversation = { name: 'x' }))],
    ['channelId', without((a) => delete a.channelId)],
    ['recipient', without((a) => delete a.recipient)],
    ['recipient.id', without((a) => (a.recipient = {}))],
    ['serviceUrl', without((a) => delete a.serviceUrl)],
    ['serviceUrl', without((a) => (a.serviceUrl = 'javascript:alert(1)'))],
    ['serviceUrl', without((a) => (a.serviceUrl = 'file:///etc/passwd'))],
    ['serviceUrl', without((a) => (a.serviceUrl = 'ftp://example.org/'))],
    ['serviceUrl', without((a) => (a.serviceUrl = ''))],
    ['serviceUrl', without((a) => (a.serviceUrl = 'https://'))],
    ['serviceUrl', without((a) => (a.serviceUrl = 'https://evil.example/ x'))],
    ['serviceUrl', without((a) => (a.serviceUrl = '//smba.trafficmanager.net/emea/'))],
  ])('refused with a reason naming %s', (field, body) => {
    const reason = reasonOf(body);
    expect(reason.startsWith(field)).toBe(true);
  });
});

describe('invokes', () => {
  const invoke = (name: unknown, value: unknown) =>
    checkEnvelope({ ...minimal(), type: 'invoke', name, value });

  test.each([
    [
      'adaptiveCard/action',
      { action: { type: 'Action.Execute', verb: 'deviation.take', data: { ref: 'x' } } },
    ],
    [
      'adaptiveCard/action',
      { action: { type: 'Action.Execute', verb: 'deviation.take', data: 'tampered' } },
    ],
    ['composeExtension/fetchTask', { commandId: 'reportDeviationFromMessage' }],
    ['composeExtension/submitAction', { commandId: 'reportDeviationFromMessage', data: {} }],
  ])('%s with a well-formed value is accepted', (name, value) => {
    expect(invoke(name, value)).toEqual({ ok: true });
  });

  test.each([
    ['no name', undefined, {}],
    ['an unknown name', 'signin/verifyState', {}],
    ['a card action without a value', 'adaptiveCard/action', undefined],
    ['a card action without a verb', 'adaptiveCard/action', { action: { type: 'Action.Execute' } }],
    ['a fetchTask without a commandId', 'composeExtension/fetchTask', {}],
  ])('%s is refused with a reason', (_label, name, value) => {
    const result = invoke(name, value);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/invoke|value/);
  });
});
