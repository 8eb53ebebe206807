import type { Activity, TurnContext } from 'botbuilder';
import { assumePersonalWhenUnset, isPersonal } from '../../bot/teams/turn';

/** Whether a turn is a personal chat: case content is only ever shown there. */
const turnIn = (conversation: Record<string, unknown>, channelData?: unknown) =>
  ({ activity: { conversation, channelData } }) as unknown as TurnContext;

describe('isPersonal', () => {
  test('a personal chat is personal', () => {
    expect(isPersonal(turnIn({ id: 'a:1', conversationType: 'personal' }))).toBe(true);
  });

  test.each(['groupChat', 'channel', 'meeting', undefined])(
    'conversationType %p is not personal',
    (conversationType) => {
      expect(isPersonal(turnIn({ id: 'a:1', conversationType }))).toBe(false);
    },
  );

  test('an activity without a conversation is not personal', () => {
    expect(isPersonal({ activity: {} } as unknown as TurnContext)).toBe(false);
  });
});

describe('assumePersonalWhenUnset (the Agents Playground, local bot only)', () => {
  const activity = (conversation: Record<string, unknown>, channelData?: unknown) =>
    ({ conversation, channelData }) as unknown as Activity;

  test("the Playground's personal chat (no type, no group, no team) becomes personal", () => {
    const a = activity({ id: 'c1', tenantId: 't' }, { tenant: { id: 't' } });
    assumePersonalWhenUnset(a);
    expect(a.conversation.conversationType).toBe('personal');
  });

  test.each([
    ['a group', { id: 'c1', isGroup: true }, undefined],
    ['a team', { id: 'c1' }, { team: { id: 'team' } }],
    ['a channel', { id: 'c1' }, { channel: { id: 'ch' } }],
    ['a named type', { id: 'c1', conversationType: 'groupChat' }, undefined],
  ])('%s is left as it is', (_case, conversation, channelData) => {
    const a = activity({ ...conversation }, channelData);
    assumePersonalWhenUnset(a);
    expect(a.conversation.conversationType).toBe(
      (conversation as { conversationType?: string }).conversationType,
    );
  });
});
