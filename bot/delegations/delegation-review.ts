import { log } from '../app/log';
import { ConcurrentChangeError } from '../kernel/records';
import type { Composer, Message, StoredMessage } from '../messaging/outbox';
import { updateCopies } from '../messaging/posted-card-messages';
import type { Organisation } from '../org/organisation';
import type { GrantChange, Register } from './delegation';
import { readDelegationScene } from './delegation-actions';
import { grantCardKey, syncMessage } from './delegation-messages';
import { flagForReview, reviewAfterOrgChange, type ReviewFlag } from './delegation-rules';
import { withCurrent } from './delegation-time';
import { grantCard } from './delegation-views';
import type { DelegationDeps } from './ports';

/**
 * Rule 6 in Teams: after an organisation import, the personal grants of people who changed unit
 * or leader (or left) are flagged, and the holder's old and new leaders each get the grant card
 * with "Behold" and "Trekk tilbake" (the grant pipeline decides: delegation-actions.ts). The org
 * module knows nothing of this: the composition root hands every import's before and after here.
 */

const ATTEMPTS = 3;

/** The flag, the register row, the grant's other copies, and a card to each reviewing leader. */
export function reviewMessages(change: GrantChange, now: Date): Message[] {
  const { after } = change;
  const review = after.review;
  const leaders = new Set(
    [review?.oldLeaderId, review?.newLeaderId].filter(
      (id): id is string => id !== undefined && id !== review?.personId,
    ),
  );
  return [
    syncMessage(after, now),
    updateCopies(grantCardKey(after.ref), after.rev, now),
    ...[...leaders].map((id) => ({
      key: `review:${after.rev}:${id}`,
      type: 'delegation.review',
      to: { kind: 'person' as const, id },
      params: { ref: after.ref },
      dueAt: now.toISOString(),
      remember: { card: grantCardKey(after.ref), view: 'reviewer' },
    })),
  ];
}

const flagsFor = (register: Pick<Register, 'grants'>, before: Organisation, after: Organisation) =>
  reviewAfterOrgChange(register, before, after);

export function delegationReview(deps: DelegationDeps) {
  /**
   * Flags one grant as its record is now (the index row may be behind); a change meanwhile is
   * read again. Returns whether it was flagged (a grant already flagged for this move is not).
   */
  async function flagOne(flag: ReviewFlag, before: Organisation, after: Organisation, now: Date) {
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const found = await deps.grants.get(flag.ref);
      const current = found && flagsFor({ grants: [found.record] }, before, after)[0];
      if (!found || !current) return false;
      const change = flagForReview(found.record, current, now);
      try {
        await deps.grants.update(
          found.record,
          change.after,
          found.etag,
          change.event,
          reviewMessages(change, now),
        );
        return true;
      } catch (err) {
        if (!(err instanceof ConcurrentChangeError) || attempt === ATTEMPTS) throw err;
      }
    }
    return false;
  }

  /** After an import: flags every personal grant whose holder moved; returns how many. */
  async function reviewOrgChange(
    before: Organisation,
    after: Organisation,
    now: Date,
  ): Promise<number> {
    const flags = flagsFor(await deps.register.read(), before, after);
    let flagged = 0;
    for (const flag of flags) if (await flagOne(flag, before, after, now)) flagged++;
    if (flagged) log.info({ flagged }, 'grants flagged for review after an org import');
    return flagged;
  }

  const composers: Composer[] = [
    {
      type: 'delegation.review',
      async compose(m: StoredMessage, language) {
        const grant = (await deps.grants.get(String(m.params.ref)))?.record;
        if (!grant?.review) return { skip: 'reviewed or ended' };
        const view = await readDelegationScene(deps, language);
        const viewer = m.to.kind === 'person' ? m.to.id : '';
        return { card: grantCard(withCurrent(view, grant), grant, viewer, deps.signer) };
      },
    },
  ];

  return { reviewOrgChange, composers };
}
