import type { Application, TurnState } from '@microsoft/teams-ai';
import type { TurnContext } from 'botbuilder';
import { strings } from '../../i18n';
import { stringIn } from '../../kernel/card-data';
import { notice } from '../../kernel/card-templates';
import type { Features } from '../features';
import { actorOf, adaptive, answerInvokeWithCard, personalOnly, type CardData } from '../turn';

/**
 * Action.Execute verbs of every feature's card-action pipeline. Case cards live in personal
 * chats only (their content may be sensitive). Registering a new feature is adding its
 * pipeline to `features.cardActions`; nothing here changes.
 */
export function registerCardActions(app: Application<TurnState>, features: Features): void {
  for (const pipeline of features.cardActions) {
    app.adaptiveCards.actionExecute<CardData>(
      [...pipeline.verbs],
      personalOnly(async (context, _state, data) => {
        const verb = stringIn(
          (context.activity.value as { action?: { verb?: string } })?.action?.verb,
        );
        const card = await pipeline.act(actorOf(context), verb, data, {
          actionId: context.activity.id ?? '',
          conversationId: context.activity.conversation.id,
          activityId: context.activity.replyToId,
        });
        // The presser sees the new card at once; the outbox updates every posted copy (this
        // one too) after, so the answer never waits for the connector.
        await answerInvokeWithCard(context, card);
        return adaptive(card);
      }),
    );
  }
}

/**
 * Registered last: any other verb gets a refusal, not the SDK's empty 501; so does a card
 * action of another type than Action.Execute (teams-ai routes Action.Execute only).
 */
export function registerUnknownActions(app: Application<TurnState>): void {
  const refuse = async (context: TurnContext) => {
    const card = notice(strings(actorOf(context).language).refusals.unknown_action);
    await answerInvokeWithCard(context, card);
    return adaptive(card);
  };
  app.adaptiveCards.actionExecute<CardData>(/.*/, refuse);
  const notExecute = async (context: TurnContext) =>
    context.activity.type === 'invoke' &&
    context.activity.name === 'adaptiveCard/action' &&
    (context.activity.value as { action?: { type?: unknown } })?.action?.type !== 'Action.Execute';
  app.addRoute(
    notExecute,
    async (context) => {
      await refuse(context);
    },
    true,
  );
}
