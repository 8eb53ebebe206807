import { readSettings, SettingsError } from './config';
import { startBot, tablesLocationFrom } from './host';
import { log } from './log';
import { startTelemetry } from './telemetry';

/** Production entry: everything from the environment; refuses to start on a bad setting. */
async function main(): Promise<void> {
  let settings;
  try {
    settings = readSettings(process.env, { production: true });
  } catch (err) {
    if (err instanceof SettingsError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  startTelemetry(settings.APPLICATIONINSIGHTS_CONNECTION_STRING);
  const bot = await startBot({
    settings,
    location: tablesLocationFrom(settings),
    // Present: readSettings in production mode refuses to return without it.
    cardSigningSecret: settings.CARD_SIGNING_SECRET!,
  });
  const stop = async (signal: string) => {
    log.info({ signal }, 'shutting down: finishing in-flight turns');
    // Bounded whatever happens: the platform kills a process that does not stop, and a stop
    // that hangs should say so in the log rather than be killed silently.
    setTimeout(() => {
      log.error({ signal }, 'shutdown did not finish within 25 s: exiting');
      process.exit(1);
    }, 25_000).unref();
    await bot.close(10000);
    log.info({ signal }, 'stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((err) => {
  log.fatal({ err: (err as Error).message }, 'bot failed to start');
  process.exit(1);
});
