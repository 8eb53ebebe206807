import type { Application, TurnState } from '@microsoft/teams-ai';
import type { Features } from '../features';
import { isPersonal, rememberConversation, sendCard } from '../turn';
import { helpCard } from './commands';

/**
 * Install: remember how to reach the user or team (proactive cards need it) and greet with the
 * help card in personal chat. Teams sends conversationUpdate and/or installationUpdate.
 */
export function registerInstall(app: Application<TurnState>, features: Features): void {
  app.conversationUpdate('membersAdded', async (context) => {
    const botId = context.activity.recipient.id;
    const botAdded = (context.activity.membersAdded ?? []).some((m) => m.id === botId);
    if (!botAdded && !isPersonal(context)) return;
    await rememberConversation(context, features.conversations);
    if (isPersonal(context)) await sendCard(context, helpCard(context));
  });

  app.activity('installationUpdate', async (context) => {
    const action = (context.activity as { action?: string }).action ?? '';
    if (action.startsWith('add')) await rememberConversation(context, features.conversations);
    // Uninstalled from personal scope: stop routing cards there (the line above takes over).
    if (action.startsWith('remove') && isPersonal(context)) {
      const from = context.activity.from;
      await features.conversations.forgetUser(from.aadObjectId || from.id);
    }
  });
}
