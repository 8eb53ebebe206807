import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { log } from '../../bot/app/log';
import { ACCESS_ROWS, TableAccessLog } from '../../bot/privacy/access-log-store';
import { personHash } from '../../bot/privacy/operator-audit';
import { listPartition } from '../../bot/store/tables';
import { PEOPLE, startBotUnderTest, type BotUnderTest } from '../support/bot-under-test';
import { cardText } from '../support/cards';
import { compiled } from '../support/compiled';
import { cardFor, report, type Reported } from '../support/deviation-flows';
import type { TeamsUser } from '../support/teams-client';

/**
 * Defect 11 over real HTTP: opening a case card (Universal Actions refresh) or its history
 * writes an access row with ids only, beside the record; and the privacy commands as real
 * processes (compiled, as `npm run privacy:*` runs them) against the same Azurite.
 */
jest.setTimeout(120_000);
const run = promisify(execFile);
const { ingrid, emil, lars } = PEOPLE;
let t: BotUnderTest;
let cli = '';
let anon: Reported & { leaderCard: { id: string; card: any } };

beforeAll(async () => {
  cli = compiled('cli-build', 'bot/app/privacy-cli.ts');
  t = await startBotUnderTest({ installed: [ingrid, emil, lars] });
  const reported = await report(t, emil, { anonymous: 'true' });
  anon = { ...reported, leaderCard: await cardFor(t, ingrid, reported.ref, 'deviation.take') };
});
afterAll(async () => {
  await t?.stop();
});

const accessRows = () => listPartition(t.bot.tables.client('Deviations'), anon.ref, ACCESS_ROWS);
const refresh = (who: TeamsUser, card: any) => {
  const action = card.refresh.action;
  return t.client.cardAction(who, action.verb, action.data);
};

async function historyCard(who: TeamsUser, ref: string): Promise<string> {
  const chat = t.client.personalConversationId(who);
  const before = t.connector.cardsIn(chat).length;
  expect((await t.client.message(who, `historikk ${ref}`)).status).toBe(200);
  return cardText((await t.connector.waitFor(() => t.connector.cardsIn(chat)[before])).card);
}

test('opening the card and the history writes who, when and what (ids only), once per hour, without touching the record', async () => {
  const before = (await t.deviations.get(anon.ref))!;
  for (let i = 0; i < 3; i++)
    expect((await refresh(ingrid, anon.leaderCard.card)).status).toBe(200);
  expect((await refresh(emil, anon.receipt)).status).toBe(200);
  const refused = await refresh(lars, anon.leaderCard.card);
  expect(cardText(refused.body.value)).toBe(`Du har ikke tilgang til ${anon.ref}.`);
  expect(await historyCard(ingrid, anon.ref)).toContain(anon.ref);

  const rows = await accessRows();
  const shown = rows.map((r) => ({
    view: r.view,
    personId: r.personId,
    byReporter: r.byReporter,
  }));
  expect(shown).toEqual(
    expect.arrayContaining([
      { view: 'card', personId: ingrid.aadObjectId, byReporter: false },
      { view: 'history', personId: ingrid.aadObjectId, byReporter: false },
      { view: 'card', personId: undefined, byReporter: true },
    ]),
  );
  expect(rows).toHaveLength(3);
  for (const row of rows)
    expect(
      Object.keys(row)
        .filter((k) => !['etag', 'timestamp'].includes(k))
        .sort(),
    ).toEqual(
      [
        'at',
        'byReporter',
        'partitionKey',
        'rowKey',
        'view',
        ...(row.personId ? ['personId'] : []),
      ].sort(),
    );
  const text = JSON.stringify(rows);
  expect(text).not.toContain(emil.aadObjectId);
  expect(text).not.toContain(lars.aadObjectId);
  const after = (await t.deviations.get(anon.ref))!;
  expect(after.etag).toBe(before.etag);
  expect(after.record.rev).toBe(before.record.rev);
});

test('the card is still shown when the access log cannot be written; the warning names no person', async () => {
  const failing = jest
    .spyOn(TableAccessLog.prototype, 'opened')
    .mockRejectedValue(
      Object.assign(new Error(`insert failed for ${sofieId()}`), { statusCode: 503 }),
    );
  const warn = jest.spyOn(log, 'warn');
  try {
    const res = await refresh(ingrid, anon.leaderCard.card);
    expect(res.status).toBe(200);
    expect(cardText(res.body.value)).toContain(anon.ref);
    expect(await historyCard(ingrid, anon.ref)).toContain(anon.ref);
    expect(failing).toHaveBeenCalledTimes(2);
    const warnings = warn.mock.calls.filter((c) => c[1] === 'access log not written');
    expect(warnings.map((c) => c[0])).toEqual([
      { ref: anon.ref, view: 'card', error: 'Error', status: 503 },
      { ref: anon.ref, view: 'history', error: 'Error', status: 503 },
    ]);
    expect(JSON.stringify(warnings)).not.toContain(ingrid.aadObjectId);
  } finally {
    failing.mockRestore();
    warn.mockRestore();
  }
});
const sofieId = () => PEOPLE.sofie.aadObjectId;

async function privacy(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [cli, ...args, '--operator', 'ombudet'], {
    env: {
      PATH: process.env.PATH,
      TABLE_PREFIX: t.prefix,
      AZURITE_URL: t.azurite.url,
      LOG_LEVEL: 'silent',
    },
  });
  return stdout;
}

test('privacy:access answers "who has seen this case?" without naming the anonymous reporter', async () => {
  const out = await privacy('access', anon.ref);
  expect(out).toContain(`${anon.ref}: 3 view(s) logged`);
  expect(out).toMatch(new RegExp(`card\\s+${ingrid.aadObjectId}`));
  expect(out).toMatch(new RegExp(`history\\s+${ingrid.aadObjectId}`));
  expect(out).toMatch(/card\s+the reporter \(anonymous\)/);
  expect(out).not.toContain(emil.aadObjectId!);
});

test('privacy:export gives the anonymous case to its reporter only; privacy:erase is a dry run without --confirm; all are audited', async () => {
  const his = JSON.parse(await privacy('export', '--person', emil.aadObjectId!));
  expect(his.reportedCases.map((c: { ref: string }) => c.ref)).toEqual([anon.ref]);
  expect(his.reportedCases[0].record).toMatchObject({
    anonymous: true,
    reporterId: emil.aadObjectId,
  });
  expect(his.conversation).toBeDefined();
  const hers = await privacy('export', '--person', ingrid.aadObjectId!);
  expect(JSON.parse(hers).casesActedOn.map((c: { ref: string }) => c.ref)).toEqual([anon.ref]);
  expect(hers).not.toContain(emil.aadObjectId!);

  const dry = await privacy('erase', '--person', emil.aadObjectId!);
  expect(dry).toContain('Dry run (nothing changed');
  expect(dry).toMatch(/anonymised\s+1\s+cases they reported/);
  expect((await t.deviations.get(anon.ref))!.record.reporterId).toBe(emil.aadObjectId);

  const audit = await listPartition(t.bot.tables.client('Privacy'), 'operator-audit');
  expect(audit.map((a) => a.command).sort()).toEqual([
    'access',
    'erase (dry run)',
    'export',
    'export',
  ]);
  expect(audit.every((a) => a.operator === 'ombudet')).toBe(true);
  expect(audit.filter((a) => a.personHash === personHash(emil.aadObjectId!))).toHaveLength(2);
  expect(JSON.stringify(audit)).not.toContain(emil.aadObjectId!);
});

test('bad input gets a clear answer and exit code 2, and changes nothing', async () => {
  const refused = (args: string[]) =>
    run(process.execPath, [cli, ...args], {
      env: { PATH: process.env.PATH, TABLE_PREFIX: t.prefix, AZURITE_URL: t.azurite.url },
    }).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
    );
  expect(await refused(['export'])).toMatchObject({
    code: 2,
    stderr: expect.stringContaining('--person is required'),
  });
  expect(await refused(['erase', '--person', 'a/b#c'])).toMatchObject({
    code: 2,
    stderr: expect.stringContaining('not a person id'),
  });
  expect(await refused(['access', 'AVV/../x'])).toMatchObject({
    code: 2,
    stderr: expect.stringContaining('usage'),
  });
});
