import type { Application, TurnState } from '@microsoft/teams-ai';
import { CardFactory, type TaskModuleTaskInfo, type TurnContext } from 'botbuilder';
import { fill, strings } from '../../i18n';
import { stringIn } from '../../kernel/card-data';
import type { Features } from '../features';
import { actorOf } from '../turn';

/** Message action "Meld avvik fra denne meldingen" (manifest commandId reportDeviationFromMessage). */
export const REPORT_FROM_MESSAGE = 'reportDeviationFromMessage';

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

export function registerMessageAction(app: Application<TurnState>, features: Features): void {
  app.messageExtensions.fetchTask(
    REPORT_FROM_MESSAGE,
    async (context): Promise<TaskModuleTaskInfo> => {
      const payload = (
        context.activity.value as { messagePayload?: { body?: { content?: unknown } } }
      )?.messagePayload;
      const text = plainText(stringIn(payload?.body?.content));
      const card = await features.deviations.reportForm(actorOf(context), {
        prefillText: text,
        dialog: true,
      });
      return {
        title: strings(actorOf(context).language).form.title,
        card: CardFactory.adaptiveCard(card),
        width: 'large',
        height: 'large',
      };
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
      if (!result.ok) {
        return {
          title: strings(actor.language).form.title,
          card: CardFactory.adaptiveCard(result.card),
          width: 'large',
          height: 'large',
        };
      }
      if (inPersonalChat) return undefined;
      return fill(strings(actor.language).receipt.dialogDone, { ref: result.deviation.ref });
    },
  );

  // Any other command (the manifest has none): a short refusal instead of the SDK's 501.
  const unknownCommand = async (context: TurnContext) =>
    strings(actorOf(context).language).refusals.unknown_action;
  app.messageExtensions.fetchTask(/.*/, unknownCommand);
  app.messageExtensions.submitAction(/.*/, unknownCommand);
}
