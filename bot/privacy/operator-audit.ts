import crypto from 'node:crypto';
import { odata } from '@azure/data-tables';
import { withoutServiceFields, type Tables } from '../store/tables';

/**
 * Table `Privacy`, partition `operator-audit`: one row per privacy command an operator ran
 * (export, erase, its dry run, the access log of a case), RowKey `<time ISO>|<random>`. The
 * person is named by a hash of their id only: the audit row itself holds no one's identity
 * but the operator's.
 */
const AUDIT = 'operator-audit';

export interface OperatorAudit {
  command: 'export' | 'erase' | 'erase (dry run)' | 'access';
  operator: string;
  at: Date;
  /** The person the command was about (hashed before it is stored). */
  personId?: string;
  /** The case the command was about. */
  ref?: string;
  /** Counts of what was found or done. */
  summary: Record<string, number>;
}

/** The person id as stored in audit rows: a SHA-256 prefix, enough to find their rows. */
export function personHash(personId: string): string {
  return crypto.createHash('sha256').update(personId).digest('hex').slice(0, 24);
}

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
