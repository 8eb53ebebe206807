import type { Application, TurnState } from '@microsoft/teams-ai';
import type { TurnContext } from 'botbuilder';
import { strings } from '../../i18n';
import { renderCard, type Card } from '../../kernel/card-templates';
import type { Features } from '../features';
import {
  actorOf,
  adaptive,
  answerInvokeWithCard,
  isPersonal,
  personalOnly,
  rememberConversation,
  saveDraft,
  savedDraft,
  sendCard,
  type CardData,
} from '../turn';
import { phrase, typedAs, withArgument } from './typed-command';

/** Typed chat commands, in Norwegian and English (manifest command lists name the same). */
export const COMMANDS = {
  report: phrase([
    'meld avvik',
    'meld et avvik',
    'avvik',
    'nytt avvik',
    'report deviation',
    'report a deviation',
    'new deviation',
  ]),
  mine: phrase(['mine avvik', 'my deviations']),
  open: phrase(['åpne avvik', 'apne avvik', 'open deviations']),
  history: withArgument('historikk|history'),
  help: phrase(['hjelp', 'help', 'hei', 'hallo', 'hello', 'hi', 'start', '?']),
} as const;

/** The commands that take no argument: typed, or pressed on the help card (`command.run`). */
const PLAIN_COMMANDS = ['report', 'mine', 'open', 'help'] as const;
export type CommandName = (typeof PLAIN_COMMANDS)[number];

export function helpCard(context: TurnContext): Card {
  return renderCard('common/help', { t: strings(actorOf(context).language).help });
}

/** Runs a command and returns the card to send; shared by typed text and help-card buttons. */
async function runCommand(
  context: TurnContext,
  state: TurnState,
  features: Features,
  command: CommandName,
): Promise<Card> {
  const actor = actorOf(context);
  switch (command) {
    case 'report': {
      const saved = savedDraft(state);
      // A draft whose form was filed since is stale: the next report starts empty.
      if (saved?.formId && (await features.deviations.draftFiled(actor, saved.formId))) {
        saveDraft(state, undefined);
        return features.deviations.reportForm(actor);
      }
      return features.deviations.reportForm(actor, {
        draft: saved?.values,
        formId: saved?.formId,
      });
    }
    case 'mine':
      return features.deviations.list(actor, 'mine');
    case 'open':
      return features.deviations.list(actor, 'open');
    case 'help':
      return helpCard(context);
  }
}

/**
 * Deviation content and lists stay in the personal chat: elsewhere the user gets a pointer.
 * Returns true when the command may run here.
 */
async function inPersonalChat(context: TurnContext): Promise<boolean> {
  if (isPersonal(context)) return true;
  await context.sendActivity(strings(actorOf(context).language).channelHint);
  return false;
}

export function registerCommands(app: Application<TurnState>, features: Features): void {
  const typed =
    (command: CommandName) =>
    async (context: TurnContext, state: TurnState): Promise<void> => {
      await rememberConversation(context, features.conversations);
      if (command !== 'help' && !(await inPersonalChat(context))) return;
      await sendCard(context, await runCommand(context, state, features, command));
    };
  for (const command of PLAIN_COMMANDS) app.message(typedAs(COMMANDS[command]), typed(command));

  app.message(typedAs(COMMANDS.history), async (context) => {
    await rememberConversation(context, features.conversations);
    if (!(await inPersonalChat(context))) return;
    const refText = COMMANDS.history.argument(context.activity.text) ?? '';
    await sendCard(context, await features.deviations.history(actorOf(context), refText));
  });

  // The help card's buttons: run the command, keep the help card as it was.
  app.adaptiveCards.actionExecute<CardData>(
    'command.run',
    personalOnly(async (context, state, data) => {
      const command = PLAIN_COMMANDS.find((c) => c === data.command);
      if (command) await sendCard(context, await runCommand(context, state, features, command));
      const card = helpCard(context);
      await answerInvokeWithCard(context, card);
      return adaptive(card);
    }),
  );
}

/** Anything else: a short hint, registered last so it never hides a command. */
export function registerFallback(app: Application<TurnState>, features: Features): void {
  app.activity('message', async (context) => {
    await rememberConversation(context, features.conversations);
    await context.sendActivity(strings(actorOf(context).language).unknownCommand);
  });
}
