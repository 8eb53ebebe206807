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
  'Conversations',
  'BotState',
] as const;
export type TableName = (typeof TABLE_NAMES)[number];

export interface Tables {
  client(name: TableName): TableClient;
  /** Creates every table that does not exist yet. */
  ensure(): Promise<void>;
  /** True when the service answers. */
  ping(): Promise<boolean>;
}

export function openTables(location: TablesLocation, prefix: string): Tables {
  const clients = new Map<TableName, TableClient>();
  const fullName = (name: TableName) => `${prefix}${name}`;
  const make = (name: TableName): TableClient => {
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
  const service = (): TableServiceClient => {
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

/** Table keys may not hold / \ # ? or control characters: encode anything that might. */
export function safeKey(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase(),
  );
}
