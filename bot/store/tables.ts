import {
  odata,
  TableClient,
  TableServiceClient,
  AzureNamedKeyCredential,
  type TableEntity,
} from '@azure/data-tables';
import { DefaultAzureCredential } from '@azure/identity';
import { isConflict, unlessNotFound } from './errors';

/** Where the tables live: Azurite locally, Azure Tables in production. */
export type TablesLocation =
  | { kind: 'connectionString'; connectionString: string }
  | { kind: 'endpoint'; endpoint: string }
  | { kind: 'azurite'; url: string };

export const AZURITE_ACCOUNT = 'devstoreaccount1';
// The well-known, public development key of Azurite and the Azure Storage emulator.
export const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export const TABLE_NAMES = [
  'Org',
  'Deviations',
  'DeviationIndex',
  'Counters',
  'Claims',
  'PostedCards',
  'Outbox',
  'Schedule',
  'Conversations',
  'Subscriptions',
  'BotState',
  'Arshjul',
  'Limits',
  'Privacy',
  'Delegations',
  'Processes',
  'Projects',
  'Tasks',
  'Vedtak',
] as const;
export type TableName = (typeof TABLE_NAMES)[number];

export interface Tables {
  client(name: TableName): TableClient;
  /** Creates every table that does not exist yet. */
  ensure(): Promise<void>;
  /** True when the service answers. */
  ping(): Promise<boolean>;
}

/** One HTTP request to the table service, as `openTables`' `onOperation` hook sees it. */
export interface StorageOperation {
  /** The logical table (`Deviations`, …) of a TableClient; `Tables` for the service client. */
  table: string;
  /** The HTTP method sent: GET, POST, PUT, PATCH, MERGE, DELETE. */
  method: string;
  kind: StorageOperationKind;
  /** For a batch: how many entity operations it carries (it is still one round trip). */
  entities?: number;
}

/**
 * read: GET of one entity by its keys · query: GET with $filter or a listing (each page is
 * one) · insert: POST of an entity · update: PUT/PATCH/MERGE with If-Match (etag or '*') ·
 * upsert: PUT/PATCH/MERGE without If-Match · delete: DELETE of an entity · batch: POST
 * $batch, an entity-group transaction (one operation) · createTable / deleteTable.
 */
export type StorageOperationKind =
  | 'read'
  | 'query'
  | 'insert'
  | 'update'
  | 'upsert'
  | 'delete'
  | 'batch'
  | 'createTable'
  | 'deleteTable'
  | 'other';

/** How a request ended: the HTTP status, or none when no response came (network error). */
export interface StorageOutcome {
  status?: number;
}

export interface OpenTablesOptions {
  /**
   * Called once per HTTP request sent to the table service (each retry counts), before it is
   * sent, in the caller's async context. It may return a function, called with the outcome
   * once the response is in. For benchmarks and diagnostics; off by default.
   */
  onOperation?: (op: StorageOperation) => void | ((outcome: StorageOutcome) => void);
  /** How long one request may go unanswered before it fails (ms; default 30 s). */
  requestTimeoutMs?: number;
}

/**
 * The Azure SDK sets no limit on a request: a connection that never answers would hang its
 * caller (a card action, a shutdown) for good. With one, it fails like any storage error.
 */
function timeoutPolicy(ms: number): PipelinePolicy {
  return {
    name: 'requestTimeout',
    sendRequest: (request, next) => {
      if (!request.timeout) request.timeout = ms;
      return next(request);
    },
  };
}

type PipelinePolicy = Parameters<TableClient['pipeline']['addPolicy']>[0];
type PipelineRequest = Parameters<PipelinePolicy['sendRequest']>[0];

/** What kind of table operation an HTTP request to the table service is. */
export function classifyTableRequest(request: PipelineRequest): StorageOperationKind {
  // Cosmos tunnels MERGE through POST (cosmosPatchPolicy).
  const method = (request.headers.get('X-HTTP-Method') ?? request.method).toUpperCase();
  const segments = new URL(request.url).pathname.split('/').filter(Boolean);
  const last = decodeURIComponent(segments[segments.length - 1] ?? '');
  if (last === '$batch') return method === 'POST' ? 'batch' : 'other';
  if (/^Tables(\(.*\))?$/.test(last)) {
    if (method === 'POST') return 'createTable';
    if (method === 'DELETE') return 'deleteTable';
    return method === 'GET' ? 'query' : 'other';
  }
  const keyed = /\(\s*PartitionKey\s*=/.test(last);
  switch (method) {
    case 'GET':
      return keyed ? 'read' : 'query';
    case 'POST':
      return 'insert';
    case 'PUT':
    case 'PATCH':
    case 'MERGE':
      return request.headers.has('If-Match') ? 'update' : 'upsert';
    case 'DELETE':
      return 'delete';
    default:
      return 'other';
  }
}

function operationPolicy(
  table: string,
  onOperation: NonNullable<OpenTablesOptions['onOperation']>,
): PipelinePolicy {
  // A hook must never change what the store does: its errors are swallowed.
  const safely = (fn: () => void) => {
    try {
      fn();
    } catch {
      /* ignored */
    }
  };
  return {
    name: 'storageOperationHook',
    async sendRequest(request, next) {
      let report: void | ((outcome: StorageOutcome) => void);
      try {
        const kind = classifyTableRequest(request);
        const op: StorageOperation = { table, method: request.method, kind };
        // Each entity operation of a batch is one application/http part of its body.
        if (kind === 'batch' && typeof request.body === 'string')
          op.entities = request.body.match(/application\/http\b/g)?.length ?? 0;
        report = onOperation(op);
      } catch {
        report = undefined;
      }
      if (typeof report !== 'function') return next(request);
      try {
        const response = await next(request);
        safely(() => report({ status: response.status }));
        return response;
      } catch (err) {
        safely(() => report({ status: (err as { statusCode?: number }).statusCode }));
        throw err;
      }
    },
  };
}

export function openTables(
  location: TablesLocation,
  prefix: string,
  options: OpenTablesOptions = {},
): Tables {
  const clients = new Map<TableName, TableClient>();
  const fullName = (name: TableName) => `${prefix}${name}`;
  const { onOperation, requestTimeoutMs = 30_000 } = options;
  const observe = <C extends { pipeline: TableClient['pipeline'] }>(client: C, table: string) => {
    client.pipeline.addPolicy(timeoutPolicy(requestTimeoutMs));
    // After the retry policy, so that every attempt sent is counted.
    if (onOperation)
      client.pipeline.addPolicy(operationPolicy(table, onOperation), { afterPhase: 'Retry' });
    return client;
  };
  const make = (name: TableName): TableClient => observe(create(name), name);
  const create = (name: TableName): TableClient => {
    switch (location.kind) {
      case 'connectionString':
        return TableClient.fromConnectionString(location.connectionString, fullName(name), {
          allowInsecureConnection: location.connectionString.includes('http://'),
        });
      case 'endpoint':
        return new TableClient(location.endpoint, fullName(name), new DefaultAzureCredential());
      case 'azurite':
        return new TableClient(
          location.url,
          fullName(name),
          new AzureNamedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
          {
            allowInsecureConnection: true,
          },
        );
    }
  };
  const service = (): TableServiceClient => observe(createService(), 'Tables');
  const createService = (): TableServiceClient => {
    switch (location.kind) {
      case 'connectionString':
        return TableServiceClient.fromConnectionString(location.connectionString, {
          allowInsecureConnection: location.connectionString.includes('http://'),
        });
      case 'endpoint':
        return new TableServiceClient(location.endpoint, new DefaultAzureCredential());
      case 'azurite':
        return new TableServiceClient(
          location.url,
          new AzureNamedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
          {
            allowInsecureConnection: true,
          },
        );
    }
  };
  return {
    client(name) {
      let c = clients.get(name);
      if (!c) {
        c = make(name);
        clients.set(name, c);
      }
      return c;
    },
    async ensure() {
      await Promise.all(
        TABLE_NAMES.map(async (name) => {
          try {
            await this.client(name).createTable();
          } catch (err) {
            if (!isConflict(err)) throw err;
          }
        }),
      );
    },
    async ping() {
      try {
        const iterator = service().listTables().byPage({ maxPageSize: 1 });
        await iterator.next();
        return true;
      } catch {
        return false;
      }
    },
  };
}

export async function getEntityOrUndefined<T extends object>(
  client: TableClient,
  partitionKey: string,
  rowKey: string,
): Promise<(TableEntity<T> & { etag: string }) | undefined> {
  return (await unlessNotFound(client.getEntity<T>(partitionKey, rowKey))) as
    (TableEntity<T> & { etag: string }) | undefined;
}

/** Every entity of one partition (optionally a RowKey range), as the service returns them. */
export async function listPartition(
  client: TableClient,
  partitionKey: string,
  rows?: { from: string; to: string },
): Promise<Record<string, unknown>[]> {
  const filter = rows
    ? odata`PartitionKey eq ${partitionKey} and RowKey ge ${rows.from} and RowKey lt ${rows.to}`
    : odata`PartitionKey eq ${partitionKey}`;
  const entities: Record<string, unknown>[] = [];
  for await (const e of client.listEntities<Record<string, unknown>>({ queryOptions: { filter } }))
    entities.push(e);
  return entities;
}

/** The properties the service adds (keys, etag, timestamp, odata.*): never part of a record. */
export function withoutServiceFields(entity: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(entity).filter(
      ([k]) =>
        !['partitionKey', 'rowKey', 'etag', 'timestamp'].includes(k) && !k.startsWith('odata.'),
    ),
  );
}

/** One unpaired half of a UTF-16 surrogate pair: encodeURIComponent throws URIError on it. */
const LONE_SURROGATE = /([\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF])/;

/**
 * Table keys may not hold / \ # ? or control characters: encode anything that might. A lone
 * surrogate (only a forged id holds one) becomes %uD800: the key of every well-formed text
 * stays as it was, and no two values share a key (encodeURIComponent never writes %u).
 */
export function safeKey(value: string): string {
  return value
    .split(LONE_SURROGATE)
    .map((part, i) =>
      i % 2 ? `%u${part.charCodeAt(0).toString(16).toUpperCase()}` : encoded(part),
    )
    .join('');
}

function encoded(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase(),
  );
}
