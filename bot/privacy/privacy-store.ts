import { ConversationStore } from '../store/conversation-store';
import { unlessNotFound } from '../store/errors';
import { StateStore } from '../store/state-store';
import {
  getEntityOrUndefined,
  listPartition,
  safeKey,
  type TableName,
  type Tables,
} from '../store/tables';
import type { CaseScrub, ScrubOutcome } from './case-anonymiser';
import { scrubCase, scrubClaims } from './case-scrub-store';
import { deleteExpiredDrafts } from './drafts-store';
import type { ErasureStore, KeyedRow, RetentionStore } from './ports';
import type { ClosedCase } from './retention-rules';

/** The privacy use cases' ports on Azure Tables (the tables named in docs/privacy.md). */
export class TablePrivacyStore implements RetentionStore, ErasureStore {
  constructor(private readonly tables: Tables) {}

  scrubCase(plan: CaseScrub): Promise<ScrubOutcome> {
    return scrubCase(this.tables, plan);
  }

  scrubClaims(match: { refs: string[] } | { personId: string }): Promise<number> {
    return scrubClaims(this.tables, match);
  }

  async closedCase(ref: string): Promise<(ClosedCase & { reporterId: string }) | undefined> {
    return getEntityOrUndefined<ClosedCase & { reporterId: string }>(
      this.tables.client('Deviations'),
      ref,
      'deviation',
    );
  }

  deleteExpiredDrafts(now: Date, days: number): Promise<number> {
    return deleteExpiredDrafts(this.tables, now, days);
  }

  async dropReporterIndex(personId: string): Promise<void> {
    const partition = `reporter_${safeKey(personId)}`;
    const rows = await listPartition(this.tables.client('DeviationIndex'), partition);
    await this.deleteRows('DeviationIndex', rows);
  }

  forgetConversation(personId: string): Promise<void> {
    return new ConversationStore(this.tables).forgetUser(personId);
  }

  deleteStates(keys: string[]): Promise<void> {
    return new StateStore(this.tables).delete(keys);
  }

  async deleteRows(table: string, rows: KeyedRow[]): Promise<void> {
    const client = this.tables.client(table as TableName);
    for (const row of rows)
      await unlessNotFound(client.deleteEntity(String(row.partitionKey), String(row.rowKey)));
  }

  async anonymiseSubscriptions(rows: KeyedRow[]): Promise<void> {
    const client = this.tables.client('Subscriptions');
    for (const row of rows)
      await unlessNotFound(
        client.updateEntity(
          { partitionKey: String(row.partitionKey), rowKey: String(row.rowKey), subscribedBy: '' },
          'Merge',
        ),
      );
  }
}
