import type { ChannelSubscriptions } from '../channels/ports';
import type { CardSigner } from '../kernel/card-signing';
import type { Clock } from '../kernel/clock';
import type { RecordPort } from '../kernel/records';
import type { Message, Outbox } from '../messaging/outbox';
import type { OrgDirectory } from '../org/organisation';
import type { TimerStore } from '../scheduling/scheduler';
import type { WorkingHours } from '../time/working-time';
import type { ArshjulFile, Occurrence, OccurrenceEvent } from './arshjul';
import type { FeedSecrets } from './feed-secrets';

/** What the årshjul's use cases need; adapters are wired in bot/app/compose.ts. */

/** An occurrence as the index holds it: no sign-off note and no names. */
export type IndexedOccurrence = Omit<Occurrence, 'lastActionId' | 'doneBy' | 'doneNote'>;

export interface OccurrenceIndex {
  /** Upserts the row for the record's revision; an older revision never replaces a newer. */
  put(o: Occurrence): Promise<void>;
  /** Every occurrence of a year (a few hundred: activities × units). */
  inYear(year: number): Promise<IndexedOccurrence[]>;
}

export interface CatalogueImport {
  added: string[];
  changed: string[];
  unchanged: string[];
  /** Removed because the file no longer has them and `removeMissing` was given. */
  removed: string[];
  /** Not in the file, kept (nothing is wiped silently). */
  kept: string[];
}

/** The imported årshjul file (activities). */
export interface ArshjulCatalogue {
  read(): Promise<ArshjulFile | undefined>;
  import(file: ArshjulFile, options: { removeMissing: boolean }): Promise<CatalogueImport>;
}

export interface OccurrenceRecords extends RecordPort<Occurrence, OccurrenceEvent> {
  create(record: Occurrence, event: OccurrenceEvent, messages?: Message[]): Promise<void>;
  events(ref: string): Promise<OccurrenceEvent[]>;
}

/** Every number is a setting (docs/operations.md). */
export interface ArshjulSettings {
  /** Overdue and not signed off: the owner's leader is told after this many working days. */
  escalateWorkingDays: number;
  /** Reminders go at the start of working hours, on working days. */
  workingHours: WorkingHours;
  /** How far ahead occurrences are materialised and the calendar feed reaches. */
  horizonMonths: number;
  /** When the materialisation runs (croner, Europe/Oslo). */
  materialiseCron: string;
}

export const DEFAULT_ARSHJUL_SETTINGS: ArshjulSettings = {
  escalateWorkingDays: 5,
  workingHours: { start: '08:00', end: '16:00' },
  horizonMonths: 24,
  materialiseCron: '0 6 * * *',
};

export interface ArshjulDeps {
  records: OccurrenceRecords;
  index: OccurrenceIndex;
  catalogue: ArshjulCatalogue;
  org: OrgDirectory;
  outbox: Outbox;
  timers: TimerStore;
  signer: CardSigner;
  clock: Clock;
  channels?: ChannelSubscriptions;
  feeds: FeedSecrets;
  settings: ArshjulSettings;
  /** Where the calendar feed is reached from outside, e.g. https://internkontroll.heim.kommune.no */
  publicUrl: string;
}
