import { performance } from 'node:perf_hooks';
import { log } from '../app/log';
import { fill, strings } from '../i18n';
import { notice, renderCard, type Card } from '../kernel/card-templates';
import { ConcurrentChangeError } from '../kernel/records';
import type { Stored } from '../kernel/records';
import type { Composer, DrawContext, StoredMessage } from '../messaging/outbox';
import type { CopyDrawer } from '../messaging/posted-card-messages';
import { leadersUpTheLine } from '../org/organisation';
import { isOpen, SYSTEM_ACTOR, type Deviation, type DeviationEvent } from './deviation';
import { mayHandle, mayView } from './deviation-access';
import { afterChange, deviationCard } from './deviation-messages';
import { deviationTimers } from './deviation-timers';
import { sceneOf } from './deviation-scene';
import { handlerData, outcomeData, receiptData } from './deviation-views';
import type { DeviationDeps } from './ports';

const refOf = (m: StoredMessage) => String(m.params.ref ?? '');

/** Reads kept for sharing: at most this many, and none older than this (ms). */
const SHARED_READS = 500;
const SHARED_READ_MS = 10_000;

/**
 * Reads of records for the composers, shared by the messages of a drain: a report's handler
 * card, receipt and index job all draw from one read. A read is shared only with messages the
 * dispatcher had read before it started (`DrawContext.readAt`): the change that decided such a
 * message was stored before, so the shared read shows it or something newer, exactly as a
 * read of its own would. Without a context (a caller outside the dispatcher) it reads afresh.
 */
export function sharedRecordReads(
  get: (ref: string) => Promise<Stored<Deviation> | undefined>,
  clock: () => number = () => performance.now(),
) {
  const reads = new Map<string, { startedAt: number; value: Promise<Deviation | undefined> }>();
  const prune = () => {
    const old = clock() - SHARED_READ_MS;
    for (const [ref, read] of reads) if (read.startedAt < old) reads.delete(ref);
    // Still too many (a burst of cases): the oldest go first (the map keeps insertion order).
    for (const ref of reads.keys()) {
      if (reads.size <= SHARED_READS) break;
      reads.delete(ref);
    }
  };
  return (ref: string, context?: DrawContext): Promise<Deviation | undefined> => {
    const shared = reads.get(ref);
    if (shared && context && shared.startedAt >= context.readAt) return shared.value;
    const startedAt = clock();
    const value = get(ref).then((found) => found?.record);
    reads.delete(ref);
    reads.set(ref, { startedAt, value });
    value.catch(() => {
      if (reads.get(ref)?.value === value) reads.delete(ref);
    });
    if (reads.size > SHARED_READS) prune();
    return value;
  };
}

/**
 * The deviation messages drawn at send time, from the record as it is then: a handler card for
 * a case that was closed or moved meanwhile is not sent, and every card shows the latest state.
 */
export function deviationComposers(deps: DeviationDeps): {
  composers: Composer[];
  drawCopy: CopyDrawer;
} {
  const current = sharedRecordReads((ref) => deps.records.get(ref));
  const scene = async (language: Parameters<typeof strings>[0], now: Date) =>
    sceneOf(await deps.org.snapshot(), language, now);

  const drawCopy: CopyDrawer = async (ref, copy, language, now, context) => {
    const d = await current(ref, context);
    if (!d) return undefined;
    const view = await scene(language, now);
    if (copy.view === 'receipt' && copy.ownerId === d.reporterId)
      return renderCard('deviations/receipt', receiptData(view, d, deps.signer));
    if (!mayView(view.org, d, copy.ownerId)) {
      // Escalated or reassigned away: the old copy must not keep showing the case.
      await deps.postedCards.forget(deviationCard(ref), copy);
      return notice(fill(strings(language).refusals.not_allowed_view, { ref }), '', 'Default');
    }
    return renderCard(
      'deviations/handler',
      handlerData(view, d, deps.signer, { viewerId: copy.ownerId }),
    );
  };

  const composers: Composer[] = [
    {
      type: 'deviation.handler-card',
      async compose(m, language, now, context) {
        const d = await current(refOf(m), context);
        const personId = m.to.kind === 'person' ? m.to.id : '';
        if (!d || !isOpen(d)) return { skip: 'the case is closed' };
        const view = await scene(language, now);
        if (!mayHandle(view.org, d, personId)) return { skip: 'the case is no longer theirs' };
        if (m.params.unlessPosted) {
          const copies = await deps.postedCards.list(deviationCard(d.ref));
          if (copies.some((c) => c.ownerId === personId && c.view === 'handler'))
            return { skip: 'they have the card already' };
        }
        const text = strings(language);
        const headline =
          m.params.headline === 'newForYou' ? text.handler.newForYou : text.assigned.title;
        return {
          card: renderCard(
            'deviations/handler',
            handlerData(view, d, deps.signer, { viewerId: personId, headline }),
          ),
        };
      },
      onGone: (m, now) => reroute(deps, refOf(m), m.to.kind === 'person' ? m.to.id : '', now),
    },
    {
      type: 'deviation.receipt',
      async compose(m, language, now, context) {
        const d = await current(refOf(m), context);
        if (!d) return { skip: 'no such case' };
        return {
          card: renderCard(
            'deviations/receipt',
            receiptData(await scene(language, now), d, deps.signer),
          ),
        };
      },
    },
    {
      type: 'deviation.outcome',
      async compose(m, language, now, context) {
        const d = await current(refOf(m), context);
        if (!d || isOpen(d)) return { skip: 'the case is open' };
        return {
          card: renderCard('deviations/outcome', outcomeData(await scene(language, now), d)),
        };
      },
    },
    {
      type: 'deviation.moved',
      async compose(m, language, now, context) {
        const d = await current(refOf(m), context);
        if (!d || !isOpen(d) || d.rev !== Number(m.params.rev))
          return { skip: 'changed again since' };
        const view = await scene(language, now);
        const text = strings(language);
        const name = view.org.people.get(d.handlerId)?.name ?? text.history.unknownPerson;
        return {
          card: notice(fill(text.moved.text, { ref: d.ref, name }), text.moved.title, 'Default'),
        };
      },
    },
    {
      type: 'deviation.sync',
      async run(m, _now, context) {
        const d = await current(refOf(m), context);
        if (!d) return;
        const previous =
          typeof m.params.previousUnitId === 'string' ? m.params.previousUnitId : undefined;
        await deps.index.sync(d, previous);
        await deps.timers.set(deviationTimers(d, deps.nudges));
      },
    },
  ];
  return { composers, drawCopy };
}

/**
 * The handler card could not be delivered (the leader blocked or never installed the bot): the
 * case goes to the next leader up the line who can be reached, with an audit event, and the
 * reporter is told who has it now.
 */
async function reroute(deps: DeviationDeps, ref: string, unreachableId: string, now: Date) {
  for (let attempt = 0; attempt < 3; attempt++) {
    const found = await deps.records.get(ref);
    if (!found || !isOpen(found.record) || found.record.handlerId !== unreachableId) return;
    const d = found.record;
    const { org } = await deps.org.snapshot();
    const line = leadersUpTheLine(org, d.unitId);
    const above = line.slice(line.findIndex((p) => p.id === unreachableId) + 1);
    let next: string | undefined;
    for (const leader of above) if (await deps.reach.canReach(leader.id)) next ??= leader.id;
    if (!next) {
      log.warn({ ref }, 'handler card undeliverable and nobody above can be reached');
      return;
    }
    const at = now.toISOString();
    const after: Deviation = {
      ...d,
      rev: d.rev + 1,
      handlerId: next,
      assigneeId: undefined,
      updatedAt: at,
    };
    const event: DeviationEvent = {
      ref,
      seq: after.rev,
      at,
      kind: 'rerouted',
      actorId: SYSTEM_ACTOR,
      fromStatus: d.status,
      toStatus: d.status,
      targetId: next,
    };
    try {
      await deps.records.update(d, after, found.etag, event, afterChange(d, after, event, now));
      log.info({ ref, rev: after.rev }, 'case re-routed up the line');
      return;
    } catch (err) {
      if (!(err instanceof ConcurrentChangeError)) throw err;
    }
  }
}

export type { Card };
