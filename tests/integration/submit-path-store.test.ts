import { scrubClaims } from '../../bot/privacy/case-scrub-store';
import { TableFormClaims } from '../../bot/store/claims';
import { TableReferenceCounter } from '../../bot/store/counters';
import { OutboxStore } from '../../bot/store/outbox-store';
import type { StorageOperation, Tables } from '../../bot/store/tables';
import { openTables } from '../../bot/store/tables';
import { freshTables, startTestAzurite, uniquePrefix, type TestAzurite } from '../support/azurite';

/**
 * The stores behind the lean submit path (issue #7), against a real Azurite: the reference
 * counter that keeps a number ready and takes numbers back, the group hint that stands for
 * every message one change decides for one record, and the form claim written with it.
 */
let azurite: TestAzurite;

beforeAll(async () => {
  azurite = await startTestAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const NOW = new Date('2026-06-15T10:00:00.000Z');

/** Tables under a fresh prefix whose requests are counted. */
async function countedTables(): Promise<{ tables: Tables; ops: StorageOperation[] }> {
  const ops: StorageOperation[] = [];
  const prefix = uniquePrefix();
  await freshTables(azurite, prefix);
  return {
    tables: openTables(azurite.location, prefix, { onOperation: (op) => void ops.push(op) }),
    ops,
  };
}

describe('reference counter with a number ready', () => {
  test('a number in hand is handed out without a round trip (here the store is unreachable)', async () => {
    const ops: StorageOperation[] = [];
    const nowhere = openTables(
      { kind: 'azurite', url: 'http://127.0.0.1:9/devstoreaccount1' },
      'x',
      {
        onOperation: (op) => void ops.push(op),
      },
    );
    const counter = new TableReferenceCounter(nowhere, 'AVV', 0);
    counter.giveBack('AVV-2026-0005');
    expect(await counter.next(NOW)).toBe('AVV-2026-0005');
    expect(ops).toEqual([]);
  });

  test('one number is kept ready: the next is reserved once one is used', async () => {
    const { tables } = await countedTables();
    const counter = new TableReferenceCounter(tables, 'AVV', 1);
    expect(await counter.next(NOW)).toBe('AVV-2026-0001');
    const value = async () =>
      (await tables.client('Counters').getEntity<{ value: number }>('reference', 'AVV-2026')).value;
    // The first call reserved its number and the ready one together.
    expect(await value()).toBe(2);
    const second = await counter.next(NOW);
    expect(second).toBe('AVV-2026-0002');
    // Not before it was used: a number given back would have left the counter as it was.
    expect(await value()).toBe(2);
    counter.used(second);
    for (let i = 0; i < 50 && (await value()) !== 3; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(await value()).toBe(3);
  });

  test('a clean stop gives the ready number back: the next process continues without a gap', async () => {
    const { tables } = await countedTables();
    const first = new TableReferenceCounter(tables, 'AVV', 1);
    expect(await first.next(NOW)).toBe('AVV-2026-0001');
    await first.release();
    expect(await new TableReferenceCounter(tables, 'AVV', 1).next(NOW)).toBe('AVV-2026-0002');
  });

  test('after another instance reserved, a stop leaves its ready number as a gap, never a duplicate', async () => {
    const { tables } = await countedTables();
    const one = new TableReferenceCounter(tables, 'AVV', 1);
    const two = new TableReferenceCounter(tables, 'AVV', 1);
    expect(await one.next(NOW)).toBe('AVV-2026-0001'); // 0002 ready in one
    expect(await two.next(NOW)).toBe('AVV-2026-0003'); // 0004 ready in two
    await one.release(); // 0002 is not at the top: it stays a gap
    await two.release(); // 0004 is: it goes back
    expect(await new TableReferenceCounter(tables, 'AVV', 1).next(NOW)).toBe('AVV-2026-0004');
  });

  test('a number given back is handed out next, before newer ones: no gap', async () => {
    const { tables } = await countedTables();
    const counter = new TableReferenceCounter(tables, 'AVV', 1);
    const a = await counter.next(NOW);
    const b = await counter.next(NOW);
    counter.giveBack(b);
    expect(await counter.next(NOW)).toBe(b);
    const c = await counter.next(NOW);
    expect([a, b, c]).toEqual(['AVV-2026-0001', 'AVV-2026-0002', 'AVV-2026-0003']);
    // Another prefix or a malformed reference is ignored.
    counter.giveBack('OPG-2026-0001');
    counter.giveBack('nonsense');
    expect(await counter.next(NOW)).toBe('AVV-2026-0004');
  });

  test('a busy instance keeps up to its busy number ready; a quiet one keeps one', async () => {
    const { tables, ops } = await countedTables();
    let clock = NOW.getTime();
    const counter = new TableReferenceCounter(tables, 'AVV', 1, 4, () => clock);
    const value = async () =>
      (await tables.client('Counters').getEntity<{ value: number }>('reference', 'AVV-2026')).value;
    const settled = async (expected: number) => {
      for (let i = 0; i < 50 && (await value()) !== expected; i++)
        await new Promise((r) => setTimeout(r, 20));
      return value();
    };
    // Reports 100 ms apart: the ready block grows with them (2, 3, then 4 at a time).
    const refs: string[] = [];
    for (let i = 0; i < 12; i++) {
      const ref = await counter.next(NOW);
      refs.push(ref);
      counter.used(ref);
      clock += 100;
      await new Promise((r) => setTimeout(r, 30)); // the refill goes out
    }
    expect(refs).toEqual(
      Array.from({ length: 12 }, (_, i) => `AVV-2026-${String(i + 1).padStart(4, '0')}`),
    );
    const updates = ops.filter((o) => o.table === 'Counters' && o.kind !== 'read').length;
    // 1 create (2 numbers) and then blocks of 2, 3, 4, 4: 5 writes for 12 reports, not 12.
    expect(updates).toBeLessThanOrEqual(6);
    expect(await value()).toBeLessThanOrEqual(12 + 4);
    // Quiet again, reports seconds apart: once the block is used up, one number at a time.
    for (let i = 0; i < 6; i++) {
      clock += 3000;
      counter.used(await counter.next(NOW));
      await new Promise((r) => setTimeout(r, 30));
    }
    expect(await settled(19)).toBe(19); // 18 used, 1 ready
  });

  test('parallel callers get distinct, consecutive numbers', async () => {
    const { tables } = await countedTables();
    const counter = new TableReferenceCounter(tables, 'AVV', 1);
    const refs = await Promise.all(Array.from({ length: 30 }, () => counter.next(NOW)));
    expect(new Set(refs).size).toBe(30);
    const numbers = refs.map((r) => Number(r.split('-')[2])).sort((x, y) => x - y);
    expect(numbers).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  });

  test('two instances never hand out the same number', async () => {
    const { tables } = await countedTables();
    const one = new TableReferenceCounter(tables, 'AVV', 1);
    const two = new TableReferenceCounter(tables, 'AVV', 1);
    const refs = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? one : two).next(NOW)),
    );
    expect(new Set(refs).size).toBe(20);
  });
});

describe('group hints', () => {
  const address = (row: string) => ({ table: 'Deviations', partition: 'AVV-2026-0001', row });
  const dueAt = '2026-06-15T09:59:00.000Z';
  const dueRows = async (tables: Tables) => {
    const rows: string[] = [];
    for await (const e of tables
      .client('Outbox')
      .listEntities({ queryOptions: { filter: "PartitionKey eq 'due'" } }))
      rows.push(String(e.rowKey));
    return rows;
  };

  test('the messages of one record and time are one plain write, and one hint each for the dispatcher', async () => {
    const { tables, ops } = await countedTables();
    const outbox = new OutboxStore(tables);
    const before = ops.length;
    await outbox.writeHints(
      ['out-a', 'out-b', 'out-c'].map((r) => ({ dueAt, address: address(r) })),
    );
    expect(ops.slice(before).map((o) => `${o.table} ${o.kind}`)).toEqual(['Outbox upsert']);
    expect(await dueRows(tables)).toHaveLength(1);
    const hints = await outbox.due(NOW, 100);
    expect(hints.map((h) => h.address.row).sort()).toEqual(['out-a', 'out-b', 'out-c']);
    expect(new Set(hints.map((h) => h.rowKey)).size).toBe(3);
    expect(await outbox.countQueued()).toBe(3);
  });

  test('the group row goes when its last member is deleted, not before', async () => {
    const { tables } = await countedTables();
    const outbox = new OutboxStore(tables);
    await outbox.writeHints(
      ['out-a', 'out-b', 'out-c'].map((r) => ({ dueAt, address: address(r) })),
    );
    const hints = await outbox.due(NOW, 100);
    await outbox.deleteHint(hints[0].rowKey);
    await outbox.deleteHints([hints[1].rowKey]);
    expect(await dueRows(tables)).toHaveLength(1);
    // A member already deleted is not handed out again.
    expect((await outbox.due(NOW, 100)).map((h) => h.rowKey)).toEqual([hints[2].rowKey]);
    await outbox.deleteHints([hints[2].rowKey]);
    expect(await dueRows(tables)).toEqual([]);
  });

  test('after a restart the group is read again whole (settled members are spent by the dispatcher)', async () => {
    const { tables } = await countedTables();
    const first = new OutboxStore(tables);
    await first.writeHints(['out-a', 'out-b'].map((r) => ({ dueAt, address: address(r) })));
    const hints = await first.due(NOW, 100);
    await first.deleteHint(hints[0].rowKey);
    // The process dies here: a new store sees both members again, nothing is lost.
    const again = await new OutboxStore(tables).due(NOW, 100);
    expect(again.map((h) => h.address.row).sort()).toEqual(['out-a', 'out-b']);
  });

  test('two writes for the same record and time keep both sets of messages', async () => {
    const { tables } = await countedTables();
    const outbox = new OutboxStore(tables);
    await outbox.writeHints(['out-a', 'out-b'].map((r) => ({ dueAt, address: address(r) })));
    await outbox.writeHints(['out-c', 'out-d'].map((r) => ({ dueAt, address: address(r) })));
    const rows = (await outbox.due(NOW, 100)).map((h) => h.address.row).sort();
    expect(rows).toEqual(['out-a', 'out-b', 'out-c', 'out-d']);
  });

  test('a single message keeps a plain hint; a group not yet due is not handed out', async () => {
    const { tables } = await countedTables();
    const outbox = new OutboxStore(tables);
    await outbox.writeHints([{ dueAt, address: address('out-a') }]);
    await outbox.writeHints(
      ['out-b', 'out-c'].map((r) => ({ dueAt: '2026-06-15T12:00:00.000Z', address: address(r) })),
    );
    const hints = await outbox.due(NOW, 100);
    expect(hints.map((h) => h.address.row)).toEqual(['out-a']);
    expect(await dueRows(tables)).toContain(hints[0].rowKey);
  });

  test('hints withdrawn (their change was not made) are gone; a plain hint written again since stays', async () => {
    const { tables } = await countedTables();
    const outbox = new OutboxStore(tables);
    const group = await outbox.writeHints(
      ['out-a', 'out-b'].map((r) => ({ dueAt, address: address(r) })),
    );
    const plain = await outbox.writeHints([{ dueAt, address: address('out-c') }]);
    const other = await outbox.writeHints([{ dueAt, address: address('out-d') }]);
    expect(await dueRows(tables)).toHaveLength(3);
    // An equal change wrote out-d's hint again in the meantime: that one is its, and stays.
    await outbox.writeHints([{ dueAt, address: address('out-d') }]);
    await outbox.withdrawHints([...group, ...plain, ...other]);
    expect(await dueRows(tables)).toEqual([other[0].rowKey]);
    expect((await outbox.due(NOW, 100)).map((h) => h.address.row)).toEqual(['out-d']);
    // Withdrawing again is harmless.
    await outbox.withdrawHints([...group, ...plain]);
  });

  test('a group row with unreadable members is deleted, never handed out', async () => {
    const { tables } = await countedTables();
    const outbox = new OutboxStore(tables);
    await outbox.writeHints(['out-a', 'out-b'].map((r) => ({ dueAt, address: address(r) })));
    const [row] = await dueRows(tables);
    await tables.client('Outbox').upsertEntity({ partitionKey: 'due', rowKey: row, rows: '{' });
    expect(await new OutboxStore(tables).due(NOW, 100)).toEqual([]);
    expect(await dueRows(tables)).toEqual([]);
  });
});

describe('form claims beside the hints', () => {
  const address = (row: string) => ({ table: 'Deviations', partition: 'AVV-2026-0007', row });
  const hints = ['out-a', 'out-b'].map((r) => ({
    dueAt: '2026-06-15T09:59:00.000Z',
    address: address(r),
  }));

  test('a claim and the hints of its record are one write; the form sent again writes nothing', async () => {
    const { tables, ops } = await countedTables();
    const claims = new TableFormClaims(tables, 'deviation');
    const outbox = new OutboxStore(tables);
    const at = NOW.toISOString();
    const before = ops.length;
    const first = await claims.claim('form-1', 'emil', at, 'AVV-2026-0007', hints);
    expect(ops.slice(before).map((o) => `${o.table} ${o.kind}`)).toEqual(['Outbox batch']);
    expect('token' in first && first.hints).toHaveLength(1); // one group row
    expect((await outbox.due(NOW, 100)).map((h) => h.address.row).sort()).toEqual([
      'out-a',
      'out-b',
    ]);
    // Sent again, with hints for another number: the earlier claim, and not one hint more.
    const other = hints.map((h) => ({
      ...h,
      address: { ...h.address, partition: 'AVV-2026-0008' },
    }));
    const again = await claims.claim('form-1', 'emil', at, 'AVV-2026-0008', other);
    expect(again).toEqual({
      earlier: expect.objectContaining({ ref: 'AVV-2026-0007', by: 'emil' }),
    });
    expect((await outbox.due(NOW, 100)).map((h) => h.address.partition)).toEqual([
      'AVV-2026-0007',
      'AVV-2026-0007',
    ]);
  });

  test('claims are no hints: the dispatcher and the status count never see them, even far ahead', async () => {
    const { tables } = await countedTables();
    const claims = new TableFormClaims(tables, 'deviation');
    const outbox = new OutboxStore(tables);
    await claims.claim('form-2', 'emil', NOW.toISOString(), 'AVV-2026-0009');
    expect(await outbox.due(new Date('2999-01-01T00:00:00Z'), 100)).toEqual([]);
    expect(await outbox.countQueued()).toBe(0);
  });

  test('a claim taken before claims moved (the Claims table) is still found, and scrubbed', async () => {
    const { tables } = await countedTables();
    await tables.client('Claims').createEntity({
      partitionKey: 'deviation',
      rowKey: 'form-old',
      ref: 'AVV-2025-0001',
      by: 'emil',
      at: '2025-12-01T10:00:00.000Z',
    });
    const claims = new TableFormClaims(tables, 'deviation');
    expect(await claims.get('form-old')).toMatchObject({ ref: 'AVV-2025-0001', by: 'emil' });
    await claims.claim('form-new', 'emil', NOW.toISOString(), 'AVV-2026-0001');
    expect(await scrubClaims(tables, { personId: 'emil' })).toBe(2);
    expect(await claims.get('form-old')).toMatchObject({ by: '' });
    expect(await claims.get('form-new')).toMatchObject({ by: '' });
  });
});
