import { z } from 'zod';
import type { Actor } from '../../bot/kernel/actor';
import { auditEventSchema, type AuditEvent } from '../../bot/kernel/audit';
import {
  CardActionPipeline,
  type ActionScene,
  type CardActionFeature,
} from '../../bot/kernel/card-action';
import type { CardSigner } from '../../bot/kernel/card-signing';
import type { Card } from '../../bot/kernel/card-templates';
import type { VersionedRecord } from '../../bot/kernel/records';
import type { FeatureKit } from '../../bot/app/host';
import type { Composer } from '../../bot/messaging/outbox';
import { updateCopies, type CopyDrawer } from '../../bot/messaging/posted-card-messages';
import { makeOrganisation } from '../../bot/org/organisation';
import { TableReferenceCounter } from '../../bot/store/counters';
import { RecordTable } from '../../bot/store/record-table';

/**
 * A feature of its own, written only against the kernel, to show that a new case kind needs no
 * copy of the deviation code: an acknowledgement ("kvittering") that one person confirms with
 * one verb, `ack.confirm`. Record and audit trail through the record kit, references from the
 * counters (ACK-2026-0001), cards through the outbox, the verb through the pipeline.
 * It keeps its partitions in the `Deviations` table (a real feature adds its own table name).
 */
export interface Acknowledgement extends VersionedRecord {
  title: string;
  ownerId: string;
  watcherId: string;
  status: 'open' | 'confirmed';
  confirmedAt?: string;
}
type AckEvent = AuditEvent<'created' | 'confirm', Acknowledgement['status']>;

export const ACK_VERB = 'ack.confirm';

const ackSchema = z.object({
  ref: z.string(),
  rev: z.number().int(),
  lastActionId: z.string().optional(),
  title: z.string(),
  ownerId: z.string(),
  watcherId: z.string(),
  status: z.enum(['open', 'confirmed']),
  confirmedAt: z.string().optional(),
});

/** Plain card JSON (a real feature uses a template in cards/). */
function ackCard(kind: string, a: Acknowledgement, signer: CardSigner, notice = ''): Card {
  const sig = signer.sign({ kind, id: a.ref, rev: a.rev, verb: ACK_VERB });
  return {
    type: 'AdaptiveCard',
    version: '1.5',
    body: [
      { type: 'TextBlock', text: `${a.ref}: ${a.title} (${a.status})` },
      ...(notice ? [{ type: 'TextBlock', text: notice }] : []),
    ],
    actions:
      a.status === 'open'
        ? [{ type: 'Action.Execute', verb: ACK_VERB, data: { ref: a.ref, rev: a.rev, sig } }]
        : [],
  };
}

export function kernelProbe(kit: FeatureKit) {
  const kind = 'ack';
  const records = new RecordTable<Acknowledgement, AckEvent>(
    kit.tables,
    {
      table: 'Deviations',
      recordRow: 'ack',
      recordSchema: ackSchema,
      eventSchema: auditEventSchema(['created', 'confirm'], ['open', 'confirmed']),
    },
    kit.outbox,
  );
  const counter = new TableReferenceCounter(kit.tables, 'ACK');
  const key = (ref: string) => ({ kind, id: ref });

  const feature: CardActionFeature<Acknowledgement, AckEvent, ActionScene> = {
    kind,
    verbs: [ACK_VERB],
    records,
    scene: async (actor: Actor) => ({
      org: makeOrganisation([], []),
      language: actor.language,
      now: new Date(),
    }),
    mayAct: ({ record, actorId }) => record.ownerId === actorId,
    mayView: ({ record, actorId }) => record.ownerId === actorId || record.watcherId === actorId,
    decide: ({ record, actor, scene, actionId }) => {
      if (record.status !== 'open') return { ok: false, refusal: 'Allerede bekreftet.' };
      const at = scene.now.toISOString();
      return {
        ok: true,
        record: {
          ...record,
          rev: record.rev + 1,
          status: 'confirmed',
          confirmedAt: at,
          lastActionId: actionId,
        },
        event: {
          ref: record.ref,
          at,
          kind: 'confirm',
          actorId: actor.id,
          fromStatus: 'open',
          toStatus: 'confirmed',
        },
      };
    },
    card: (_scene, record, _viewer, shown) => ackCard(kind, record, kit.signer, shown.notice),
    messagesFor: (scene, _before, after, _event, source) => [
      updateCopies(key(after.ref), after.rev, scene.now, source),
    ],
  };

  return {
    pipeline: new CardActionPipeline(feature, kit.signer),
    records,
    /** Draws a copy of the card at send time, from the record as it is then. */
    drawers: {
      [kind]: (async (ref) => {
        const found = await records.get(ref);
        return found && ackCard(kind, found.record, kit.signer);
      }) satisfies CopyDrawer,
    },
    composers: [
      {
        type: 'ack.card',
        async compose(m) {
          const found = await records.get(String(m.params.ref));
          return found ? { card: ackCard(kind, found.record, kit.signer) } : { skip: 'gone' };
        },
      },
    ] satisfies Composer[],
    /** Creates an acknowledgement; its cards to the owner and the watcher go in the same transaction. */
    async create(title: string, ownerId: string, watcherId: string): Promise<Acknowledgement> {
      const now = kit.clock.now();
      return records.insertNew(counter, now, (ref) => ({
        record: { ref, rev: 1, title, ownerId, watcherId, status: 'open' },
        event: {
          ref,
          seq: 1,
          at: now.toISOString(),
          kind: 'created',
          actorId: ownerId,
          toStatus: 'open',
        },
        messages: (
          [
            [ownerId, 'owner'],
            [watcherId, 'watcher'],
          ] as const
        ).map(([personId, view]) => ({
          key: `card:${personId}`,
          type: 'ack.card',
          to: { kind: 'person', id: personId },
          params: { ref },
          dueAt: now.toISOString(),
          remember: { card: key(ref), view },
        })),
      }));
    },
  };
}

export type KernelProbe = ReturnType<typeof kernelProbe>;
