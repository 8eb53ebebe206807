import type { FormClaims } from '../kernel/records';
import { isConflict, unlessNotFound } from './errors';
import { getEntityOrUndefined, type Tables } from './tables';

/**
 * Table `Claims`, PartitionKey = record kind, RowKey = form id: one form, one record. The
 * claim is taken before anything is stored and linked to the reference once it exists.
 */
export class TableFormClaims implements FormClaims {
  constructor(
    private readonly tables: Tables,
    private readonly kind: string,
  ) {}

  private get client() {
    return this.tables.client('Claims');
  }

  async claim(formId: string, at: string): Promise<'claimed' | { ref: string }> {
    try {
      await this.client.createEntity({ partitionKey: this.kind, rowKey: formId, ref: '', at });
      return 'claimed';
    } catch (err) {
      if (!isConflict(err)) throw err;
      const claim = await getEntityOrUndefined<{ ref: string }>(this.client, this.kind, formId);
      return { ref: claim?.ref ?? '' };
    }
  }

  async link(formId: string, ref: string): Promise<void> {
    await this.client.updateEntity({ partitionKey: this.kind, rowKey: formId, ref }, 'Merge');
  }

  async release(formId: string): Promise<void> {
    await unlessNotFound(this.client.deleteEntity(this.kind, formId));
  }
}
