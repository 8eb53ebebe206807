import { createTeamsEdge } from '../teams/bot-app';
import { composeBot, type ComposeOptions } from './compose';
import { readSettings, SettingsError, type Settings } from './config';
import { localEnvironment, localSigningSecret, operatorLocation } from './local';

/**
 * What the operator commands (scheduler:tick, arshjul:*) share: the settings, read as the local
 * demo reads them (a bad one ends the command with exit code 2, every problem named), and the
 * bot composed against the configured store (else the local Azurite of `npm start`) with the
 * real Teams delivery.
 */
export function operatorSettings(): Settings {
  try {
    return readSettings(localEnvironment());
  } catch (err) {
    if (err instanceof SettingsError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
}

export function composeForOperator(
  settings: Settings,
  options: Pick<ComposeOptions, 'clock' | 'onSettled'> = {},
) {
  return composeBot({
    settings,
    location: operatorLocation(settings),
    cardSigningSecret: settings.CARD_SIGNING_SECRET ?? localSigningSecret(),
    delivery: createTeamsEdge(settings).delivery,
    ...options,
  });
}
