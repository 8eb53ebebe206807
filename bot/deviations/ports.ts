import type { CardSigner } from '../kernel/card-signing';
import type { Clock } from '../kernel/clock';
import type { UsageLimits } from '../kernel/limits';
import type { FormClaims, RecordPort } from '../kernel/records';
import type { Message, HintRequest, WrittenHint } from '../messaging/outbox';
import type { Outbox } from '../messaging/outbox';
import type { PostedCards } from '../messaging/posted-cards';
import type { Organisation, OrgDirectory } from '../org/organisation';
import type { Timer } from '../scheduling/scheduler';
import type { NudgeSettings } from './deviation-timers';
import type { Deviation, DeviationEvent } from './deviation';

/**
 * What the deviation use cases need from outside, declared here and implemented elsewhere:
 * the table adapters in deviation-store.ts, the Notifier in messaging/, the organisation in
 * org/. Built once in bot/app/host.ts; tests hand in plain objects.
 */
export interface DeviationRecords extends RecordPort<Deviation, DeviationEvent> {
  /** The next reference of the year (AVV-2026-0042): unique across instances. */
  nextReference(now: Date): Promise<string>;
  /** A reference from nextReference that no record got: it is handed out again. */
  giveBackReference(ref: string): void;
  /** A reference from nextReference is taken for good (its claim is held): keep the next ready. */
  referenceUsed(ref: string): void;
  /** Stores a new report with its first event and messages; ReferenceTakenError if taken. */
  create(
    record: Deviation,
    event: DeviationEvent,
    messages?: Message[],
    options?: { hintsWritten?: boolean },
  ): Promise<void>;
  /** The dispatcher's hints for a new record's messages (to write with the form's claim). */
  hintsFor(record: Deviation, messages: Message[]): HintRequest[];
  /** The dispatcher's hints for a new record's messages, written before it (see record-table.ts). */
  writeHints(record: Deviation, messages: Message[]): Promise<WrittenHint[]>;
  /** Takes back hints written for a record that was not stored after all. */
  withdrawHints(written: WrittenHint[]): Promise<void>;
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
  /**
   * Rewrites the derived rows from the record as it is now (idempotent). `previousUnitId` is the
   * unit before a change; absent for the report itself.
   */
  sync(current: Deviation, previousUnitId?: string): Promise<void>;
  openInUnits(unitIds: string[]): Promise<IndexRow[]>;
  byReporter(personId: string): Promise<IndexRow[]>;
  /** How many were reported and closed in the units during an ISO week (`2026-W51`). */
  weekCounts(unitIds: string[], week: string): Promise<{ reported: number; closed: number }>;
}

/** The scheduler's timers, as the deviation feature sets them (after every change). */
export interface DeviationTimers {
  set(timers: Timer[]): Promise<void>;
}

/** Channels that follow a unit (team-channel subscriptions). */
export interface ChannelFollowers {
  followersOf(
    topic: string,
    unitId: string,
    org: Organisation,
  ): Promise<{ teamId: string; channelId: string }[]>;
  forTopic(topic: string): Promise<{ teamId: string; channelId: string; unitId: string }[]>;
}

export interface DeviationDeps {
  records: DeviationRecords;
  index: DeviationIndex;
  claims: FormClaims;
  org: OrgDirectory;
  /** Whether a person can be reached in Teams (routing to a leader who has the bot). */
  reach: { canReach(personId: string): Promise<boolean> };
  /** Cards posted in a turn that must follow the record ("Vis" in a list). */
  postedCards: PostedCards;
  /** Messages that belong to no single change (nudges). */
  outbox: Outbox;
  signer: CardSigner;
  clock: Clock;
  timers: DeviationTimers;
  nudges: NudgeSettings;
  /** Absent until channel subscriptions are configured: then no channel hears anything. */
  channels?: ChannelFollowers;
  /** Per-person limits on new reports and forms (kernel/limits.ts); absent: no limits. */
  limits?: UsageLimits;
}
