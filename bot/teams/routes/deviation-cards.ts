import type { AdaptiveCard, Application, TurnState } from '@microsoft/teams-ai';
import type { TurnContext } from 'botbuilder';
import { notice } from '../../kernel/card-templates';
import { stringIn } from '../../kernel/card-data';
import { strings } from '../../i18n';
import { DEVIATION_ACTION_VERBS } from '../../deviations/deviation-service';
import type { Features } from '../features';
import {
  actorOf,
  adaptive,
  answerInvokeWithCard,
  conversationOf,
  isPersonal,
  rememberConversation,
  saveDraft,
  sendCard,
} from '../turn';
import { helpCard, runCommand, type CommandName } from './commands';

type Data = Record<string, unknown>;

type Handler = (context: TurnContext, state: TurnState, data: Data) => Promise<AdaptiveCard>;

/**
 * Deviation cards live in personal chats only. A card action arriving from a group chat or a
 * channel (a forwarded or forged invoke) is answered with a pointer, for the presser alone:
 * a returned case card would otherwise replace a message everybody there can read.
 */
function personalOnly(handler: Handler): Handler {
  return async (context, state, data) => {
    if (isPersonal(context)) return handler(context, state, data);
    const card = notice(strings(actorOf(context).language).channelHint, '', 'Default');
    await answerInvokeWithCard(context, card);
    return adaptive(card);
  };
}

/** Action.Execute verbs of the deviation cards (Universal Actions). */
export function registerDeviationCards(app: Application<TurnState>, features: Features): void {
  const { deviations } = features;

  app.adaptiveCards.actionExecute<Data>(
    'deviation.submit',
    personalOnly(async (context, state, data) => {
      await rememberConversation(context, features.conversations);
      const result = await deviations.submitReport(actorOf(context), data);
      if (!result.ok) {
        // Nothing lost: the draft also survives in user state if the card is closed.
        saveDraft(state, result.draft);
        return adaptive(result.card);
      }
      saveDraft(state, undefined);
      if (context.activity.replyToId) {
        await deviations.rememberReceipt(result.deviation, {
          ...conversationOf(context),
          activityId: context.activity.replyToId,
        });
      }
      return adaptive(result.card);
    }),
  );

  app.adaptiveCards.actionExecute<Data>(
    DEVIATION_ACTION_VERBS,
    personalOnly(async (context, _state, data) => {
      const verb = stringIn(
        (context.activity.value as { action?: { verb?: string } })?.action?.verb,
      );
      const card = await deviations.act(actorOf(context), verb, data, {
        actionId: context.activity.id ?? '',
        conversationId: context.activity.conversation.id,
        activityId: context.activity.replyToId,
      });
      return adaptive(card);
    }),
  );

  // Refresh answers only the viewer; it must not overwrite the card for everybody.
  app.adaptiveCards.actionExecute<Data>(
    'deviation.refresh',
    personalOnly(async (context, _state, data) => {
      const view = data.view === 'receipt' ? 'receipt' : 'handler';
      const card = await deviations.currentCard(actorOf(context), stringIn(data.ref), view);
      await answerInvokeWithCard(context, card);
      return adaptive(card);
    }),
  );

  app.adaptiveCards.actionExecute<Data>(
    'deviation.list',
    personalOnly(async (context, _state, data) => {
      const list = data.list === 'open' ? 'open' : 'mine';
      const page = Number.isInteger(Number(data.page)) ? Number(data.page) : 1;
      const card = await deviations.list(actorOf(context), list, page);
      await answerInvokeWithCard(context, card);
      return adaptive(card);
    }),
  );

  app.adaptiveCards.actionExecute<Data>(
    'deviation.show',
    personalOnly(async (context, _state, data) => {
      const actor = actorOf(context);
      const ref = stringIn(data.ref);
      const card = await deviations.currentCard(actor, ref);
      const activityId = await sendCard(context, card);
      if (activityId && card.refresh)
        await deviations.rememberCopy(ref, actor.id, { ...conversationOf(context), activityId });
      const list = data.list === 'open' ? 'open' : 'mine';
      const listCard = await deviations.list(actor, list, Number(data.page) || 1);
      await answerInvokeWithCard(context, listCard);
      return adaptive(listCard);
    }),
  );

  app.adaptiveCards.actionExecute<Data>(
    'command.run',
    personalOnly(async (context, state, data) => {
      const command = (['report', 'mine', 'open', 'help'] as const).find(
        (c) => c === data.command,
      ) as CommandName | undefined;
      if (command) await sendCard(context, await runCommand(context, state, features, command));
      const card = helpCard(context);
      await answerInvokeWithCard(context, card);
      return adaptive(card);
    }),
  );

  // Registered last: any other verb gets a refusal, not the SDK's empty 501.
  app.adaptiveCards.actionExecute<Data>(/.*/, async (context: TurnContext) => {
    const card = notice(strings(actorOf(context).language).refusals.unknown_action);
    await answerInvokeWithCard(context, card);
    return adaptive(card);
  });
}
