import crypto from 'node:crypto';

/**
 * Plays the Teams client side of the Bot Framework protocol: builds the activities Teams would
 * send (channel msteams, personal chat, serviceUrl = the fake connector) and POSTs them to the
 * running bot's /api/messages with fetch.
 */
export interface TeamsUser {
  /** Teams user id, e.g. 29:1abc. */
  id: string;
  aadObjectId: string;
  name: string;
  locale?: string;
}

export interface BotResponse {
  status: number;
  body: any;
  text: string;
}

export const BOT = { id: '28:bot', name: 'Internkontroll' } as const;
export const TENANT_ID = '00000000-0000-0000-0000-0000000000001';

export type Activity = Record<string, any>;

export class TeamsClient {
  private counter = 0;

  constructor(
    public botUrl: string,
    public readonly serviceUrl: string,
  ) {}

  /** The user's 1:1 chat with the bot: one stable id per user, as in Teams. */
  personalConversationId(user: TeamsUser): string {
    return `a:personal-${user.aadObjectId}`;
  }

  newActivityId(): string {
    this.counter += 1;
    return `f:${Date.now().toString(36)}-${this.counter}-${crypto.randomBytes(4).toString('hex')}`;
  }

  /** A complete Teams activity from this user in their personal chat; `extra` overrides any field. */
  activity(user: TeamsUser, extra: Activity = {}): Activity {
    return {
      id: this.newActivityId(),
      channelId: 'msteams',
      serviceUrl: this.serviceUrl,
      timestamp: new Date().toISOString(),
      locale: user.locale ?? 'nb-NO',
      from: { id: user.id, aadObjectId: user.aadObjectId, name: user.name },
      recipient: { ...BOT },
      conversation: {
        id: this.personalConversationId(user),
        conversationType: 'personal',
        tenantId: TENANT_ID,
      },
      channelData: { tenant: { id: TENANT_ID } },
      ...extra,
    };
  }

  /** POSTs an activity (or any JSON value) to /api/messages. */
  async post(body: unknown, headers: Record<string, string> = {}): Promise<BotResponse> {
    return this.postRaw(JSON.stringify(body), { 'content-type': 'application/json', ...headers });
  }

  /** POSTs raw bytes, for malformed-envelope tests. */
  async postRaw(
    raw: string | Buffer,
    headers: Record<string, string> = { 'content-type': 'application/json' },
    timeoutMs = 15000,
  ): Promise<BotResponse> {
    const res = await fetch(`${this.botUrl}/api/messages`, {
      method: 'POST',
      headers,
      body: raw,
      signal: AbortSignal.timeout(timeoutMs),
    });
    return responseOf(res);
  }

  async get(path: string): Promise<BotResponse> {
    const res = await fetch(`${this.botUrl}${path}`, { signal: AbortSignal.timeout(15000) });
    return responseOf(res);
  }

  message(user: TeamsUser, text: string, extra: Activity = {}): Promise<BotResponse> {
    return this.post(this.activity(user, { type: 'message', text, textFormat: 'plain', ...extra }));
  }

  /** A message in a team channel instead of the personal chat. */
  channelMessage(
    user: TeamsUser,
    text: string,
    teamId = '19:team-heim@thread.tacv2',
  ): Promise<BotResponse> {
    return this.message(user, text, {
      conversation: {
        id: `${teamId};messageid=${Date.now()}`,
        conversationType: 'channel',
        isGroup: true,
        tenantId: TENANT_ID,
      },
      channelData: { tenant: { id: TENANT_ID }, team: { id: teamId }, channel: { id: teamId } },
    });
  }

  /**
   * Where a team-channel activity comes from: the fields to put on any activity (a message, a
   * card action) so it arrives from that channel. The General channel has the team's id.
   */
  inChannel(where: { teamId: string; channelId?: string }): Activity {
    const channelId = where.channelId ?? where.teamId;
    return {
      conversation: {
        id: `${channelId};messageid=${Date.now()}${++this.counter}`,
        conversationType: 'channel',
        isGroup: true,
        tenantId: TENANT_ID,
      },
      channelData: {
        tenant: { id: TENANT_ID },
        team: { id: where.teamId },
        channel: { id: channelId },
      },
    };
  }

  /** A message in a given channel of a team (`channelMessage` writes in the General channel). */
  channelMessageIn(
    user: TeamsUser,
    text: string,
    where: { teamId: string; channelId?: string },
  ): Promise<BotResponse> {
    return this.message(user, text, this.inChannel(where));
  }

  /** Members removed from a team (`BOT.id` among them: the bot was removed from the team). */
  membersRemoved(user: TeamsUser, teamId: string, memberIds: string[]): Promise<BotResponse> {
    return this.post(
      this.activity(user, {
        type: 'conversationUpdate',
        membersRemoved: memberIds.map((id) => ({ id })),
        conversation: {
          id: teamId,
          conversationType: 'channel',
          isGroup: true,
          tenantId: TENANT_ID,
        },
        channelData: {
          tenant: { id: TENANT_ID },
          team: { id: teamId },
          eventType: 'teamMemberRemoved',
        },
      }),
    );
  }

  /**
   * The bot added to the user's personal scope ("install"): the bot stores the conversation
   * reference, which is what lets it send proactive cards to this person later.
   */
  install(user: TeamsUser): Promise<BotResponse> {
    return this.post(
      this.activity(user, { type: 'conversationUpdate', membersAdded: [{ id: BOT.id }] }),
    );
  }

  /** An Action.Execute press (Universal Actions): invoke adaptiveCard/action; body.value holds the returned card. */
  cardAction(
    user: TeamsUser,
    verb: string,
    data: Record<string, unknown>,
    options: { replyToId?: string; id?: string; extra?: Activity } = {},
  ): Promise<BotResponse> {
    return this.post(this.cardActionActivity(user, verb, data, options));
  }

  cardActionActivity(
    user: TeamsUser,
    verb: string,
    data: Record<string, unknown>,
    options: { replyToId?: string; id?: string; extra?: Activity } = {},
  ): Activity {
    return this.activity(user, {
      type: 'invoke',
      name: 'adaptiveCard/action',
      ...(options.id ? { id: options.id } : {}),
      replyToId: options.replyToId ?? `card-${crypto.randomBytes(3).toString('hex')}`,
      value: { action: { type: 'Action.Execute', verb, data } },
      ...options.extra,
    });
  }

  /** Message action "Meld avvik fra denne meldingen": opening the dialog. */
  fetchTask(user: TeamsUser, html: string, extra: Activity = {}): Promise<BotResponse> {
    return this.post(
      this.activity(user, {
        type: 'invoke',
        name: 'composeExtension/fetchTask',
        value: {
          commandId: 'reportDeviationFromMessage',
          commandContext: 'message',
          context: { theme: 'default' },
          messagePayload: {
            id: '1700000000000',
            messageType: 'message',
            body: { contentType: 'html', content: html },
            from: { user: { id: user.id, displayName: user.name } },
          },
        },
        ...extra,
      }),
    );
  }

  /** Message action: the dialog's form sent (Action.Submit data). */
  submitAction(
    user: TeamsUser,
    data: Record<string, unknown>,
    extra: Activity = {},
  ): Promise<BotResponse> {
    return this.post(
      this.activity(user, {
        type: 'invoke',
        name: 'composeExtension/submitAction',
        value: {
          commandId: 'reportDeviationFromMessage',
          commandContext: 'message',
          data,
          context: { theme: 'default' },
        },
        ...extra,
      }),
    );
  }
}

/** Status, text and (when it is JSON) the parsed body of a bot response. */
async function responseOf(res: Response): Promise<BotResponse> {
  const text = await res.text();
  let body: any = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body, text };
}
