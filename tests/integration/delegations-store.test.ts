import fs from 'node:fs';
import path from 'node:path';
import { parseAuthorityFile } from '../../bot/delegations/authority-file';
import type { Grant, GrantEvent } from '../../bot/delegations/delegation';
import { importAuthorityFile, registerWithEvents } from '../../bot/delegations/delegation-import';
import { delegationStores } from '../../bot/delegations/delegation-store';
import { ConcurrentChangeError } from '../../bot/kernel/records';
import { parseOrgFile } from '../../bot/org/org-file';
import { makeOrganisation } from '../../bot/org/organisation';
import { OutboxStore } from '../../bot/store/outbox-store';
import { listPartition, type Tables } from '../../bot/store/tables';
import { freshTables, startTestAzurite, type TestAzurite } from '../support/azurite';

/**
 * The delegation adapters against a real Azurite: a grant and its revision in one
 * etag-guarded transaction, the register row that follows it (never an older revision over a
 * newer), the catalogue upsert that never removes an area, and the import that registers each
 * file grant once.
 */
let azurite: TestAzurite;
let tables: Tables;
let stores: ReturnType<typeof delegationStores>;
const NOW = new Date('2026-12-01T09:00:00Z');
const root = path.join(__dirname, '../..');

beforeAll(async () => {
  azurite = await startTestAzurite();
  ({ tables } = await freshTables(azurite));
  stores = delegationStores(tables, new OutboxStore(tables));
  const org = parseOrgFile(
    JSON.parse(fs.readFileSync(path.join(root, 'bot/org/demo/heim-kommune.json'), 'utf8')),
  );
  const file = parseAuthorityFile(
    JSON.parse(
      fs.readFileSync(path.join(root, 'bot/delegations/demo/heim-fullmakter.json'), 'utf8'),
    ),
  );
  if (!org.ok || !file.ok) throw new Error('demo files invalid');
  const organisation = makeOrganisation(org.file.people, org.file.units);
  const outcome = await importAuthorityFile(stores, file.file, organisation, {
    now: NOW,
    by: 'test',
  });
  if (!outcome.ok) throw new Error(outcome.problems.join('; '));
});
afterAll(async () => {
  await azurite?.stop();
});

const anyGrant = async () => (await stores.register.read()).grants[5];

function revoked(g: Grant, by = 'someone'): { after: Grant; event: GrantEvent } {
  const after: Grant = {
    ...g,
    rev: g.rev + 1,
    status: 'revoked',
    end: { at: NOW.toISOString(), by },
  };
  return {
    after,
    event: {
      ref: g.ref,
      seq: after.rev,
      at: NOW.toISOString(),
      kind: 'revoked',
      actorId: by,
      fromStatus: 'active',
      toStatus: 'revoked',
    },
  };
}

test('the import stores the catalogue and every grant, each with its registered event', async () => {
  const register = await registerWithEvents(stores);
  expect(register.areas).toHaveLength(12);
  expect(register.political).toEqual({
    body: 'Kommunestyret',
    caseNumber: 'PS 12/24',
    date: '2024-03-14',
  });
  expect(register.events).toHaveLength(register.grants.length);
  expect(register.events.every((e) => e.kind === 'registered' && e.seq === 1)).toBe(true);
  const roots = register.grants.filter((g) => !g.parentRef);
  expect(roots.every((g) => g.level === 1 && g.politicalBasis?.caseNumber === 'PS 12/24')).toBe(
    true,
  );
  expect(await stores.catalogue.municipality()).toBe('Heim kommune');
  expect(await stores.catalogue.sourceRef('innkjop-sofie')).toMatch(/^DEL-2026-\d{4}$/);
});

test('a change: the record, its event and the register row; a stale etag changes nothing', async () => {
  const g = await anyGrant();
  const found = (await stores.grants.get(g.ref))!;
  const { after, event } = revoked(found.record);
  await stores.grants.update(found.record, after, found.etag, event);
  const reread = (await stores.register.read()).grants.find((x) => x.ref === g.ref)!;
  expect(reread.status).toBe('revoked');
  expect((await stores.grants.events(g.ref)).map((e) => e.kind)).toEqual(['registered', 'revoked']);

  const second = revoked(after, 'other');
  await expect(
    stores.grants.update(after, second.after, found.etag, second.event),
  ).rejects.toBeInstanceOf(ConcurrentChangeError);
  expect((await stores.grants.get(g.ref))!.record.rev).toBe(after.rev);
  expect(await stores.grants.events(g.ref)).toHaveLength(2);
});

test('the register row never goes back to an older revision', async () => {
  const g = (await stores.register.read()).grants[6];
  const newer = { ...g, rev: g.rev + 3, conditions: 'newer' };
  await stores.register.put(newer);
  await stores.register.put({ ...g, conditions: 'older' });
  const row = (await stores.register.read()).grants.find((x) => x.ref === g.ref)!;
  expect(row.conditions).toBe('newer');
});

test('the register is one partition: no row outside the known partitions', async () => {
  const client = tables.client('Delegations');
  const register = await listPartition(client, 'register');
  const grants = (await stores.register.read()).grants;
  expect(register).toHaveLength(grants.length);
  const catalogue = await listPartition(client, 'catalogue');
  expect(catalogue.filter((r) => String(r.rowKey).startsWith('area-'))).toHaveLength(12);
  expect(catalogue.filter((r) => String(r.rowKey).startsWith('source-'))).toHaveLength(
    grants.length,
  );
});

test('a second import registers nothing and keeps an area the file left out', async () => {
  const file = parseAuthorityFile(
    JSON.parse(
      fs.readFileSync(path.join(root, 'bot/delegations/demo/heim-fullmakter.json'), 'utf8'),
    ),
  );
  if (!file.ok) throw new Error('demo file invalid');
  const before = (await stores.register.read()).grants.length;
  const org = parseOrgFile(
    JSON.parse(fs.readFileSync(path.join(root, 'bot/org/demo/heim-kommune.json'), 'utf8')),
  );
  if (!org.ok) throw new Error('demo org invalid');
  const areas = file.file.areas.filter((a) => a.id !== 'byggesak');
  const grants = file.file.grants.filter((g) => g.area !== 'byggesak');
  const outcome = await importAuthorityFile(
    stores,
    { ...file.file, areas, grants },
    makeOrganisation(org.file.people, org.file.units),
    { now: NOW, by: 'test' },
  );
  expect(outcome.ok && outcome.result).toMatchObject({
    areas: { added: [], changed: [], kept: ['byggesak'] },
    grants: { added: [] },
  });
  const after = await stores.register.read();
  expect(after.grants).toHaveLength(before);
  expect(after.areas.map((a) => a.id)).toContain('byggesak');
});
