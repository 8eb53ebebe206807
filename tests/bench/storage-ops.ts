import { performance } from 'node:perf_hooks';
import type { StorageOperation, StorageOutcome } from '../../bot/store/tables';

/**
 * Counts table-service operations for benchmarks. Plug `counter.onOperation` into
 * `openTables(location, prefix, { onOperation })` or `startBot({ onStorageOperation })`; every
 * HTTP request to the table service is then recorded with the time it was sent and, when a
 * `scope` function is given, what it returned at that moment (e.g. the correlation id of the
 * request being handled, from an AsyncLocalStorage: that tells the request path from
 * background work even when both run at once). Take windows by time with `mark()` and
 * `between()`, and print them with `describeOps()`.
 */
export interface CountedOperation extends StorageOperation {
  /** performance.now() when the request was sent. */
  at: number;
  /** What `scope()` returned when it was sent. */
  scope?: string;
  /** HTTP status of the answer, once it is in (404: a read that found nothing). */
  status?: number;
  /** ms from sending to the answer, once it is in. */
  ms?: number;
}

export class OperationCounter {
  private readonly operations: CountedOperation[] = [];
  private lastAt = -Infinity;
  private pending = 0;

  constructor(private readonly scope: () => string | undefined = () => undefined) {}

  /** The hook: pass it as `onOperation` / `onStorageOperation`. */
  readonly onOperation = (op: StorageOperation) => {
    const at = performance.now();
    this.lastAt = at;
    const counted: CountedOperation = { ...op, at, scope: this.scope() };
    this.operations.push(counted);
    this.pending += 1;
    return (outcome: StorageOutcome) => {
      this.pending -= 1;
      counted.status = outcome.status;
      counted.ms = performance.now() - at;
      this.lastAt = Math.max(this.lastAt, performance.now());
    };
  };

  /** A point in time to take a window from (same clock as `at`). */
  mark(): number {
    return performance.now();
  }

  get total(): number {
    return this.operations.length;
  }

  all(): readonly CountedOperation[] {
    return this.operations;
  }

  /** Operations sent in [from, to). */
  between(from: number, to = Infinity): CountedOperation[] {
    return this.operations.filter((o) => o.at >= from && o.at < to);
  }

  /**
   * Resolves true once no operation has been sent or answered for `quietMs` and none is
   * under way, false after `timeoutMs`.
   */
  async quiet(quietMs: number, timeoutMs = 10_000): Promise<boolean> {
    const started = performance.now();
    for (;;) {
      const now = performance.now();
      const silentFor = this.pending > 0 ? 0 : now - Math.max(this.lastAt, started);
      if (silentFor >= quietMs) return true;
      if (now - started >= timeoutMs) return false;
      await new Promise((r) => setTimeout(r, Math.max(1, Math.min(quietMs - silentFor, 50))));
    }
  }

  clear(): void {
    this.operations.length = 0;
  }
}

export interface Breakdown {
  total: number;
  byKind: Map<string, number>;
  byTable: Map<string, Map<string, number>>;
  /** Entity operations carried inside batches. */
  batchedEntities: number;
}

/** Counts per kind and per table + kind, most frequent first. */
export function breakdown(ops: readonly StorageOperation[]): Breakdown {
  const byKind = new Map<string, number>();
  const byTable = new Map<string, Map<string, number>>();
  let batchedEntities = 0;
  for (const op of ops) {
    byKind.set(op.kind, (byKind.get(op.kind) ?? 0) + 1);
    let kinds = byTable.get(op.table);
    if (!kinds) byTable.set(op.table, (kinds = new Map()));
    kinds.set(op.kind, (kinds.get(op.kind) ?? 0) + 1);
    batchedEntities += op.entities ?? 0;
  }
  const sorted = <V>(m: Map<string, V>, size: (v: V) => number) =>
    new Map([...m].sort((a, b) => size(b[1]) - size(a[1]) || a[0].localeCompare(b[0])));
  const tableSize = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  return {
    total: ops.length,
    byKind: sorted(byKind, (n) => n),
    byTable: sorted(new Map([...byTable].map(([t, m]) => [t, sorted(m, (n) => n)])), tableSize),
    batchedEntities,
  };
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));

/** "3 read, 2 batch (7 entities), 1 upsert" (counts divided by `per`, e.g. per submit). */
export function kindsLine(kinds: Map<string, number>, per = 1, batchedEntities = 0): string {
  return [...kinds]
    .map(([kind, n]) =>
      kind === 'batch' && batchedEntities > 0
        ? `${fmt(n / per)} batch (${fmt(batchedEntities / per)} entities)`
        : `${fmt(n / per)} ${kind}`,
    )
    .join(', ');
}

/**
 * Lines describing a set of operations: the total and kinds, then one line per table
 * (counts divided by `per`, so `per: N` prints the mean of N submits).
 */
export function describeOps(
  ops: readonly StorageOperation[],
  options: { per?: number; indent?: string } = {},
): string[] {
  const { per = 1, indent = '  ' } = options;
  const b = breakdown(ops);
  if (b.total === 0) return [`${indent}0 operations`];
  const lines = [
    `${indent}${fmt(b.total / per)} operations: ${kindsLine(b.byKind, per, b.batchedEntities)}`,
  ];
  const width = Math.max(...[...b.byTable.keys()].map((t) => t.length));
  for (const [table, kinds] of b.byTable) {
    const n = [...kinds.values()].reduce((x, y) => x + y, 0);
    const entities = ops
      .filter((o) => o.table === table)
      .reduce((sum, o) => sum + (o.entities ?? 0), 0);
    lines.push(
      `${indent}  ${table.padEnd(width)} ${fmt(n / per).padStart(5)}  ${kindsLine(kinds, per, entities)}`,
    );
  }
  return lines;
}

/**
 * The operations in the order they were sent: "BotState read[404] ×2 → Claims insert → …"
 * (batch sizes in parentheses, an answer other than 2xx in brackets).
 */
export function sequence(ops: readonly (StorageOperation & { status?: number })[]): string {
  const steps: { label: string; n: number }[] = [];
  for (const op of ops) {
    const status = op.status !== undefined && (op.status < 200 || op.status > 299);
    const label = `${op.table} ${op.kind}${op.entities ? `(${op.entities})` : ''}${status ? `[${op.status}]` : ''}`;
    const last = steps[steps.length - 1];
    if (last?.label === label) last.n += 1;
    else steps.push({ label, n: 1 });
  }
  return steps.map((s) => (s.n > 1 ? `${s.label} ×${s.n}` : s.label)).join(' → ');
}
