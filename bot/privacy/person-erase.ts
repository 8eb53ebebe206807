import { personHash } from './operator-audit';
import type { PersonData } from './person-data';
import type { ErasureStore } from './ports';

/**
 * An erasure (GDPR art. 17) as far as the municipality's duties allow: what only serves the
 * person is deleted, their identity is removed where the record must be kept, and what must be
 * kept as it is (a leader's handling, the access log, årshjul sign-offs, the organisation from
 * HR) is listed with the reason. Without `confirm` it only says what it would do.
 */
export interface ErasureLine {
  what: string;
  count: number;
  action: 'deleted' | 'anonymised' | 'kept';
  reason?: string;
}

const KEPT_REASONS = {
  casesActedOn:
    'their steps as handler, assignee or leader are the municipality’s record of how a case was handled (internal control, arkivlova)',
  accessEvents:
    'the access log documents who has seen a case; it is kept as long as the case (and removed with it by retention)',
  arshjul:
    'an årshjul sign-off documents that the internal control was carried out; it is the municipality’s record',
  organisation:
    'the organisation comes from the HR import (npm run org:import): remove the person there, then import again',
  privacyAudit: 'documents that privacy requests were handled; the person is named by a hash only',
  otherRecords:
    'tasks, processes and delegations of authority are the municipality’s record of who was to do and who may decide what; change them in the bot (hand over, withdraw) or in the catalogue file',
};

export async function erasePerson(
  store: ErasureStore,
  data: PersonData,
  options: { confirm: boolean; at: Date; operator: string },
): Promise<ErasureLine[]> {
  const { personId } = data;
  const lines: ErasureLine[] = [];
  const line = (what: string, count: number, action: ErasureLine['action'], reason?: string) => {
    if (count > 0) lines.push(reason ? { what, count, action, reason } : { what, count, action });
  };
  const apply = async (work: () => Promise<unknown>) => {
    if (options.confirm) await work();
  };

  await apply(async () => {
    for (const c of data.reportedCases)
      await store.scrubCase({
        ref: c.ref,
        personId,
        texts: false,
        messages: 'person',
        copies: 'person',
        dropAccessLog: false,
        audit: {
          name: `erased-${personHash(personId)}`,
          fields: {
            kind: 'erased',
            at: options.at.toISOString(),
            actorId: options.operator.slice(0, 100),
            note: 'the reporter’s identity was erased on request',
          },
        },
      });
    await store.dropReporterIndex(personId);
  });
  line(
    'cases they reported: their identity (the case text is kept: the municipality’s record)',
    data.reportedCases.length,
    'anonymised',
  );

  await apply(() => store.forgetConversation(personId));
  line('how the bot reaches them (conversation reference)', data.conversation ? 1 : 0, 'deleted');

  await apply(() => store.deleteStates(data.drafts.map((d) => d.key)));
  line('unsent report drafts', data.drafts.length, 'deleted');

  await apply(() => store.deleteRows('PostedCards', data.postedCards));
  line(
    'cards remembered in their chat (the messages stay in Teams, out of the bot’s reach)',
    data.postedCards.length,
    'deleted',
  );

  await apply(() => store.deleteRows('Outbox', data.outboxMessages));
  line('messages to them not yet sent', data.outboxMessages.length, 'deleted');

  await apply(() => store.scrubClaims({ personId }));
  line('form claims (who sent a form)', data.claims.length, 'anonymised');

  await apply(() => store.anonymiseSubscriptions(data.subscriptions));
  line('channel subscriptions they made', data.subscriptions.length, 'anonymised');

  await apply(() => store.deleteRows('Limits', data.usageCounts));
  line(
    'abuse-limit counters (reports and forms this hour and day)',
    data.usageCounts.length,
    'deleted',
  );

  line(
    'tasks, processes and delegations that name them',
    data.otherRecords.reduce((n, r) => n + r.rows.length, 0),
    'kept',
    KEPT_REASONS.otherRecords,
  );
  line(
    'cases they handled or acted on',
    data.casesActedOn.length,
    'kept',
    KEPT_REASONS.casesActedOn,
  );
  line(
    'cases they opened (access log)',
    data.accessEvents.length,
    'kept',
    KEPT_REASONS.accessEvents,
  );
  line('årshjul sign-offs and steps', data.arshjul.length, 'kept', KEPT_REASONS.arshjul);
  line(
    'their entry in the organisation',
    data.organisation ? 1 : 0,
    'kept',
    KEPT_REASONS.organisation,
  );
  line(
    'earlier privacy commands about them',
    data.privacyAudit.length,
    'kept',
    KEPT_REASONS.privacyAudit,
  );
  return lines;
}
