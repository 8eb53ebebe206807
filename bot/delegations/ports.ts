import type { AuditEvent } from '../kernel/audit';
import type { CardSigner } from '../kernel/card-signing';
import type { Clock } from '../kernel/clock';
import type { FormClaims, RecordPort, VersionedRecord } from '../kernel/records';
import type { ReferenceCounter } from '../kernel/reference';
import type { Message, Outbox } from '../messaging/outbox';
import type { OrgDirectory, Role } from '../org/organisation';
import type { AuthorityArea, Grant, GrantEvent, PoliticalBasis, Register } from './delegation';

/** What the delegation feature's use cases need; adapters are wired in bot/app/compose.ts. */

export interface GrantRecords extends RecordPort<Grant, GrantEvent> {
  create(record: Grant, event: GrantEvent, messages?: Message[]): Promise<void>;
  /** Stores a new grant under the next free reference (`build` makes it for a reference). */
  insertNew(
    counter: ReferenceCounter,
    now: Date,
    build: (ref: string) => { record: Grant; event: GrantEvent; messages?: Message[] },
  ): Promise<Grant>;
  events(ref: string): Promise<GrantEvent[]>;
}

/**
 * The register as the use cases read it: the catalogue and every grant (one index row each,
 * kept in step with its record). Events are not part of it; `withEvents` adds them (reports
 * as of a date).
 */
export interface RegisterIndex {
  read(): Promise<Register>;
  /** Upserts the index row for the grant's revision; an older revision never replaces a newer. */
  put(grant: Grant): Promise<void>;
}

export interface CatalogueImport {
  areas: { added: string[]; changed: string[]; unchanged: string[]; kept: string[] };
  grants: { added: string[]; unchanged: string[] };
}

export interface AuthorityCatalogue {
  /** Upserts areas and the council's decision; never removes an area. */
  saveCatalogue(
    municipality: string,
    political: PoliticalBasis,
    areas: AuthorityArea[],
  ): Promise<CatalogueImport['areas']>;
  /** The reference an imported file grant got, by its id in the file. */
  sourceRef(fileId: string): Promise<string | undefined>;
  rememberSource(fileId: string, ref: string): Promise<void>;
  municipality(): Promise<string | undefined>;
}

/** The reference prefix of confirmation requests (`BEK-2026-0007`). */
export const REQUEST_PREFIX = 'BEK';

export const REQUEST_STATUSES = ['open', 'confirmed', 'refused'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];
export const REQUEST_EVENTS = ['requested', 'confirmed', 'refused', 'granted'] as const;
export type RequestEventKind = (typeof REQUEST_EVENTS)[number];
export type RequestEvent = AuditEvent<RequestEventKind, RequestStatus>;

/**
 * "Bekreft fullmakt": an employee asks their leader to confirm that they may decide a matter.
 * Confirmed, it becomes a grant (origin 'confirmation') from the leader to the employee.
 */
export interface ConfirmationRequest extends VersionedRecord {
  /** `BEK-2026-0007` */
  ref: string;
  areaId: string;
  requesterId: string;
  leaderId: string;
  /** The matter, in the requester's words (data, never a template). */
  matter?: string;
  status: RequestStatus;
  createdAt: string;
  /** The leader's terms when confirmed. */
  limitNok?: number;
  validFrom?: string;
  validTo?: string;
  /** The leader's reason when refused. */
  reason?: string;
  decidedAt?: string;
  /** The grant the confirmation became. */
  grantRef?: string;
}

export interface RequestRecords extends RecordPort<ConfirmationRequest, RequestEvent> {
  insertNew(
    counter: ReferenceCounter,
    now: Date,
    build: (ref: string) => {
      record: ConfirmationRequest;
      event: RequestEvent;
      messages?: Message[];
    },
  ): Promise<ConfirmationRequest>;
}

export interface DelegationSettings {
  /** Rule 7: the role told of every new grant below level 2 (the rådmann's office). */
  reportRole: Role;
  /** When the expiry job runs (croner, Europe/Oslo). */
  expireCron: string;
  /** How long an "eksporter fullmakter" link works (DELEGATION_EXPORT_MINUTES). */
  exportLinkMinutes: number;
  /** Where the bot's HTTP server is reached from a browser (PUBLIC_URL): export links. */
  publicUrl: string;
}

export interface DelegationDeps {
  grants: GrantRecords;
  register: RegisterIndex;
  catalogue: AuthorityCatalogue;
  requests: RequestRecords;
  grantCounter: ReferenceCounter;
  requestCounter: ReferenceCounter;
  claims: FormClaims;
  org: OrgDirectory;
  outbox: Outbox;
  signer: CardSigner;
  clock: Clock;
  settings: DelegationSettings;
}
