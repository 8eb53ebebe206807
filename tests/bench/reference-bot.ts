import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import restify from 'restify';
import { Application, TeamsAdapter, type TurnState } from '@microsoft/teams-ai';
import { ConfigurationServiceClientCredentialFactory, MemoryStorage } from 'botbuilder';
import { isConflict } from '../../bot/store/errors';
import { openTables, type StorageOperation, type TablesLocation } from '../../bot/store/tables';

/**
 * The floor for `npm run bench -- --mode reference`: the smallest bot on the SAME stack as ours
 * (restify + botbuilder CloudAdapter via teams-ai's TeamsAdapter, authentication off as in the
 * tests + a teams-ai Application) whose `deviation.submit` handler does exactly ONE table write
 * (createEntity in the same Azurite) and answers with a small card. TurnState lives in a
 * MemoryStorage, so state costs no I/O: this is what the stack costs when the application does
 * (almost) nothing. Benchmark only; the bot itself never uses MemoryStorage.
 */
export interface ReferenceBot {
  url: string;
  /** Submits stored so far (one table write each). */
  stored(): number;
  close(): Promise<void>;
}

export interface ReferenceBotOptions {
  location: TablesLocation;
  /** Table prefix of its own (its one table is `<prefix>Deviations`). */
  prefix: string;
  onStorageOperation?: (op: StorageOperation) => void;
}

export async function startReferenceBot(options: ReferenceBotOptions): Promise<ReferenceBot> {
  const tables = openTables(options.location, options.prefix, {
    onOperation: options.onStorageOperation,
  });
  const table = tables.client('Deviations');
  await table.createTable().catch((err) => {
    if (!isConflict(err)) throw err;
  });

  const auth = {
    MicrosoftAppId: '',
    MicrosoftAppPassword: '',
    MicrosoftAppType: 'MultiTenant',
    MicrosoftAppTenantId: '',
  };
  const adapter = new TeamsAdapter(auth, new ConfigurationServiceClientCredentialFactory(auth));
  const app = new Application<TurnState>({
    adapter,
    botAppId: '',
    storage: new MemoryStorage(),
    startTypingTimer: false,
  });

  let count = 0;
  let written = 0;
  const year = new Date().getFullYear();
  app.adaptiveCards.actionExecute<Record<string, unknown>>(
    'deviation.submit',
    async (context, _state, data) => {
      count += 1;
      const ref = `AVV-${year}-${String(count).padStart(4, '0')}`;
      const text = (v: unknown) => (typeof v === 'string' ? v.slice(0, 4000) : '');
      // The one table write.
      await table.createEntity({
        partitionKey: ref,
        rowKey: 'record',
        formId: text(data.formId),
        reporterId: context.activity.from.aadObjectId ?? context.activity.from.id,
        type: text(data.type),
        categoryId: text(data.categoryId),
        unitId: text(data.unitId),
        severity: text(data.severity),
        description: text(data.description),
        createdAt: new Date().toISOString(),
      });
      written += 1;
      return {
        type: 'AdaptiveCard',
        $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
        version: '1.5',
        body: [{ type: 'TextBlock', text: `Mottatt: ${ref}`, wrap: true }],
      };
    },
  );

  const server = restify.createServer({ name: 'reference', handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ mapParams: false, mapFiles: false }));
  server.post('/api/messages', async (req, res) => {
    await adapter.process(req, res as never, (context) => app.run(context).then(() => undefined));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stored: () => written,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.server.closeAllConnections?.();
      await closed;
    },
  };
}

/** A random id, for callers that want one per run. */
export const referencePrefix = () => `r${crypto.randomBytes(5).toString('hex')}`;
