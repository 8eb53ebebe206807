import type { Application, TurnState } from '@microsoft/teams-ai';
import { CardFactory, type TaskModuleTaskInfo, type TurnContext } from 'botbuilder';
import { fill, strings } from '../../i18n';
import { workTexts } from '../../i18n/work';
import { stringIn } from '../../kernel/card-data';
import type { Card } from '../../kernel/card-templates';
import type { Features } from '../features';
import { actorOf } from '../turn';

/** Message action "Meld avvik fra denne meldingen" (manifest commandId reportDeviationFromMessage). */
export const REPORT_FROM_MESSAGE = 'reportDeviationFromMessage';
/** Message action "Lag oppgave fra denne meldingen" (manifest commandId createTaskFromMessage). */
export const TASK_FROM_MESSAGE = 'createTaskFromMessage';

/** Teams sends the message as HTML; the form wants plain text. */
export function plainText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li)>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

interface MessagePayload {
  id?: unknown;
  body?: { content?: unknown };
}
const payloadOf = (context: TurnContext): MessagePayload | undefined =>
  (context.activity.value as { messagePayload?: MessagePayload } | undefined)?.messagePayload;

/** The plain text of the message the action was started from. */
const messageTextOf = (context: TurnContext) =>
  plainText(stringIn(payloadOf(context)?.body?.content));

/** Which Teams message the action came from, when Teams says so (ids of a sane length only). */
function messageRefOf(
  context: TurnContext,
): { conversationId: string; messageId: string } | undefined {
  const messageId = stringIn(payloadOf(context)?.id);
  const conversationId = stringIn(context.activity.conversation?.id);
  const sane = (id: string) => id !== '' && id.length <= MAX_ID_LENGTH;
  return sane(messageId) && sane(conversationId) ? { conversationId, messageId } : undefined;
}
const MAX_ID_LENGTH = 500;

const dialogOf = (title: string, card: Card): TaskModuleTaskInfo => ({
  title,
  card: CardFactory.adaptiveCard(card),
  width: 'large',
  height: 'large',
});

export function registerMessageAction(app: Application<TurnState>, features: Features): void {
  app.messageExtensions.fetchTask(
    REPORT_FROM_MESSAGE,
    async (context): Promise<TaskModuleTaskInfo> => {
      const card = await features.deviations.reportForm(actorOf(context), {
        prefillText: messageTextOf(context),
        dialog: true,
      });
      return dialogOf(strings(actorOf(context).language).form.title, card);
    },
  );

  app.messageExtensions.submitAction<Record<string, unknown>>(
    REPORT_FROM_MESSAGE,
    async (context, _state, data) => {
      const actor = actorOf(context);
      // The receipt goes to the reporter's personal chat, never to the chat the message came from.
      const inPersonalChat = await features.deviations.canReach(actor.id);
      const result = await features.deviations.submitReport(actor, data, {
        dialog: true,
        sendReceipt: inPersonalChat,
      });
      if (!result.ok) return dialogOf(strings(actor.language).form.title, result.card);
      if (inPersonalChat) return undefined;
      return fill(strings(actor.language).receipt.dialogDone, { ref: result.deviation.ref });
    },
  );

  // "Lag oppgave fra denne meldingen": the task form in a dialog, prefilled from the message;
  // sending it creates the task as "Opprett oppgave" does, and the dialog shows the task card
  // (or the form again with the reason).
  const taskTitle = (context: TurnContext) => workTexts(actorOf(context).language).taskForm.title;
  app.messageExtensions.fetchTask(
    TASK_FROM_MESSAGE,
    async (context): Promise<TaskModuleTaskInfo> => {
      const { card } = await features.tasks.formFromMessage(
        actorOf(context),
        messageTextOf(context),
      );
      return dialogOf(taskTitle(context), card);
    },
  );
  app.messageExtensions.submitAction<Record<string, unknown>>(
    TASK_FROM_MESSAGE,
    async (context, _state, data) => {
      const { card } = await features.tasks.create(actorOf(context), data, {
        dialog: true,
        fromMessage: messageRefOf(context),
      });
      return dialogOf(taskTitle(context), card);
    },
  );

  // Any other command (the manifest has no more): a short refusal instead of the SDK's 501.
  const unknownCommand = async (context: TurnContext) =>
    strings(actorOf(context).language).refusals.unknown_action;
  app.messageExtensions.fetchTask(/.*/, unknownCommand);
  app.messageExtensions.submitAction(/.*/, unknownCommand);
}
