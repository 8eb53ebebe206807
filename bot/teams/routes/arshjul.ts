import type { Application, TurnState } from '@microsoft/teams-ai';
import type { TurnContext } from 'botbuilder';
import { parseArshjulCommand } from '../../arshjul/arshjul-service';
import { strings } from '../../i18n';
import type { Features } from '../features';
import { actorOf, isPersonal, rememberConversation, sendCard } from '../turn';

/**
 * The årshjul's typed commands: "årshjul", "årshjul mars", "årshjul status", "årshjul kalender",
 * "mine frister" (and in English). In the personal chat only: the calendar link is a secret,
 * and a person's deadlines are their own.
 */
export function registerArshjul(app: Application<TurnState>, features: Features): void {
  const isCommand = async (context: TurnContext) =>
    context.activity.type === 'message' && parseArshjulCommand(context.activity.text) !== undefined;
  app.message(isCommand, async (context: TurnContext) => {
    await rememberConversation(context, features.conversations);
    const actor = actorOf(context);
    if (!isPersonal(context)) {
      await context.sendActivity(strings(actor.language).arshjul.personalOnly);
      return;
    }
    const command = parseArshjulCommand(context.activity.text);
    if (command) await sendCard(context, await features.arshjul.run(actor, command));
  });
}
