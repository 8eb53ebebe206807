import type { Deviation } from '../deviations/deviation';
import type { CaseAccessLog } from '../deviations/deviation-service';
import { isConflict } from '../store/errors';
import { listPartition, safeKey, type Tables } from '../store/tables';
import type { AccessEvent, AccessView } from './ports';

/**
 * Who has seen a case: one row per viewer, view (the case card or its history) and hour, kept in
 * the case's own partition of `Deviations` (RowKey `access-<hour>|<view>|<viewer>`), ids only.
 * A row beside the record, never the record itself: the record's etag and revision do not
 * change, so reading never races a handler's change. The reporter's own views are written as
 * "the reporter", not with their id, so the log can never name an anonymous reporter.
 */
export const ACCESS_ROWS = { from: 'access-', to: 'access.' };
export const REPORTER_VIEWER = 'reporter';

export type { AccessEvent, AccessView } from './ports';

/** Rows this process wrote lately: a refresh that fires again within the hour costs nothing. */
const RECENT_LIMIT = 5000;

export class TableAccessLog implements CaseAccessLog {
  private readonly recent = new Set<string>();

  constructor(private readonly tables: Tables) {}

  private get client() {
    return this.tables.client('Deviations');
  }

  async opened(d: Deviation, viewerId: string, view: AccessView, at: Date): Promise<void> {
    const byReporter = viewerId === d.reporterId;
    const viewer = byReporter ? REPORTER_VIEWER : viewerId;
    const rowKey = `${ACCESS_ROWS.from}${at.toISOString().slice(0, 13)}|${view}|${safeKey(viewer)}`;
    const seen = `${d.ref}/${rowKey}`;
    if (this.recent.has(seen)) return;
    const entity: Record<string, unknown> & { partitionKey: string; rowKey: string } = {
      partitionKey: d.ref,
      rowKey,
      at: at.toISOString(),
      view,
      byReporter,
    };
    if (!byReporter) entity.personId = viewerId;
    try {
      await this.client.createEntity(entity);
    } catch (err) {
      // Already logged this hour (another instance, or before a restart): the first view stays.
      if (!isConflict(err)) throw err;
    }
    if (this.recent.size >= RECENT_LIMIT) this.recent.clear();
    this.recent.add(seen);
  }

  /** Every view of one case, oldest first. */
  async list(ref: string): Promise<AccessEvent[]> {
    const rows = await listPartition(this.client, ref, ACCESS_ROWS);
    return rows.map((e) => accessEventOf(ref, e)).sort((a, b) => a.at.localeCompare(b.at));
  }
}

export function accessEventOf(ref: string, e: Record<string, unknown>): AccessEvent {
  const event: AccessEvent = {
    ref,
    at: String(e.at),
    view: e.view === 'history' ? 'history' : 'card',
    byReporter: e.byReporter === true,
  };
  if (typeof e.personId === 'string') event.personId = e.personId;
  return event;
}
