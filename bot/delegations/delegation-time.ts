import { log } from '../app/log';
import { fill, type Language } from '../i18n';
import { notice } from '../kernel/card-templates';
import { ConcurrentChangeError } from '../kernel/records';
import type { Composer, StoredMessage } from '../messaging/outbox';
import { updateCopies, type CopyDrawer } from '../messaging/posted-card-messages';
import type { Job } from '../scheduling/scheduler';
import { grantByRef, type GrantChange } from './delegation';
import { readDelegationScene, withGrant } from './delegation-actions';
import { cardTexts } from './delegation-card-texts';
import {
  answerMessage,
  endedMessages,
  reportMessages,
  requestCardKey,
  syncMessage,
} from './delegation-messages';
import { limitText, validity } from './delegation-report';
import { confirmationDraft, requestCard } from './delegation-requests';
import { cascade, chainFor, expireDue, proposeGrant } from './delegation-rules';
import { personName, recipientName } from './delegation-texts';
import { areaLabel, chainCard, grantCard, namesOf, type DelegationScene } from './delegation-views';
import type { DelegationDeps } from './ports';

/**
 * The delegation feature's background work: how its messages are drawn at send time (from the
 * grant as it is then), the cascade of a withdrawal (rule 5), the daily expiry job, and the
 * grant a confirmed request becomes. Every change goes through the record kit with its etag.
 */
export function delegationTime(deps: DelegationDeps) {
  const scene = (language: Language) => readDelegationScene(deps, language);
  const grantOf = async (m: StoredMessage) => (await deps.grants.get(String(m.params.ref)))?.record;
  const personOf = (m: StoredMessage) => (m.to.kind === 'person' ? m.to.id : '');

  /**
   * Stores ended grants one by one, each only if it is still as the change found it; a grant
   * changed meanwhile fails the job, which the dispatcher retries from the register as it is.
   */
  async function storeEnded(changes: GrantChange[], now: Date): Promise<void> {
    const { org } = await deps.org.snapshot();
    for (const change of changes) {
      const found = await deps.grants.get(change.after.ref);
      if (!found || found.record.rev !== change.before?.rev)
        throw new ConcurrentChangeError(change.after.ref);
      await deps.grants.update(
        found.record,
        change.after,
        found.etag,
        change.event,
        endedMessages(org, change, now),
      );
    }
  }

  /** Rule 5 after a withdrawal: everything derived from it ends, and its holders are told. */
  async function cascadeFrom(ref: string, actorId: string, now: Date): Promise<number> {
    const register = await deps.register.read();
    const withdrawn = (await deps.grants.get(ref))?.record;
    if (!withdrawn) return 0;
    const result = cascade(withGrant(register, withdrawn), ref, now, { actorId, cause: 'revoked' });
    await storeEnded(result.changes, now);
    if (result.changes.length) log.info({ ref, ended: result.changes.length }, 'grants cascaded');
    return result.changes.length;
  }

  /** The daily job: grants whose end passed expire, and so does everything derived from them. */
  async function expire(now: Date): Promise<number> {
    const result = expireDue(await deps.register.read(), now);
    await storeEnded(result.changes, now);
    if (result.changes.length) log.info({ expired: result.changes.length }, 'grants expired');
    return result.changes.length;
  }

  const expireJob: Job = {
    name: 'delegation-expire',
    cron: deps.settings.expireCron,
    async run(_scheduledAt, now) {
      await expire(now);
      return [];
    },
  };

  /** A confirmed request becomes a grant from the leader (active at once), then points to it. */
  async function grantConfirmed(ref: string, now: Date): Promise<void> {
    const found = await deps.requests.get(ref);
    if (!found || found.record.status !== 'confirmed' || found.record.grantRef) return;
    const request = found.record;
    const view = await scene('nb');
    const input = (grantRef: string) =>
      proposeGrant({
        register: view.register,
        org: view.org,
        actorId: request.leaderId,
        draft: confirmationDraft(request, request),
        now,
        ref: grantRef,
        origin: 'confirmation',
        note: request.matter,
      });
    const check = input('DEL-0000-0000');
    if (!check.ok) {
      log.warn({ ref, codes: check.refusals.map((r) => r.code) }, 'confirmation no longer holds');
      return;
    }
    const grant = await deps.grants.insertNew(deps.grantCounter, now, (grantRef) => {
      const made = input(grantRef);
      if (!made.ok) throw new Error('a checked confirmation was refused');
      const { after, event } = made.change;
      return {
        record: after,
        event,
        messages: [
          syncMessage(after, now),
          ...reportMessages(view.org, after, deps.settings.reportRole, now),
        ],
      };
    });
    const after = { ...request, rev: request.rev + 1, grantRef: grant.ref };
    try {
      await deps.requests.update(
        request,
        after,
        found.etag,
        {
          ref,
          seq: after.rev,
          at: now.toISOString(),
          kind: 'granted',
          actorId: request.leaderId,
          fromStatus: 'confirmed',
          toStatus: 'confirmed',
          targetId: grant.ref,
        },
        [answerMessage(after, now), updateCopies(requestCardKey(ref), after.rev, now)],
      );
    } catch (err) {
      if (!(err instanceof ConcurrentChangeError)) throw err;
    }
  }

  const simpleNotice = (text: string, title: string, color = 'Default') => ({
    card: notice(text, title, color),
  });

  const composers: Composer[] = [
    {
      type: 'delegation.sync',
      async run(m) {
        const grant = await grantOf(m);
        if (grant) await deps.register.put(grant);
      },
    },
    {
      type: 'delegation.cascade',
      async run(m, now) {
        await cascadeFrom(String(m.params.ref), String(m.params.actorId), now);
      },
    },
    {
      type: 'delegation.grant-confirmed',
      async run(m, now) {
        await grantConfirmed(String(m.params.ref), now);
      },
    },
    {
      type: 'delegation.offer',
      async compose(m, language) {
        const grant = await grantOf(m);
        if (!grant || grant.status !== 'proposed') return { skip: 'answered or ended' };
        const view = await scene(language);
        return { card: grantCard(withCurrent(view, grant), grant, personOf(m), deps.signer) };
      },
    },
    {
      type: 'delegation.decided',
      async compose(m, language) {
        const grant = await grantOf(m);
        if (!grant?.decision) return { skip: 'not decided' };
        const view = await scene(language);
        const t = cardTexts(language);
        const text = fill(grant.status === 'declined' ? t.decidedDeclined : t.decidedAccepted, {
          name: personName(grant.decision.by, namesOf(view), language),
          ref: grant.ref,
          area: areaLabel(view, grant.areaId),
        });
        const color = grant.status === 'declined' ? 'Attention' : 'Good';
        return simpleNotice(text, t.decidedTitle, color);
      },
    },
    {
      type: 'delegation.reported',
      async compose(m, language) {
        const grant = await grantOf(m);
        if (!grant) return { skip: 'gone' };
        const view = await scene(language);
        const t = cardTexts(language);
        const names = namesOf(view);
        const text = fill(t.reported, {
          from: personName(grant.fromId, names, language),
          to: recipientName(grant.to, names, language),
          area: areaLabel(view, grant.areaId),
          level: grant.level,
          limit: limitText(grant.limitNok, language),
          validity: validity(grant, language),
          ref: grant.ref,
        });
        return simpleNotice(text, t.reportedTitle);
      },
    },
    {
      type: 'delegation.lost',
      async compose(m, language) {
        const grant = await grantOf(m);
        if (!grant?.end) return { skip: 'not ended' };
        const view = await scene(language);
        const t = cardTexts(language);
        const values = {
          ref: grant.ref,
          area: areaLabel(view, grant.areaId),
          cause: grant.end.cascadeFrom ?? '',
          name: personName(grant.end.by, namesOf(view), language),
        };
        const why = String(m.params.why);
        const template =
          grant.decision === undefined && grant.origin === 'delegation'
            ? t.lostProposed
            : why === 'withdrawn'
              ? t.lostSelf
              : !grant.end.cascadeFrom
                ? t.expiredSelf
                : grant.status === 'expired'
                  ? t.lostExpired
                  : t.lostRevoked;
        return simpleNotice(fill(template, values), t.lostTitle, 'Attention');
      },
    },
    {
      type: 'delegation.request-card',
      async compose(m, language) {
        const request = (await deps.requests.get(String(m.params.ref)))?.record;
        if (!request || request.status !== 'open') return { skip: 'decided' };
        return { card: requestCard(await scene(language), request, personOf(m), deps.signer) };
      },
    },
    {
      type: 'delegation.request-answer',
      async compose(m, language) {
        const request = (await deps.requests.get(String(m.params.ref)))?.record;
        if (!request || request.status === 'open') return { skip: 'not decided' };
        const view = await scene(language);
        const t = cardTexts(language);
        const leader = personName(request.leaderId, namesOf(view), language);
        const area = areaLabel(view, request.areaId);
        if (request.status === 'refused')
          return simpleNotice(
            fill(t.answerRefused, { leader, ref: request.ref, area, reason: request.reason ?? '' }),
            t.answerTitle,
            'Attention',
          );
        const answer = chainFor(
          view.register,
          view.org,
          request.requesterId,
          request.areaId,
          view.now,
        );
        const headline = fill(t.answerConfirmed, { leader, area, ref: request.grantRef ?? '' });
        return { card: chainCard(view, answer, headline) };
      },
    },
  ];

  /** A posted copy of a grant card, drawn for the person it was posted to. */
  const drawGrant: CopyDrawer = async (ref, copy, language) => {
    const grant = (await deps.grants.get(ref))?.record;
    if (!grant) return undefined;
    return grantCard(withCurrent(await scene(language), grant), grant, copy.ownerId, deps.signer);
  };
  const drawRequest: CopyDrawer = async (ref, copy, language) => {
    const request = (await deps.requests.get(ref))?.record;
    if (!request) return undefined;
    return requestCard(await scene(language), request, copy.ownerId, deps.signer);
  };

  return { composers, drawGrant, drawRequest, expireJob, expire, cascadeFrom };
}

/** The scene with the grant as its record is (an index row may be a moment behind). */
export function withCurrent(view: DelegationScene, grant: Parameters<typeof withGrant>[1]) {
  return grantByRef(view.register, grant.ref)?.rev === grant.rev
    ? view
    : { ...view, register: withGrant(view.register, grant) };
}
