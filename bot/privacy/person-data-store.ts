import { odata, type TableClient } from '@azure/data-tables';
import { claimScans } from '../store/claims';
import { ConversationStore } from '../store/conversation-store';
import { StateStore } from '../store/state-store';
import {
  getEntityOrUndefined,
  listPartition,
  safeKey,
  withoutServiceFields,
  type TableName,
  type Tables,
} from '../store/tables';
import { ACCESS_ROWS, accessEventOf } from './access-log-store';
import { draftIn } from './drafts';
import { stateKeysOf } from './drafts-store';
import { operatorAuditsAbout } from './operator-audit-store';
import type { CaseActedOn, PersonData, ReportedCase } from './person-data';

/**
 * Everything the bot stores about one person, found where it is kept (docs/privacy.md, "An
 * access request"). Their own reports come through the reporter index; the rest is found with
 * filters the table service runs over whole tables (scans): fine for a rare operator command,
 * never on a user's path. A case the person reported is included whole, anonymous or not; a
 * case they only handled, were assigned or acted on is included as its statistics and their
 * own steps, never with its reporter: an anonymous reporter is shown to nobody but themself.
 */
type Row = Record<string, unknown>;

/** What a case they did not report shows of itself: statistics, no texts, no reporter. */
const SUMMARY_FIELDS = [
  'type',
  'categoryId',
  'unitId',
  'severity',
  'status',
  'handlerId',
  'assigneeId',
  'createdAt',
  'closedAt',
];

const isEvent = (row: Row) => String(row.rowKey).startsWith('event-');
const isAccess = (row: Row) => {
  const key = String(row.rowKey);
  return key >= ACCESS_ROWS.from && key < ACCESS_ROWS.to;
};

async function listWhere(client: TableClient, filter: string): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const e of client.listEntities<Row>({ queryOptions: { filter } })) rows.push(e);
  return rows;
}

const plain = (rows: Row[]) => rows.map(withoutServiceFields);
/** Rows with their keys, so that an erasure can address them. */
const keyed = (rows: Row[]) =>
  rows.map((r) => ({ partitionKey: r.partitionKey, rowKey: r.rowKey, ...withoutServiceFields(r) }));

function readable(record: Row): Row {
  const row = withoutServiceFields(record);
  if (typeof row.measures === 'string') row.measures = JSON.parse(row.measures);
  return row;
}

export async function collectPersonData(tables: Tables, personId: string): Promise<PersonData> {
  const deviations = tables.client('Deviations');
  const scan = (table: TableName, filter: string) => listWhere(tables.client(table), filter);
  const [indexRows, touched] = await Promise.all([
    listPartition(tables.client('DeviationIndex'), `reporter_${safeKey(personId)}`),
    scan(
      'Deviations',
      odata`reporterId eq ${personId} or handlerId eq ${personId} or assigneeId eq ${personId} or actorId eq ${personId} or targetId eq ${personId} or personId eq ${personId} or byId eq ${personId}`,
    ),
  ]);
  const reportedRefs = new Set(indexRows.map((r) => String(r.rowKey)));
  for (const row of touched)
    if (row.rowKey === 'deviation' && row.reporterId === personId)
      reportedRefs.add(String(row.partitionKey));

  const reportedCases = await Promise.all([...reportedRefs].sort().map(reportedCase));
  async function reportedCase(ref: string): Promise<ReportedCase> {
    const [record, rows] = await Promise.all([
      getEntityOrUndefined<Row>(deviations, ref, 'deviation'),
      listPartition(deviations, ref),
    ]);
    return {
      ref,
      record: record ? readable(record) : {},
      events: plain(rows.filter(isEvent)),
      measures: plain(rows.filter(isMeasure)),
      views: rows
        .filter((r) => isAccess(r) && r.byReporter === true)
        .map((r) => accessEventOf(ref, r)),
    };
  }

  const conversation = await new ConversationStore(tables).forUser(personId);
  const teamsIds = [personId, ...chatUserIdOf(conversation?.reference)];
  const states = await new StateStore(tables).read(await stateKeysOf(tables, teamsIds));
  const drafts = [...states].flatMap(([key, doc]) => {
    const found = draftIn(doc.json);
    return found ? [{ key, ...found }] : [];
  });

  const [organisation, postedCards, claims, subscriptions, outbox, arshjul, privacyAudit] =
    await Promise.all([
      getEntityOrUndefined<Row>(tables.client('Org'), 'person', personId).catch(() => undefined),
      scan('PostedCards', odata`ownerId eq ${personId}`),
      Promise.all(
        claimScans(tables, odata`by eq ${personId}`).map((c) => listWhere(c.client, c.filter)),
      ).then((found) => found.flat()),
      scan('Subscriptions', odata`subscribedBy eq ${personId}`),
      // The `msg_<0-f>` partitions: messages that belong to no case (nudges, digests).
      scan('Outbox', odata`PartitionKey ge ${'msg_'} and PartitionKey lt ${'msg`'}`),
      scan(
        'Arshjul',
        odata`doneBy eq ${personId} or actorId eq ${personId} or targetId eq ${personId}`,
      ),
      operatorAuditsAbout(tables, personId),
    ]);
  const usageCounts = (
    await Promise.all(
      ['report', 'form'].map((use) =>
        listPartition(tables.client('Limits'), `${use}_${safeKey(personId)}`),
      ),
    )
  ).flat();
  const otherRecords = await recordsNaming(tables, personId);

  return {
    personId,
    organisation: organisation ? withoutServiceFields(organisation) : undefined,
    reportedCases,
    casesActedOn: casesActedOn(touched, reportedRefs, personId),
    accessEvents: touched
      .filter((r) => isAccess(r) && !reportedRefs.has(String(r.partitionKey)))
      .map((r) => accessEventOf(String(r.partitionKey), r)),
    conversation: conversation && { ...conversation },
    drafts,
    postedCards: keyed(postedCards),
    claims: keyed(claims),
    subscriptions: keyed(subscriptions),
    outboxMessages: keyed(outbox.filter((m) => addressedTo(m, personId))),
    arshjul: arshjul.map((r) => ({ ...withoutServiceFields(r), ref: r.partitionKey })),
    privacyAudit,
    usageCounts: keyed(usageCounts),
    otherRecords,
  };
}

/**
 * Tasks, processes and delegations naming the person: a filter on the fields that hold person
 * ids, plus the delegation register's rows, whose grant JSON names the holder. A scan, like the
 * rest of this rare operator command (docs/privacy.md).
 */
async function recordsNaming(
  tables: Tables,
  personId: string,
): Promise<{ table: TableName; rows: Row[] }[]> {
  const fields = [
    'actorId',
    'targetId',
    'ownerId',
    'assigneeId',
    'createdBy',
    'fromId',
    'requesterId',
    'leaderId',
    'commissionerId',
  ];
  // An OData string literal (a quote doubled); the field names are ours.
  const literal = `'${personId.replace(/'/g, "''")}'`;
  const filter = fields.map((f) => `${f} eq ${literal}`).join(' or ');
  const found = await Promise.all(
    (['Tasks', 'Processes', 'Delegations'] as const).map(async (table) => {
      const rows = await listWhere(tables.client(table), filter);
      if (table === 'Delegations') {
        const register = await listPartition(tables.client(table), 'register');
        rows.push(...register.filter((r) => JSON.stringify(r).includes(personId)));
      }
      if (table === 'Processes') {
        const all = await listWhere(tables.client(table), odata`RowKey eq ${'process'}`);
        for (const r of all)
          if (
            JSON.stringify(r).includes(personId) &&
            !rows.some((x) => x.partitionKey === r.partitionKey)
          )
            rows.push(r);
      }
      return { table, rows: keyed(rows) };
    }),
  );
  return found.filter((f) => f.rows.length > 0);
}

const isMeasure = (row: Row) => String(row.rowKey).startsWith('measure-');

/** Cases they did not report but handled, were assigned or acted on. */
function casesActedOn(touched: Row[], reported: Set<string>, personId: string): CaseActedOn[] {
  const byRef = new Map<string, CaseActedOn>();
  for (const row of touched) {
    const ref = String(row.partitionKey);
    if (reported.has(ref) || isAccess(row)) continue;
    const entry = byRef.get(ref) ?? { ref, summary: {}, roles: [], events: [] };
    byRef.set(ref, entry);
    if (row.rowKey === 'deviation') {
      for (const field of SUMMARY_FIELDS)
        if (row[field] !== undefined) entry.summary[field] = row[field];
      if (row.handlerId === personId) entry.roles.push('handler');
      if (row.assigneeId === personId) entry.roles.push('assignee');
    } else if (isEvent(row) || isMeasure(row)) {
      entry.events.push(withoutServiceFields(row));
      if (!entry.roles.includes('actor')) entry.roles.push('actor');
    }
  }
  return [...byRef.values()].sort((a, b) => a.ref.localeCompare(b.ref));
}

function addressedTo(message: Row, personId: string): boolean {
  try {
    const to = JSON.parse(String(message.to)) as { id?: string; copy?: { ownerId?: string } };
    return to.id === personId || to.copy?.ownerId === personId;
  } catch {
    return false;
  }
}

/** The Teams chat user id (29:…) in a stored conversation reference: it keys the bot state. */
function chatUserIdOf(reference: string | undefined): string[] {
  if (!reference) return [];
  try {
    const id = (JSON.parse(reference) as { user?: { id?: unknown } }).user?.id;
    return typeof id === 'string' && id ? [id] : [];
  } catch {
    return [];
  }
}
