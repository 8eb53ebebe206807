/** Whom the bot writes to outside a turn: a person's personal chat, or a team channel. */
export type Recipient =
  { kind: 'person'; id: string } | { kind: 'channel'; teamId: string; channelId: string };

export const person = (id: string): Recipient => ({ kind: 'person', id });
export const channel = (teamId: string, channelId: string): Recipient => ({
  kind: 'channel',
  teamId,
  channelId,
});
