import type { Application, TurnState } from '@microsoft/teams-ai';
import type { TurnContext } from 'botbuilder';
import { cardTexts } from '../../delegations/delegation-card-texts';
import { parseDelegationCommand } from '../../delegations/delegation-service';
import type { Card } from '../../kernel/card-templates';
import type { Features } from '../features';
import {
  actorOf,
  adaptive,
  answerInvokeWithCard,
  conversationOf,
  isPersonal,
  personalOnly,
  rememberConversation,
  sendCard,
  type CardData,
} from '../turn';

/**
 * Delegations of authority in chat: "har jeg fullmakt til …?", "fullmakt <område>", "deleger",
 * "mine fullmakter", "bekreft fullmakt" (and in English), and the cards' own verbs that are no
 * record's pipeline (a choice of area, sending a form). Accept, decline, withdraw, confirm and
 * refuse are pipelines (routes/card-actions.ts). In the personal chat only.
 */
export function registerDelegations(app: Application<TurnState>, features: Features): void {
  const { delegations } = features;
  const isCommand = async (context: TurnContext) =>
    context.activity.type === 'message' &&
    parseDelegationCommand(context.activity.text) !== undefined;
  app.message(isCommand, async (context: TurnContext) => {
    await rememberConversation(context, features.conversations);
    const actor = actorOf(context);
    if (!isPersonal(context)) {
      await context.sendActivity(cardTexts(actor.language).personalOnly);
      return;
    }
    const command = parseDelegationCommand(context.activity.text);
    if (command) await sendCard(context, await delegations.run(actor, command));
  });

  /** The form's message becomes the grant's (or request's) card: remembered, so it follows. */
  const postedAt = (context: TurnContext) => {
    const activityId = context.activity.replyToId;
    return activityId ? { ...conversationOf(context), activityId } : undefined;
  };
  const pressed = (verb: string, run: (context: TurnContext, data: CardData) => Promise<Card>) =>
    app.adaptiveCards.actionExecute<CardData>(
      verb,
      personalOnly(async (context, _state, data) => {
        await rememberConversation(context, features.conversations);
        const card = await run(context, data);
        await answerInvokeWithCard(context, card);
        return adaptive(card);
      }),
    );
  pressed('delegation.ask', (context, data) => delegations.askArea(actorOf(context), data));
  pressed('delegation.submit', (context, data) =>
    delegations.submitDelegation(actorOf(context), data, postedAt(context)),
  );
  pressed('delegation.request', (context, data) =>
    delegations.submitRequest(actorOf(context), data, postedAt(context)),
  );
}
