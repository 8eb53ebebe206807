import crypto from 'node:crypto';
import { isConflict, isPreconditionFailed } from './errors';
import { getEntityOrUndefined, type Tables } from './tables';

/**
 * Table `Outbox`, PartitionKey `lease`, RowKey = the job (`dispatcher`): who runs it, and until
 * when. One instance holds it at a time; it renews well before it expires. When the holder
 * dies, another takes over once `expiresAt` has passed (at most the lease time, 30 s by
 * default). Every write is guarded by the etag read just before, so two instances racing for
 * an expired lease leave exactly one holder.
 */
export class TableLease {
  readonly holder: string;

  constructor(
    private readonly tables: Tables,
    readonly name: string,
    readonly ttlMs = 30_000,
    holder?: string,
  ) {
    this.holder = holder ?? `${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  }

  private get client() {
    return this.tables.client('Outbox');
  }

  /** Takes or renews the lease; true while this instance holds it. `stats` are for operators. */
  async acquire(now = Date.now(), stats: Record<string, number> = {}): Promise<boolean> {
    const row = { partitionKey: 'lease', rowKey: this.name };
    const claim = { ...row, ...stats, holder: this.holder, expiresAt: now + this.ttlMs };
    try {
      const current = await getEntityOrUndefined<{ holder: string; expiresAt: number }>(
        this.client,
        row.partitionKey,
        row.rowKey,
      );
      if (!current) {
        await this.client.createEntity(claim);
        return true;
      }
      if (current.holder !== this.holder && Number(current.expiresAt) > now) return false;
      await this.client.updateEntity(claim, 'Merge', { etag: current.etag });
      return true;
    } catch (err) {
      if (isConflict(err) || isPreconditionFailed(err)) return false;
      throw err;
    }
  }

  /** Lets another instance take over at once (graceful shutdown). */
  async release(): Promise<void> {
    const current = await getEntityOrUndefined<{ holder: string }>(this.client, 'lease', this.name);
    if (current?.holder !== this.holder) return;
    await this.client
      .updateEntity({ partitionKey: 'lease', rowKey: this.name, expiresAt: 0 }, 'Merge', {
        etag: current.etag,
      })
      .catch(() => undefined);
  }

  /** Who holds it now, for operators. */
  async current(): Promise<
    { holder: string; expiresAt: number; inFlight: number; sentLastHour: number } | undefined
  > {
    const e = await getEntityOrUndefined<Record<string, unknown>>(this.client, 'lease', this.name);
    return e
      ? {
          holder: String(e.holder),
          expiresAt: Number(e.expiresAt),
          inFlight: Number(e.inFlight ?? 0),
          sentLastHour: Number(e.sentLastHour ?? 0),
        }
      : undefined;
  }
}
