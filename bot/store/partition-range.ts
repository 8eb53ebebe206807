import { odata, type TableClient } from '@azure/data-tables';

/**
 * Every entity of the partitions whose key starts with `prefix`, which ends in '|': '|' + 1 is
 * '}', so the range holds exactly those partitions (one team's channels, no other team's).
 */
export async function listPartitionsUnder(
  client: TableClient,
  prefix: string,
): Promise<Record<string, unknown>[]> {
  const filter = odata`PartitionKey ge ${prefix} and PartitionKey lt ${prefix.slice(0, -1) + '}'}`;
  const entities: Record<string, unknown>[] = [];
  for await (const e of client.listEntities<Record<string, unknown>>({ queryOptions: { filter } }))
    entities.push(e);
  return entities;
}
