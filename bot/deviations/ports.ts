import type { CardSigner } from '../kernel/card-signing';
import type { Clock } from '../kernel/clock';
import type { FormClaims, RecordPort } from '../kernel/records';
import type { Notifier } from '../messaging/notifier';
import type { OrgDirectory } from '../org/organisation';
import type { Deviation, DeviationEvent } from './deviation';

/**
 * What the deviation use cases need from outside, declared here and implemented elsewhere:
 * the table adapters in deviation-store.ts, the Notifier in messaging/, the organisation in
 * org/. Built once in bot/app/host.ts; tests hand in plain objects.
 */
export interface DeviationRecords extends RecordPort<Deviation, DeviationEvent> {
  /** Stores a new report under the next free reference; `build` makes it for a reference. */
  create(
    now: Date,
    build: (ref: string) => { record: Deviation; event: DeviationEvent },
  ): Promise<Deviation>;
  events(ref: string): Promise<DeviationEvent[]>;
}

/** A row of the list index: what lists show, never the description. */
export interface IndexRow {
  ref: string;
  status: Deviation['status'];
  type: Deviation['type'];
  categoryId: string;
  severity: Deviation['severity'];
  unitId: string;
  handlerId: string;
  assigneeId?: string;
  createdAt: string;
  dueAt: string;
}

export interface DeviationIndex {
  /** Rewrites the derived rows after a change (idempotent). */
  sync(before: Deviation | undefined, after: Deviation): Promise<void>;
  openInUnits(unitIds: string[]): Promise<IndexRow[]>;
  byReporter(personId: string): Promise<IndexRow[]>;
}

export interface DeviationDeps {
  records: DeviationRecords;
  index: DeviationIndex;
  claims: FormClaims;
  org: OrgDirectory;
  notifier: Notifier;
  signer: CardSigner;
  clock: Clock;
}
