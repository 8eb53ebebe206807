import { Application, TeamsAdapter, TurnState } from '@microsoft/teams-ai';
import { ConfigurationServiceClientCredentialFactory, type TurnContext } from 'botbuilder';
import type { Settings } from '../app/config';
import { log } from '../app/log';
import { strings } from '../i18n';
import type { StateStore } from '../store/state-store';
import type { Features } from './features';
import { registerChannels } from './routes/channels';
import { registerCommands, registerFallback } from './routes/commands';
import { registerArshjul } from './routes/arshjul';
import { registerDelegations } from './routes/delegations';
import { registerTasks } from './routes/tasks';
import { registerCardActions, registerUnknownActions } from './routes/card-actions';
import { registerDeviationCards } from './routes/deviation-cards';
import { registerInstall } from './routes/install';
import { registerMessageAction } from './routes/message-action';
import { TableStorage } from './table-storage';
import { TeamsDelivery } from './teams-delivery';
import { actorOf, answerInvokeWithCard } from './turn';
import { notice } from '../kernel/card-templates';

/** The Teams edge: the only place that knows botbuilder and teams-ai. */
export interface TeamsBot {
  adapter: TeamsAdapter;
  app: Application<TurnState>;
  delivery: TeamsDelivery;
}

export function createAdapter(settings: Settings): TeamsAdapter {
  const { BOT_PASSWORD: secret = '' } = settings; // from the environment, never committed
  const auth = {
    MicrosoftAppId: settings.BOT_ID ?? '',
    MicrosoftAppPassword: secret,
    // Without an app id (local Playground, tests) authentication is off; SingleTenant would demand an id.
    MicrosoftAppType: settings.BOT_ID ? settings.BOT_TYPE : 'MultiTenant',
    MicrosoftAppTenantId: settings.BOT_TENANT_ID ?? '',
  };
  return new TeamsAdapter(auth, new ConfigurationServiceClientCredentialFactory(auth));
}

/** Adapter and delivery first (the features need delivery), then the app with its routes. */
export function createTeamsEdge(settings: Settings) {
  const adapter = createAdapter(settings);
  const delivery = new TeamsDelivery(adapter, settings.BOT_ID ?? '');
  return {
    adapter,
    delivery,
    buildApp(stateStore: StateStore, features: Features): TeamsBot {
      return { adapter, delivery, app: buildApplication(settings, adapter, stateStore, features) };
    },
  };
}

/** The card verbs whose handlers read saved state: the help card's buttons run commands. */
const VERBS_READING_STATE = new Set(['command.run']);

/**
 * Turn state that is read from the table only for turns that look at it: messages (a command
 * such as "meld avvik" restores a report draft) and the help card's buttons. Other card
 * actions and invokes skip the read: one table operation less on every button press. What
 * such a turn does save (a draft after a failed submit) is still written, merged with the
 * stored document when one exists (state-store.ts).
 */
class StateWhenRead extends TurnState {
  load(context: TurnContext, storage?: Parameters<TurnState['load']>[1]): Promise<boolean> {
    const { type, value } = context.activity as { type: string; value?: unknown };
    const verb = (value as { action?: { verb?: unknown } } | undefined)?.action?.verb;
    const reads = type !== 'invoke' || (typeof verb === 'string' && VERBS_READING_STATE.has(verb));
    return super.load(context, reads ? storage : undefined);
  }
}

function buildApplication(
  settings: Settings,
  adapter: TeamsAdapter,
  stateStore: StateStore,
  features: Features,
): Application<TurnState> {
  const app = new Application<TurnState>({
    adapter,
    botAppId: settings.BOT_ID ?? '',
    // User state holds the unsent report draft; nothing is kept per conversation.
    storage: new TableStorage(stateStore, (key) => !key.includes('/conversations/')),
    turnStateFactory: () => new StateWhenRead(),
    removeRecipientMention: true,
    startTypingTimer: false,
  });

  registerInstall(app, features);
  registerCommands(app, features);
  registerArshjul(app, features);
  registerDelegations(app, features);
  registerTasks(app, features);
  // Before registerUnknownActions (a catch-all verb) and registerFallback (any message).
  registerChannels(app, features);
  registerDeviationCards(app, features);
  registerCardActions(app, features);
  registerUnknownActions(app);
  registerMessageAction(app, features);
  registerFallback(app, features);

  app.error(async (context: TurnContext, error: Error) => {
    // Ids only: the activity may carry deviation text.
    log.error(
      {
        err: { message: error.message, stack: error.stack },
        activityId: context.activity.id,
        type: context.activity.type,
      },
      'turn failed',
    );
    const text = strings(actorOf(context).language).errors.generic;
    if (context.activity.type === 'message') {
      await context.sendActivity(text).catch(() => undefined);
    } else if (
      context.activity.type === 'invoke' &&
      context.activity.name === 'adaptiveCard/action'
    ) {
      // The card stays usable: the user sees why nothing happened and can press again.
      await answerInvokeWithCard(context, notice(text)).catch(() => undefined);
    } else if (context.activity.type === 'invoke') {
      await context
        .sendActivity({ type: 'invokeResponse', value: { status: 503 } })
        .catch(() => undefined);
    }
  });
  return app;
}
