import type { Application, TurnState } from '@microsoft/teams-ai';
import type { TurnContext } from 'botbuilder';
import { strings } from '../../i18n';
import type { Card } from '../../kernel/card-templates';
import type { Features } from '../features';
import {
  actorOf,
  adaptive,
  answerInvokeWithCard,
  isPersonal,
  personalOnly,
  rememberConversation,
  sendCard,
  type CardData,
} from '../turn';
import { phrase, typedAs, withArgument } from './typed-command';

/**
 * Tasks of cross-cutting processes in chat: "ny oppgave", "mine oppgaver", "oppgaver <prosess>",
 * "vis OPG-…" (and in English), and the form's "Opprett oppgave". The task card's own verbs go
 * through the tasks' card-action pipeline (routes/card-actions.ts). Personal chat only: a task
 * can name people and say what is in the way.
 */
export const TASK_COMMANDS = {
  form: phrase(['ny oppgave', 'new task']),
  mine: phrase(['mine oppgaver', 'my tasks']),
  ofProcess: withArgument('oppgaver|tasks'),
  show: withArgument('vis oppgave|show task'),
} as const;

export function registerTasks(app: Application<TurnState>, features: Features): void {
  const { tasks } = features;
  const typed = (run: (context: TurnContext) => Promise<Card>) => async (context: TurnContext) => {
    await rememberConversation(context, features.conversations);
    if (!isPersonal(context)) {
      await context.sendActivity(strings(actorOf(context).language).channelHint);
      return;
    }
    await sendCard(context, await run(context));
  };
  app.message(
    typedAs(TASK_COMMANDS.form),
    typed((c) => tasks.form(actorOf(c))),
  );
  app.message(
    typedAs(TASK_COMMANDS.mine),
    typed((c) => tasks.mine(actorOf(c))),
  );
  app.message(
    typedAs(TASK_COMMANDS.show),
    typed((c) => tasks.current(actorOf(c), TASK_COMMANDS.show.argument(c.activity.text) ?? '')),
  );
  app.message(
    typedAs(TASK_COMMANDS.ofProcess),
    typed((c) =>
      tasks.ofProcess(actorOf(c), TASK_COMMANDS.ofProcess.argument(c.activity.text) ?? ''),
    ),
  );

  app.adaptiveCards.actionExecute<CardData>(
    'task.create',
    personalOnly(async (context, _state, data) => {
      await rememberConversation(context, features.conversations);
      const card = await tasks.submit(actorOf(context), data);
      await answerInvokeWithCard(context, card);
      return adaptive(card);
    }),
  );
}
