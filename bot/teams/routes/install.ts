import type { Application, TurnState } from '@microsoft/teams-ai';
import { stringIn } from '../../kernel/card-data';
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
    const members: unknown[] = context.activity.membersAdded ?? [];
    // A list with anything but accounts in it is no install Teams sent: ignored.
    if (!members.every(isAccount)) return;
    const botAdded = members.some((m) => isAccount(m) && m.id === botId);
    if (!botAdded && !isPersonal(context)) return;
    await rememberConversation(context, features.conversations);
    if (isPersonal(context)) await sendCard(context, helpCard(context));
  });

  app.activity('installationUpdate', async (context) => {
    const action = stringIn((context.activity as { action?: unknown }).action);
    if (action.startsWith('add')) await rememberConversation(context, features.conversations);
    // Uninstalled from personal scope: stop routing cards there (the line above takes over).
    if (action.startsWith('remove') && isPersonal(context)) {
      const from = context.activity.from;
      await features.conversations.forgetUser(from.aadObjectId || from.id);
    }
  });
}

function isAccount(member: unknown): member is { id: string } {
  return typeof (member as { id?: unknown } | null)?.id === 'string';
}
