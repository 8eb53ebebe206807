import type { Application, TurnState } from '@microsoft/teams-ai';
import type { TurnContext } from 'botbuilder';
import { strings } from '../../i18n';
import type { Actor } from '../../kernel/actor';
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
 * Cross-cutting processes and their tasks in chat: "prosesser", "prosess <navn>", "ny oppgave",
 * "mine oppgaver", "oppgaver <prosess>", "vis oppgave OPG-…" (and in English), and the form's
 * "Opprett oppgave". The task card's own verbs go
 * through the tasks' card-action pipeline (routes/card-actions.ts). Personal chat only: a task
 * can name people and say what is in the way.
 */
export const TASK_COMMANDS = {
  form: phrase(['ny oppgave', 'new task']),
  mine: phrase(['mine oppgaver', 'my tasks']),
  ofProcess: withArgument('oppgaver|tasks'),
  show: withArgument('vis oppgave|show task'),
  processes: phrase(['prosesser', 'processes']),
  process: withArgument('prosess|process'),
  newProject: phrase(['nytt prosjekt', 'new project']),
  projects: phrase(['prosjekter', 'projects']),
  project: withArgument('prosjekt|project'),
  newVedtak: phrase(['nytt vedtak', 'new decision']),
  vedtak: phrase(['vedtak', 'decisions']),
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

  app.message(
    typedAs(TASK_COMMANDS.processes),
    typed((c) => features.processes.list(actorOf(c))),
  );
  app.message(
    typedAs(TASK_COMMANDS.process),
    typed((c) =>
      features.processes.show(actorOf(c), TASK_COMMANDS.process.argument(c.activity.text) ?? ''),
    ),
  );

  const { projects } = features;
  app.message(
    typedAs(TASK_COMMANDS.newProject),
    typed((c) => projects.form(actorOf(c))),
  );
  app.message(
    typedAs(TASK_COMMANDS.projects),
    typed((c) => projects.list(actorOf(c))),
  );
  app.message(
    typedAs(TASK_COMMANDS.project),
    typed((c) => projects.show(actorOf(c), TASK_COMMANDS.project.argument(c.activity.text) ?? '')),
  );

  app.message(
    typedAs(TASK_COMMANDS.newVedtak),
    typed((c) => features.vedtak.form(actorOf(c))),
  );
  app.message(
    typedAs(TASK_COMMANDS.vedtak),
    typed((c) => features.vedtak.list(actorOf(c))),
  );

  const submitted = (verb: string, run: (actor: Actor, data: CardData) => Promise<Card>) =>
    app.adaptiveCards.actionExecute<CardData>(
      verb,
      personalOnly(async (context, _state, data) => {
        await rememberConversation(context, features.conversations);
        const card = await run(actorOf(context), data);
        await answerInvokeWithCard(context, card);
        return adaptive(card);
      }),
    );
  submitted('task.create', (actor, data) => tasks.submit(actor, data));
  submitted('project.create', (actor, data) => projects.create(actor, data));
  submitted('vedtak.create', (actor, data) => features.vedtak.create(actor, data));
}
