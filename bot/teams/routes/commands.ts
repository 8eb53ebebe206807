import type { Application, TurnState } from '@microsoft/teams-ai';
import type { TurnContext } from 'botbuilder';
import { renderCard, type Card } from '../../kernel/card-templates';
import { strings } from '../../i18n';
import type { Features } from '../features';
import { actorOf, isPersonal, rememberConversation, savedDraft, sendCard } from '../turn';

/** Typed chat commands, in Norwegian and English (manifest command lists name the same). */
export const COMMANDS = {
  report:
    /^\s*(meld avvik|meld et avvik|avvik|nytt avvik|report deviation|report a deviation|new deviation)\s*[.!]?\s*$/i,
  mine: /^\s*(mine avvik|my deviations)\s*$/i,
  open: /^\s*(åpne avvik|apne avvik|open deviations)\s*$/i,
  history: /^\s*(historikk|history)\b(.*)$/i,
  help: /^\s*(hjelp|help|hei|hallo|hello|hi|start|\?)\s*[.!]?\s*$/i,
} as const;

export type CommandName = 'report' | 'mine' | 'open' | 'help';

export function helpCard(context: TurnContext): Card {
  return renderCard('common/help', { t: strings(actorOf(context).language).help });
}

/** Runs a command and returns the card to send; shared by typed text and help-card buttons. */
export async function runCommand(
  context: TurnContext,
  state: TurnState,
  features: Features,
  command: CommandName,
): Promise<Card> {
  const actor = actorOf(context);
  switch (command) {
    case 'report':
      return features.deviations.reportForm(actor, { draft: savedDraft(state) });
    case 'mine':
      return features.deviations.list(actor, 'mine');
    case 'open':
      return features.deviations.list(actor, 'open');
    case 'help':
      return helpCard(context);
  }
}

export function registerCommands(app: Application<TurnState>, features: Features): void {
  const guarded =
    (command: CommandName) =>
    async (context: TurnContext, state: TurnState): Promise<void> => {
      await rememberConversation(context, features.conversations);
      // Deviation content and lists stay in the personal chat: a channel sees only a pointer.
      if (command !== 'help' && !isPersonal(context)) {
        await context.sendActivity(strings(actorOf(context).language).channelHint);
        return;
      }
      await sendCard(context, await runCommand(context, state, features, command));
    };

  app.message(COMMANDS.report, guarded('report'));
  app.message(COMMANDS.mine, guarded('mine'));
  app.message(COMMANDS.open, guarded('open'));
  app.message(COMMANDS.help, guarded('help'));
  app.message(COMMANDS.history, async (context) => {
    await rememberConversation(context, features.conversations);
    if (!isPersonal(context)) {
      await context.sendActivity(strings(actorOf(context).language).channelHint);
      return;
    }
    const match = COMMANDS.history.exec(context.activity.text ?? '');
    await sendCard(
      context,
      await features.deviations.history(actorOf(context), (match?.[2] ?? '').trim()),
    );
  });
}

/** Anything else: a short hint, registered last so it never hides a command. */
export function registerFallback(app: Application<TurnState>, features: Features): void {
  app.activity('message', async (context) => {
    await rememberConversation(context, features.conversations);
    await context.sendActivity(strings(actorOf(context).language).unknownCommand);
  });
}
