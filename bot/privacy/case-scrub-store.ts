import { odata, type TableClient } from '@azure/data-tables';
import { deviationCard } from '../deviations/deviation-messages';
import { claimScans } from '../store/claims';
import { isConflict, unlessNotFound } from '../store/errors';
import {
  getEntityOrUndefined,
  listPartition,
  safeKey,
  withoutServiceFields,
  type Tables,
} from '../store/tables';
import { ACCESS_ROWS } from './access-log-store';
import {
  PRIVACY_ROW_PREFIX,
  scrubbedRow,
  type CaseScrub,
  type Row,
  type ScrubOutcome,
} from './case-anonymiser';

/**
 * A case scrub in table `Deviations` and the rows derived from it. Each step is idempotent, and
 * the record itself is rewritten last, guarded by its etag, in one transaction with the audit
 * row that says it was done: a crash at any point leaves a case that the next run finishes,
 * and a finished case is recognised by its audit row. The record's revision does not change
 * (no card action follows).
 */
type Entity = Row & { partitionKey: string; rowKey: string };

export async function scrubCase(tables: Tables, plan: CaseScrub): Promise<ScrubOutcome> {
  const deviations = tables.client('Deviations');
  const auditRow = `${PRIVACY_ROW_PREFIX}${plan.audit.name}`;
  if (await getEntityOrUndefined(deviations, plan.ref, auditRow)) return 'already done';
  const record = await getEntityOrUndefined<Row>(deviations, plan.ref, 'deviation');
  if (!record) return 'not found';
  for (const row of await listPartition(deviations, plan.ref))
    await scrubSideRow(deviations, row as Entity, plan);
  if (record.reporterId === plan.personId)
    await unlessNotFound(
      tables.client('DeviationIndex').deleteEntity(`reporter_${safeKey(plan.personId)}`, plan.ref),
    );
  await forgetCopies(tables, plan);
  const next = scrubbedRow(withoutServiceFields(record), plan) ?? withoutServiceFields(record);
  try {
    await deviations.submitTransaction([
      [
        'update',
        { ...next, partitionKey: plan.ref, rowKey: 'deviation' },
        'Replace',
        { etag: record.etag },
      ],
      ['create', { partitionKey: plan.ref, rowKey: auditRow, ...plan.audit.fields }],
    ]);
  } catch (err) {
    // The audit row exists: another run finished it between our read and our write.
    if (isConflict(err)) return 'already done';
    throw err;
  }
  return 'done';
}

/** Every row of the partition but the record and the audit rows: events, messages, access. */
async function scrubSideRow(client: TableClient, row: Entity, plan: CaseScrub): Promise<void> {
  const key = row.rowKey;
  if (key === 'deviation' || key.startsWith(PRIVACY_ROW_PREFIX)) return;
  const remove = () => unlessNotFound(client.deleteEntity(row.partitionKey, key));
  if (key.startsWith('out-')) {
    if (plan.messages === 'all' || String(row.to ?? '').includes(plan.personId)) await remove();
    return;
  }
  if (key >= ACCESS_ROWS.from && key < ACCESS_ROWS.to) {
    if (plan.dropAccessLog) await remove();
    return;
  }
  const next = scrubbedRow(withoutServiceFields(row), plan);
  if (next)
    await client.updateEntity({ ...next, partitionKey: row.partitionKey, rowKey: key }, 'Replace', {
      etag: String(row.etag),
    });
}

async function forgetCopies(tables: Tables, plan: CaseScrub): Promise<void> {
  const client = tables.client('PostedCards');
  const card = deviationCard(plan.ref);
  const partition = `${card.kind}_${safeKey(card.id)}`;
  for (const copy of await listPartition(client, partition))
    if (plan.copies === 'all' || copy.ownerId === plan.personId)
      await unlessNotFound(client.deleteEntity(partition, String(copy.rowKey)));
}

/**
 * Claims (one form, one record) name who sent the form next to the reference it got: `by`
 * is emptied for the given references, or for the person. A filter the table service runs over
 * the claims (a scan of their rows: they are keyed by form id; store/claims.ts).
 */
export async function scrubClaims(
  tables: Tables,
  match: { refs: string[] } | { personId: string },
): Promise<number> {
  const filters =
    'refs' in match
      ? chunks(match.refs, 15).map((refs) => refs.map((r) => odata`ref eq ${r}`).join(' or '))
      : [odata`by eq ${match.personId}`];
  let scrubbed = 0;
  for (const wanted of filters)
    for (const { client, filter } of claimScans(tables, wanted))
      for await (const e of client.listEntities<Row>({ queryOptions: { filter } })) {
        if (e.by === '') continue;
        await client.updateEntity(
          { partitionKey: e.partitionKey!, rowKey: e.rowKey!, by: '' },
          'Merge',
          { etag: e.etag },
        );
        scrubbed++;
      }
  return scrubbed;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
