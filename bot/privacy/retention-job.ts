import { log } from '../app/log';
import { SYSTEM_ACTOR } from '../kernel/actor';
import type { Job } from '../scheduling/scheduler';
import type { ScrubOutcome } from './case-anonymiser';
import type { DueCase, RetentionIndexPort, RetentionStore } from './ports';
import { retentionDue, type RetentionRule } from './retention-rules';

/**
 * The daily privacy job (PRIVACY_CRON, under the dispatcher's lease like every scheduled job):
 * anonymises the closed cases whose retention time has come and deletes expired report drafts.
 * Safe to run again at any moment: a case already anonymised is recognised by its audit row,
 * and a case whose run was cut short is finished by the next one.
 */
export interface RetentionSettings {
  rules: readonly RetentionRule[];
  draftDays: number;
  cron: string;
}

export interface RetentionRun {
  anonymised: string[];
  /** Due rows whose case needs nothing (already anonymised, gone, or not due after all). */
  skipped: number;
  failed: number;
  /** Rows moved to a new time after a change of the rules. */
  moved: number;
  drafts: number;
}

const BATCH = 200;

export async function runRetention(
  store: RetentionStore,
  index: RetentionIndexPort,
  settings: RetentionSettings,
  now: Date,
): Promise<RetentionRun> {
  const run: RetentionRun = { anonymised: [], skipped: 0, failed: 0, moved: 0, drafts: 0 };
  run.moved = await index.applyRules();
  for (;;) {
    const due = await index.due(now, BATCH);
    const finished: DueCase[] = [];
    for (const row of due) {
      try {
        const outcome = await anonymiseIfDue(store, index, settings.rules, row, now);
        if (outcome === 'done') run.anonymised.push(row.ref);
        else run.skipped++;
        finished.push(row);
      } catch (err) {
        run.failed++;
        // Stays due: the next run tries again. The reference only, never a person.
        log.warn({ ref: row.ref, error: (err as Error).name }, 'retention: case not anonymised');
      }
    }
    // The claims name the reporter next to the reference: emptied before the rows are done.
    await store.scrubClaims({ refs: finished.map((r) => r.ref) });
    for (const row of finished) await index.done(row);
    if (due.length < BATCH || finished.length === 0) break;
  }
  run.drafts = await store.deleteExpiredDrafts(now, settings.draftDays);
  return run;
}

/** The record is read again: the rules and the case as they are now decide, not the row. */
async function anonymiseIfDue(
  store: RetentionStore,
  index: RetentionIndexPort,
  rules: readonly RetentionRule[],
  row: DueCase,
  now: Date,
): Promise<ScrubOutcome | 'not due'> {
  const record = await store.closedCase(row.ref);
  if (!record) return 'not found';
  const due = retentionDue(rules, record);
  if (!due) return 'not due';
  if (due.dueAt > now.toISOString()) {
    await index.track({ ...record, ref: row.ref });
    return 'not due';
  }
  return store.scrubCase({
    ref: row.ref,
    personId: record.reporterId,
    texts: true,
    messages: 'all',
    copies: 'all',
    dropAccessLog: true,
    audit: {
      name: 'retention',
      fields: {
        kind: 'anonymised',
        at: now.toISOString(),
        actorId: SYSTEM_ACTOR,
        rule: due.rule.id,
        note: `anonymised by retention rule ${due.rule.id}`,
      },
    },
  });
}

/** The job the scheduler runs (wired in compose.ts). It decides no messages. */
export function retentionJob(
  store: RetentionStore,
  index: RetentionIndexPort,
  settings: RetentionSettings,
): Job {
  return {
    name: 'privacy-retention',
    cron: settings.cron,
    async run(_scheduledAt, now) {
      const run = await runRetention(store, index, settings, now);
      log.info(
        {
          anonymised: run.anonymised.length,
          skipped: run.skipped,
          failed: run.failed,
          moved: run.moved,
          drafts: run.drafts,
        },
        'privacy retention run',
      );
      return [];
    },
  };
}
