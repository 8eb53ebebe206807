import type { Application, TurnState } from '@microsoft/teams-ai';
import type { TurnContext } from 'botbuilder';
import { log } from '../../app/log';
import { CHANNEL_VERBS } from '../../channels/subscription-views';
import { LINK_VERBS } from '../../channels/link-service';
import type { ChannelAddress } from '../../channels/ports';
import type { Actor } from '../../kernel/actor';
import type { Card } from '../../kernel/card-templates';
import type { Features } from '../features';
import {
  actorOf,
  adaptive,
  answerInvokeWithCard,
  channelOf,
  rememberConversation,
  sendCard,
  type CardData,
} from '../turn';
import { phrase, typedAs, withArgument, type TypedCommand } from './typed-command';

/**
 * Team-channel subscriptions: typed in a channel with the bot @mentioned (teams-ai strips the
 * mention), in Norwegian and English. The text after the command goes to the feature as is.
 */
export const CHANNEL_COMMANDS = {
  subscribe: withArgument('abonner|subscribe'),
  list: phrase(['abonnementer', 'abonnement', 'subscriptions'], '.!?'),
  unsubscribe: withArgument('avslutt\\s+abonnement(?:et)?|unsubscribe'),
  link: withArgument('koble\\s+(?:til\\s+)?kanal(?:en)?|link\\s+(?:this\\s+)?channel'),
  unlink: withArgument('koble\\s+(?:kanal(?:en)?\\s+)?fra|unlink(?:\\s+(?:this\\s+)?channel)?'),
} as const;

type Run = (actor: Actor, channel: ChannelAddress | undefined, text: string) => Promise<Card>;

/** Registered before registerUnknownActions (its catch-all verb) and registerFallback. */
export function registerChannels(app: Application<TurnState>, features: Features): void {
  const { channels, channelLinks } = features;

  const typed = (command: TypedCommand, run: Run) =>
    app.message(typedAs(command), async (context: TurnContext) => {
      await rememberConversation(context, features.conversations);
      const text = command.argument(context.activity.text) ?? '';
      // Outside a team channel the feature answers with a short explanation.
      await sendCard(context, await run(actorOf(context), channelOf(context), text));
    });
  typed(CHANNEL_COMMANDS.subscribe, (a, c, text) => channels.subscribe(a, c, text));
  typed(CHANNEL_COMMANDS.list, (a, c) => channels.list(a, c));
  typed(CHANNEL_COMMANDS.unsubscribe, (a, c, text) => channels.unsubscribe(a, c, text));
  // "koble kanal fra" is an unlink: that pattern is tried first.
  typed(CHANNEL_COMMANDS.unlink, (a, c, text) => channelLinks.unlink(a, c, text));
  typed(CHANNEL_COMMANDS.link, (a, c, text) => channelLinks.link(a, c, text));

  // The pickers' buttons: the answer replaces the picker for the presser only.
  const pressed = (verb: string, run: typeof channels.subscribeChosen) =>
    app.adaptiveCards.actionExecute<CardData>(verb, async (context, _state, data) => {
      const card = await run(actorOf(context), channelOf(context), data);
      await answerInvokeWithCard(context, card);
      return adaptive(card);
    });
  pressed(CHANNEL_VERBS.subscribe, (a, c, data) => channels.subscribeChosen(a, c, data));
  pressed(CHANNEL_VERBS.end, (a, c, data) => channels.unsubscribeChosen(a, c, data));
  pressed(LINK_VERBS.link, (a, c, data) => channelLinks.linkChosen(a, c, data));
  pressed(LINK_VERBS.unlink, (a, c, data) => channelLinks.unlinkChosen(a, c, data));

  // The bot removed from a team: its subscriptions end, and its channels are forgotten.
  app.conversationUpdate('membersRemoved', async (context) => {
    const botId = context.activity.recipient.id;
    const botRemoved = (context.activity.membersRemoved ?? []).some((m) => m.id === botId);
    const here = channelOf(context);
    if (!botRemoved || !here) return;
    const ended = await channels.teamRemoved(here.teamId);
    const unlinked = await channelLinks.teamRemoved(here.teamId);
    const general = { teamId: here.teamId, channelId: here.teamId };
    const known = new Map(
      [here, general, ...ended].map((c) => [`${c.teamId}|${c.channelId}`, c] as const),
    );
    await Promise.all(
      [...known.values()].map((c) => features.conversations.forgetChannel(c.teamId, c.channelId)),
    );
    log.info(
      { teamId: here.teamId, channels: ended.length, links: unlinked },
      'removed from a team: its channel subscriptions and links ended',
    );
  });
}
