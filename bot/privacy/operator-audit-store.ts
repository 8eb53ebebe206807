import crypto from 'node:crypto';
import { odata } from '@azure/data-tables';
import { withoutServiceFields, type Tables } from '../store/tables';
import { personHash, type OperatorAudit } from './operator-audit';

/**
 * Table `Privacy`, partition `operator-audit`: one row per privacy command an operator ran,
 * RowKey `<time ISO>|<random>`, the person as a hash of their id.
 */
const AUDIT = 'operator-audit';

export async function writeOperatorAudit(tables: Tables, audit: OperatorAudit): Promise<void> {
  const entity: Record<string, unknown> & { partitionKey: string; rowKey: string } = {
    partitionKey: AUDIT,
    rowKey: `${audit.at.toISOString()}|${crypto.randomBytes(4).toString('hex')}`,
    command: audit.command,
    operator: audit.operator.slice(0, 100),
    at: audit.at.toISOString(),
    summary: JSON.stringify(audit.summary),
  };
  if (audit.personId) entity.personHash = personHash(audit.personId);
  if (audit.ref) entity.ref = audit.ref;
  await tables.client('Privacy').createEntity(entity);
}

/** The audit rows about one person (their own export shows them). */
export async function operatorAuditsAbout(
  tables: Tables,
  personId: string,
): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  const filter = odata`PartitionKey eq ${AUDIT} and personHash eq ${personHash(personId)}`;
  for await (const e of tables.client('Privacy').listEntities({ queryOptions: { filter } }))
    rows.push(withoutServiceFields(e));
  return rows;
}
