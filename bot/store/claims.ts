import type { FormClaim, FormClaims } from '../kernel/records';
import { isConflict } from './errors';
import { getEntityOrUndefined, type Tables } from './tables';

/**
 * Table `Claims`, PartitionKey = record kind, RowKey = form id: one form, one record. The
 * claim holds the reference the record gets and who claimed it; it is written before the
 * record (one insert) and kept, so a retry after any failure finishes the same record.
 */
export class TableFormClaims implements FormClaims {
  constructor(
    private readonly tables: Tables,
    private readonly kind: string,
  ) {}

  private get client() {
    return this.tables.client('Claims');
  }

  async claim(formId: string, claim: FormClaim, at: string): Promise<'claimed' | FormClaim> {
    try {
      await this.client.createEntity({ partitionKey: this.kind, rowKey: formId, ...claim, at });
      return 'claimed';
    } catch (err) {
      if (!isConflict(err)) throw err;
      const earlier = await getEntityOrUndefined<FormClaim>(this.client, this.kind, formId);
      return { ref: earlier?.ref ?? '', by: earlier?.by ?? '' };
    }
  }

  async move(formId: string, ref: string): Promise<void> {
    await this.client.updateEntity({ partitionKey: this.kind, rowKey: formId, ref }, 'Merge');
  }
}
