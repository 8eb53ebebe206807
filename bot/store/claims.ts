import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import type { FormClaim, FormClaims } from '../kernel/records';
import type { HintRequest, WrittenHint } from '../messaging/outbox';
import { isConflict, isNotFound, isWriteConflict } from './errors';
import { AFTER_HINTS, hintEntities } from './outbox-store';
import { getEntityOrUndefined, safeKey, type Tables } from './tables';

/**
 * Claims are kept in the `Outbox` table's `due` partition, after every hint (AFTER_HINTS), so
 * that a claim and the dispatcher's hints for the record it files are written in one
 * transaction: one round trip, and a form sent again (the claim exists) writes nothing.
 */
const CLAIMS_PARTITION = 'due';
const CLAIM_ROWS = { from: `${AFTER_HINTS}claim|`, to: `${AFTER_HINTS}claim}` };
const claimRow = (kind: string, formId: string) => `${CLAIM_ROWS.from}${kind}|${safeKey(formId)}`;

/**
 * Where claims are kept, each with a filter that selects the claims there matching `filter`
 * (for the rare operator scans of privacy): the `due` partition's claim rows, and the `Claims`
 * table that held them before (read, never written).
 */
export function claimScans(
  tables: Tables,
  filter: string,
): { client: TableClient; filter: string }[] {
  return [
    {
      client: tables.client('Outbox'),
      filter: `${odata`PartitionKey eq ${CLAIMS_PARTITION} and RowKey ge ${CLAIM_ROWS.from} and RowKey lt ${CLAIM_ROWS.to}`} and (${filter})`,
    },
    { client: tables.client('Claims'), filter },
  ];
}

/**
 * One form, one record (see FormClaims): a row per form id and record kind, holding the
 * reference the record gets (set when it is created, or later) and who claimed it; it is kept,
 * so a retry after any failure finishes the same record. Every change after the first is
 * guarded by the etag (the token). Claims taken before they moved to the outbox's partition are
 * still found in the `Claims` table (PartitionKey = kind, RowKey = form id).
 */
export class TableFormClaims implements FormClaims {
  constructor(
    private readonly tables: Tables,
    private readonly kind: string,
  ) {}

  private get client() {
    return this.tables.client('Outbox');
  }

  private key(formId: string) {
    return { partitionKey: CLAIMS_PARTITION, rowKey: claimRow(this.kind, formId) };
  }

  async claim(
    formId: string,
    by: string,
    at: string,
    ref = '',
    hints: HintRequest[] = [],
  ): Promise<{ token: string; hints: WrittenHint[] } | { earlier: FormClaim }> {
    const claim = { ...this.key(formId), ref, by, at };
    try {
      if (hints.length === 0) {
        const created = await this.client.createEntity(claim);
        return { token: created.etag ?? '', hints: [] };
      }
      const entities = hintEntities(hints);
      const actions: TransactionAction[] = [
        ['create', claim],
        ...entities.map((e): TransactionAction => ['upsert', e, 'Replace']),
      ];
      const { subResponses } = await this.client.submitTransaction(actions);
      return {
        token: subResponses[0]?.etag ?? '',
        hints: entities.map((e, i) => ({ rowKey: e.rowKey, etag: subResponses[i + 1]?.etag })),
      };
    } catch (err) {
      if (!isConflict(err)) throw err;
      const earlier = await this.get(formId);
      return { earlier: earlier ?? { ref: '', by: '', at, token: '' } };
    }
  }

  async get(formId: string): Promise<FormClaim | undefined> {
    const { partitionKey, rowKey } = this.key(formId);
    const row =
      (await getEntityOrUndefined<Partial<FormClaim>>(this.client, partitionKey, rowKey)) ??
      (await getEntityOrUndefined<Partial<FormClaim>>(
        this.tables.client('Claims'),
        this.kind,
        formId,
      ));
    return (
      row && {
        ref: String(row.ref ?? ''),
        by: String(row.by ?? ''),
        at: String(row.at ?? ''),
        token: row.etag,
      }
    );
  }

  async release(formId: string, token: string): Promise<boolean> {
    const { partitionKey, rowKey } = this.key(formId);
    try {
      await this.client.deleteEntity(partitionKey, rowKey, { etag: token });
      return true;
    } catch (err) {
      if (isWriteConflict(err) || isNotFound(err)) return false;
      throw err;
    }
  }

  assign(formId: string, ref: string, token: string): Promise<string | undefined> {
    return this.guarded(formId, { ref }, token);
  }

  touch(formId: string, token: string, at: string): Promise<string | undefined> {
    return this.guarded(formId, { at }, token);
  }

  private async guarded(
    formId: string,
    change: Partial<FormClaim>,
    token: string,
  ): Promise<string | undefined> {
    try {
      const updated = await this.client.updateEntity({ ...this.key(formId), ...change }, 'Merge', {
        etag: token,
      });
      return updated.etag ?? '';
    } catch (err) {
      if (isWriteConflict(err) || isNotFound(err)) return undefined;
      throw err;
    }
  }
}
