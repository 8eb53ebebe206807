import type { CaseScrub } from '../../../bot/privacy/case-anonymiser';
import type { DueCase, RetentionIndexPort, RetentionStore } from '../../../bot/privacy/ports';
import { runRetention, type RetentionSettings } from '../../../bot/privacy/retention-job';
import type { ClosedCase } from '../../../bot/privacy/retention-rules';

/**
 * The daily retention job on in-memory fakes of its ports (bot/privacy/ports.ts): no table
 * code. The table adapters are tested against Azurite in tests/integration/privacy-retention.
 */
const NOW = new Date('2026-01-01T03:00:00Z');
const settings: RetentionSettings = {
  rules: [{ id: 'standard', years: 1 }],
  draftDays: 14,
  cron: '0 3 * * *',
};

const closed = (
  ref: string,
  closedAt: string,
): ClosedCase & { reporterId: string; ref: string } => ({
  ref,
  type: 'avvik',
  categoryId: 'hms',
  status: 'lukket',
  closedAt,
  reporterId: `reporter-of-${ref}`,
});

function fakes(cases: ReturnType<typeof closed>[], failing: string[] = []) {
  const rows = new Map<string, DueCase>(
    cases.map((c) => [
      c.ref,
      { ...c, dueAt: '2025-06-01T00:00:00.000Z', ruleId: 'standard', rowKey: c.ref },
    ]),
  );
  const scrubs: CaseScrub[] = [];
  const claimsScrubbed: string[][] = [];
  const tracked: string[] = [];
  const index: RetentionIndexPort = {
    track: async (d) => void tracked.push(d.ref),
    due: async (_now, limit) => [...rows.values()].slice(0, limit),
    done: async (row) => void rows.delete(row.rowKey),
    applyRules: async () => 0,
  };
  const store: RetentionStore = {
    closedCase: async (ref) => cases.find((c) => c.ref === ref),
    scrubCase: async (plan) => {
      if (failing.includes(plan.ref)) throw new Error('storage out');
      scrubs.push(plan);
      return 'done';
    },
    scrubClaims: async (match) => {
      if ('refs' in match) claimsScrubbed.push(match.refs);
      return 0;
    },
    deleteExpiredDrafts: async () => 2,
  };
  return { index, store, rows, scrubs, claimsScrubbed, tracked };
}

test('a due case is anonymised whole (texts, messages, copies, access log) under its rule', async () => {
  const f = fakes([closed('AVV-2024-0001', '2024-06-01T10:00:00.000Z')]);
  const run = await runRetention(f.store, f.index, settings, NOW);
  expect(run).toMatchObject({ anonymised: ['AVV-2024-0001'], failed: 0, drafts: 2 });
  expect(f.scrubs).toHaveLength(1);
  expect(f.scrubs[0]).toMatchObject({
    personId: 'reporter-of-AVV-2024-0001',
    texts: true,
    messages: 'all',
    copies: 'all',
    dropAccessLog: true,
    audit: { name: 'retention', fields: { rule: 'standard', kind: 'anonymised' } },
  });
  expect(f.claimsScrubbed).toEqual([['AVV-2024-0001']]);
  expect(f.rows.size).toBe(0);
});

test('a case that fails stays due for the next run; the others are done', async () => {
  const f = fakes(
    [
      closed('AVV-2024-0001', '2024-06-01T10:00:00.000Z'),
      closed('AVV-2024-0002', '2024-06-02T10:00:00.000Z'),
    ],
    ['AVV-2024-0001'],
  );
  const run = await runRetention(f.store, f.index, settings, NOW);
  expect(run.anonymised).toEqual(['AVV-2024-0002']);
  expect(run.failed).toBe(1);
  expect([...f.rows.keys()]).toEqual(['AVV-2024-0001']);
  // Only the finished case's claims are scrubbed.
  expect(f.claimsScrubbed).toEqual([['AVV-2024-0002']]);
});

test('a case not due after all (closed later than the row says) gets its new time, untouched', async () => {
  const f = fakes([closed('AVV-2025-0009', '2025-12-01T10:00:00.000Z')]);
  const run = await runRetention(f.store, f.index, settings, NOW);
  expect(run.anonymised).toEqual([]);
  expect(run.skipped).toBe(1);
  expect(f.scrubs).toEqual([]);
  expect(f.tracked).toEqual(['AVV-2025-0009']);
});
