import type { Application, TurnState } from '@microsoft/teams-ai';
import { stringIn } from '../../kernel/card-data';
import type { Features } from '../features';
import {
  actorOf,
  adaptive,
  answerInvokeWithCard,
  conversationOf,
  personalOnly,
  rememberConversation,
  saveDraft,
  sendCard,
  type CardData,
} from '../turn';

/**
 * The deviation cards' own verbs: submitting the report form, refresh, lists and "Vis". The
 * handler card's verbs (take, close, …) go through the card-action pipeline (card-actions.ts).
 */
export function registerDeviationCards(app: Application<TurnState>, features: Features): void {
  const { deviations } = features;

  app.adaptiveCards.actionExecute<CardData>(
    'deviation.submit',
    personalOnly(async (context, state, data) => {
      await rememberConversation(context, features.conversations);
      const receiptId = context.activity.replyToId;
      const result = await deviations.submitReport(actorOf(context), data, {
        // The receipt replaces the form's message: remembered with the report, so it follows the case.
        receiptPostedAt: receiptId
          ? { ...conversationOf(context), activityId: receiptId }
          : undefined,
      });
      if (!result.ok) {
        // Nothing lost: the draft also survives in user state if the card is closed. (A
        // refusal without one leaves the state alone: a draft of a form that was filed is
        // dropped when the next form is asked for, commands.ts.)
        if (result.draft) saveDraft(state, { values: result.draft, formId: result.formId });
        return adaptive(result.card);
      }
      // The receipt answers the invoke at once; the outbox puts it in the form's message too.
      await answerInvokeWithCard(context, result.card);
      return adaptive(result.card);
    }),
  );

  // Refresh answers only the viewer; it must not overwrite the card for everybody.
  app.adaptiveCards.actionExecute<CardData>(
    'deviation.refresh',
    personalOnly(async (context, _state, data) => {
      const view = data.view === 'receipt' ? 'receipt' : 'handler';
      const card = await deviations.currentCard(actorOf(context), stringIn(data.ref), view);
      await answerInvokeWithCard(context, card);
      return adaptive(card);
    }),
  );

  app.adaptiveCards.actionExecute<CardData>(
    'deviation.list',
    personalOnly(async (context, _state, data) => {
      const list = data.list === 'open' ? 'open' : 'mine';
      const page = Number.isInteger(Number(data.page)) ? Number(data.page) : 1;
      const card = await deviations.list(actorOf(context), list, page);
      await answerInvokeWithCard(context, card);
      return adaptive(card);
    }),
  );

  app.adaptiveCards.actionExecute<CardData>(
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
}
