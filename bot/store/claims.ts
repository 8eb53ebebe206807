import type { FormClaim, FormClaims } from '../kernel/records';
import { isConflict, isNotFound, isWriteConflict } from './errors';
import { getEntityOrUndefined, type Tables } from './tables';

/**
 * Table `Claims`, PartitionKey = record kind, RowKey = form id: one form, one record. The
 * claim holds the reference the record gets (set when it is created, or later) and who
 * claimed it; it is kept, so a retry after any failure finishes the same record. Every change
 * after the first is guarded by the etag (the token).
 */
export class TableFormClaims implements FormClaims {
  constructor(
    private readonly tables: Tables,
    private readonly kind: string,
  ) {}

  private get client() {
    return this.tables.client('Claims');
  }

  async claim(
    formId: string,
    by: string,
    at: string,
    ref = '',
  ): Promise<{ token: string } | { earlier: FormClaim }> {
    try {
      const created = await this.client.createEntity({
        partitionKey: this.kind,
        rowKey: formId,
        ref,
        by,
        at,
      });
      return { token: created.etag ?? '' };
    } catch (err) {
      if (!isConflict(err)) throw err;
      const earlier = await this.get(formId);
      return { earlier: earlier ?? { ref: '', by: '', at, token: '' } };
    }
  }

  async get(formId: string): Promise<FormClaim | undefined> {
    const row = await getEntityOrUndefined<Partial<FormClaim>>(this.client, this.kind, formId);
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
    try {
      await this.client.deleteEntity(this.kind, formId, { etag: token });
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
      const updated = await this.client.updateEntity(
        { partitionKey: this.kind, rowKey: formId, ...change },
        'Merge',
        { etag: token },
      );
      return updated.etag ?? '';
    } catch (err) {
      if (isWriteConflict(err)) return undefined;
      throw err;
    }
  }
}
