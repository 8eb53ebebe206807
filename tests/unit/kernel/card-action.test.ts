import type { Actor } from '../../../bot/kernel/actor';
import type { AuditEvent } from '../../../bot/kernel/audit';
import {
  CardActionPipeline,
  type ActionScene,
  type CardActionFeature,
} from '../../../bot/kernel/card-action';
import { CardSigner } from '../../../bot/kernel/card-signing';
import { ConcurrentChangeError, type Stored } from '../../../bot/kernel/records';
import { makeOrganisation } from '../../../bot/org/organisation';

/** The pipeline with a feature made of plain objects: every step's refusal, and the happy path. */
interface Lamp {
  ref: string;
  rev: number;
  lastActionId?: string;
  on: boolean;
  ownerId: string;
}
type LampEvent = AuditEvent<'toggle', 'on' | 'off'>;

const signer = new CardSigner('unit-test-card-signing-secret-0123456789');
const owner: Actor = { id: 'owner', name: 'Owner', language: 'nb', locale: 'nb-NO' };
const stranger: Actor = { ...owner, id: 'stranger' };
const NOW = new Date('2026-11-27T10:00:00Z');

function setup(options: { raceOnUpdate?: boolean } = {}) {
  const rows = new Map<string, Stored<Lamp>>([
    ['L-1', { record: { ref: 'L-1', rev: 1, on: false, ownerId: 'owner' }, etag: 'e1' }],
  ]);
  const events: LampEvent[] = [];
  const notified: string[] = [];
  const feature: CardActionFeature<Lamp, LampEvent, ActionScene> = {
    kind: 'lamp',
    verbs: ['lamp.toggle'],
    records: {
      get: async (ref) => rows.get(ref),
      async update(before, after, etag, event, messages = []) {
        if (options.raceOnUpdate || rows.get(before.ref)?.etag !== etag) {
          rows.set(before.ref, {
            record: { ...before, rev: before.rev + 1, on: true },
            etag: 'e-other',
          });
          throw new ConcurrentChangeError(before.ref);
        }
        rows.set(after.ref, { record: after, etag: `e${after.rev}` });
        events.push(event);
        // Stored with the change, in the same write: what the outbox will send.
        notified.push(...messages.map((m) => `${m.params.ref}@${m.key.split(':')[1]}`));
      },
    },
    scene: async (actor) => ({ org: makeOrganisation([], []), language: actor.language, now: NOW }),
    mayAct: ({ record, actorId }) => record.ownerId === actorId,
    mayView: () => false,
    // No lastActionId here: the pipeline stamps it (the retry test below relies on that).
    decide: ({ record, actor }) => ({
      ok: true,
      record: { ...record, rev: record.rev + 1, on: !record.on },
      event: {
        ref: record.ref,
        at: NOW.toISOString(),
        kind: 'toggle',
        actorId: actor.id,
        toStatus: record.on ? 'off' : 'on',
      },
    }),
    card: (_scene, record, _viewer, shown) => ({
      lamp: record.on,
      rev: record.rev,
      notice: shown.notice ?? '',
    }),
    messagesFor: (scene, _before, after) => [
      {
        key: `lamp:${after.rev}`,
        type: 'lamp.changed',
        to: { kind: 'person', id: after.ownerId },
        params: { ref: after.ref },
        dueAt: scene.now.toISOString(),
      },
    ],
  };
  return { pipeline: new CardActionPipeline(feature, signer), rows, events, notified };
}

const press = (rev = 1, verb = 'lamp.toggle') => ({
  ref: 'L-1',
  rev,
  sig: signer.sign({ kind: 'lamp', id: 'L-1', rev, verb }),
});

describe('CardActionPipeline', () => {
  test('a valid press changes the record once, writes its event with the new revision, and notifies', async () => {
    const s = setup();
    const card = await s.pipeline.act(owner, 'lamp.toggle', press(), { actionId: 'a1' });
    expect(card).toEqual({ lamp: true, rev: 2, notice: '' });
    expect(s.events).toEqual([expect.objectContaining({ seq: 2, kind: 'toggle', toStatus: 'on' })]);
    expect(s.notified).toEqual(['L-1@2']);
  });

  test('an unknown verb and a forged signature are refused before anything is read', async () => {
    const s = setup();
    s.rows.clear(); // a read would find nothing and say "not found" instead
    expect(
      JSON.stringify(await s.pipeline.act(owner, 'lamp.smash', press(), { actionId: 'a' })),
    ).toContain('Ukjent handling');
    expect(
      JSON.stringify(
        await s.pipeline.act(
          owner,
          'lamp.toggle',
          { ...press(), sig: 'x'.repeat(32) },
          { actionId: 'a' },
        ),
      ),
    ).toContain('Kortet er ikke gyldig');
  });

  test('a signature made for another kind is forged here', async () => {
    const s = setup();
    const sig = signer.sign({ kind: 'deviation', id: 'L-1', rev: 1, verb: 'lamp.toggle' });
    const card = await s.pipeline.act(
      owner,
      'lamp.toggle',
      { ref: 'L-1', rev: 1, sig },
      { actionId: 'a' },
    );
    expect(JSON.stringify(card)).toContain('Kortet er ikke gyldig');
    expect(s.events).toEqual([]);
  });

  test('a missing record, a stranger, a stale revision: each refused, nothing written', async () => {
    const s = setup();
    const gone = {
      ref: 'L-9',
      rev: 1,
      sig: signer.sign({ kind: 'lamp', id: 'L-9', rev: 1, verb: 'lamp.toggle' }),
    };
    expect(
      JSON.stringify(await s.pipeline.act(owner, 'lamp.toggle', gone, { actionId: 'a' })),
    ).toContain('Fant ikke L-9');
    expect(
      JSON.stringify(await s.pipeline.act(stranger, 'lamp.toggle', press(), { actionId: 'b' })),
    ).toContain('Du har ikke tilgang');
    await s.pipeline.act(owner, 'lamp.toggle', press(), { actionId: 'c' });
    const stale = await s.pipeline.act(owner, 'lamp.toggle', press(1), { actionId: 'd' });
    expect(JSON.stringify(stale)).toContain('endret av noen andre');
    expect(s.events).toHaveLength(1);
  });

  test('the same action id again returns the current card and changes nothing', async () => {
    const s = setup();
    await s.pipeline.act(owner, 'lamp.toggle', press(), { actionId: 'same' });
    const again = await s.pipeline.act(owner, 'lamp.toggle', press(), { actionId: 'same' });
    expect(again).toEqual({ lamp: true, rev: 2, notice: '' });
    expect(s.events).toHaveLength(1);
    expect(s.notified).toHaveLength(1);
  });

  test("a lost race shows the winner's state with a notice, and notifies nobody", async () => {
    const s = setup({ raceOnUpdate: true });
    const card = await s.pipeline.act(owner, 'lamp.toggle', press(), { actionId: 'a' });
    expect(card).toMatchObject({ rev: 2, notice: expect.stringContaining('endret av noen andre') });
    expect(s.notified).toEqual([]);
  });
});
