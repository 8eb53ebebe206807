import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { log, logScope } from '../../bot/app/log';
import { ARSHJUL_VERBS } from '../../bot/arshjul/arshjul-rules';
import { CHANNEL_VERBS } from '../../bot/channels/subscription-views';
import { DEVIATION_ACTION_VERBS } from '../../bot/deviations/deviation';
import { nb } from '../../bot/i18n/nb';
import { PEOPLE, type BotUnderTest } from '../support/bot-under-test';
import { cardText } from '../support/cards';
import {
  TeamsClient,
  type Activity,
  type BotResponse,
  type TeamsUser,
} from '../support/teams-client';
import {
  answerOf,
  CATEGORIES,
  CORPUS_DIR,
  diff,
  EXCLUSIONS,
  judge,
  loadCorpus,
  AH_INGRID,
  loadArshjul,
  mergeDeep,
  occurrenceRev,
  pressSigned,
  reportCase,
  resolve,
  setUpFixtures,
  snapshot,
  startCorpusBot,
  TEAM_ID,
  type CorpusCase,
  type Fixtures,
  type ResolveContext,
  type RowChange,
  type RunContext,
  type Snapshot,
} from '../corpus/harness';

/**
 * The bad-input corpus (tests/corpus/*.json, docs/bad-input.md) through the real HTTP endpoint:
 * every case gets a 4xx or a 200 with a refusal (or, where the case says so, a harmless
 * answer), never a 5xx or the generic error; the store is the same afterwards, row for row and
 * byte for byte (etags and timestamps included), apart from the documented exclusions in
 * harness.ts; and the bot still answers "hjelp". Cases marked `knownFailure` are real bugs:
 * they run as `test.failing` until the bot is fixed.
 */
const cases = loadCorpus();
/** A case that takes longer than this is stuck (each answers in well under a second). */
const CASE_TIMEOUT_MS = 10_000;
/** How long a request may go unanswered (every case is answered within a second when the bot works). */
const REQUEST_TIMEOUT_MS = 2000;
/** How long the outbox may take to send what a case decided (refusals decide nothing). */
const SETTLE_MS = 1000;
let t: BotUnderTest;
let fixtures: Fixtures;
/** The store as the last case left it: the "before" of the next case. */
let last: Snapshot;
const started = Date.now();
const timings: { id: string; ms: number }[] = [];
const excluded = new Map<string, number>();
/**
 * Every error the bot logs ('turn failed', 'request failed', …), with the activity it was
 * logging for (the correlation id is the activity id): a case must cause none, and an error
 * that comes after its case has ended (a request still running on the server) is still its own.
 */
const loggedErrors: { correlationId?: string; at: number; text: string }[] = [];
jest.spyOn(log, 'error').mockImplementation(((...args: unknown[]) => {
  loggedErrors.push({
    // The request's scope; app.error (outside it) names the activity itself.
    correlationId:
      logScope.getStore()?.correlationId ??
      ((args[0] as { activityId?: string } | undefined)?.activityId || undefined),
    at: Date.now(),
    text: JSON.stringify(args).slice(0, 400),
  });
}) as never);
/** Which case sent which activity, to attribute late errors. */
const caseOfActivity = new Map<string, string>();
const lateErrorsOf = new Map<string, () => { text: string }[]>();

beforeAll(async () => {
  t = await startCorpusBot();
  // The child process bot (if a case needs it) starts while the fixtures are made.
  if (cases.some((c) => c.isolate === 'process')) {
    child = startChild();
    child.catch(() => undefined);
  }
  fixtures = await setUpFixtures(t);
  last = await steadyStore();
  // Ready before the cases start: on a busy machine it can take longer than one case may.
  await child?.catch(() => undefined);
}, 60_000);

afterAll(async () => {
  await stopChild();
  await sandbox?.bot.stop();
  await t?.stop();
  const byCategory = Object.fromEntries(
    CATEGORIES.map((c) => [c, cases.filter((k) => k.category === c).length]),
  );
  const slowest = [...timings].sort((a, b) => b.ms - a.ms).slice(0, 5);
  // A short account for the run log (docs/bad-input.md quotes it).
  console.log(
    [
      `corpus: ${cases.length} cases, ${cases.filter((c) => c.knownFailure).length} known failures`,
      `by category: ${JSON.stringify(byCategory)}`,
      `exclusions used: ${JSON.stringify(Object.fromEntries(excluded))}`,
      `slowest: ${slowest.map((s) => `${s.id} ${s.ms} ms`).join(', ')}`,
      `total ${((Date.now() - started) / 1000).toFixed(1)} s`,
    ].join('\n'),
  );
});

/** Waits until two snapshots a moment apart agree (the fixtures' messages are all sent). */
async function steadyStore(b: BotUnderTest = t): Promise<Snapshot> {
  let previous = await snapshot(b);
  for (let i = 0; i < 20; i++) {
    await b.settle();
    await new Promise((r) => setTimeout(r, 50));
    const next = await snapshot(b);
    if (diff(previous, next).every((c) => c.table === 'Outbox' && c.partition === 'lease'))
      return next;
    previous = next;
  }
  throw new Error('the store did not settle after the fixtures');
}

function senderOf(c: CorpusCase): TeamsUser {
  if (c.as && typeof c.as === 'object') {
    const noActivity: ResolveContext = {
      activity: () => {
        throw new Error('an identity cannot hold an activity');
      },
    };
    return resolve(c.as, fixtures, noActivity) as TeamsUser;
  }
  if (c.as) return PEOPLE[c.as];
  return c.kind === 'cardAction' ? PEOPLE.ingrid : PEOPLE.emil;
}

function whereOf(b: BotUnderTest, c: CorpusCase): Activity {
  switch (c.where ?? 'personal') {
    case 'personal':
      return {};
    case 'channel':
      return b.client.inChannel({ teamId: TEAM_ID });
    case 'groupChat':
      return {
        conversation: {
          id: '19:corpus-group@thread.v2',
          conversationType: 'groupChat',
          isGroup: true,
          tenantId: '00000000-0000-0000-0000-0000000000001',
        },
      };
  }
}

const asBytes = (v: unknown): Buffer =>
  Buffer.isBuffer(v) ? v : Buffer.from(typeof v === 'string' ? v : JSON.stringify(v), 'utf8');

/** The activity in a raw body, when it is one (to find the bot's replies to it). */
function activityIn(raw: Buffer): (Activity & { id?: string }) | undefined {
  try {
    const parsed = JSON.parse(raw.toString('utf8')) as Activity | null;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
    return typeof parsed.id === 'string' ? parsed : { ...parsed, id: undefined };
  } catch {
    return undefined;
  }
}

/** Sends the case; returns the HTTP answer and the activity it sent (when it was one). */
async function send(
  b: BotUnderTest,
  c: CorpusCase,
  ctx: ResolveContext,
): Promise<{ res: BotResponse; activity?: Activity; activityId?: string }> {
  const value = (v: unknown) => resolve(v, fixtures, ctx);
  const overrides = (c.activity ? value(c.activity) : {}) as Record<string, unknown>;
  const headers = c.headers ?? { 'content-type': 'application/json' };
  const post = async (raw: Buffer) => {
    try {
      return await b.client.postRaw(raw, headers, REQUEST_TIMEOUT_MS);
    } catch (err) {
      throw new Error(`no answer to the request: ${(err as Error).message}`);
    }
  };
  let activity: Activity;
  switch (c.kind) {
    case 'envelope':
      if (c.raw !== undefined || c.body !== undefined) {
        const raw = asBytes(c.raw !== undefined ? value(c.raw) : JSON.stringify(value(c.body)));
        const sent = activityIn(raw);
        if (sent?.id) caseOfActivity.set(sent.id, c.id);
        return { res: await post(raw), activity: sent, activityId: sent?.id };
      }
      activity = ctx.activity(overrides);
      break;
    case 'message':
      activity = ctx.activity(
        { type: 'message', text: value(c.text), textFormat: 'plain' },
        overrides,
      );
      break;
    case 'cardAction':
      activity = ctx.activity(
        {
          type: 'invoke',
          name: 'adaptiveCard/action',
          replyToId: `card-${timings.length}`,
          value: { action: { type: 'Action.Execute', verb: value(c.verb), data: value(c.data) } },
        },
        overrides,
      );
      break;
    case 'invoke':
      activity = ctx.activity(
        { type: 'invoke', name: value(c.name), value: value(c.value) },
        overrides,
      );
      break;
  }
  // Known before it is sent: an error the bot logs for it, even after a timeout, is this case's.
  if (typeof activity.id === 'string') caseOfActivity.set(activity.id, c.id);
  const res = await post(asBytes(JSON.stringify(activity)));
  return { res, activity, activityId: typeof activity.id === 'string' ? activity.id : undefined };
}

async function stillAnswersHelp(b: BotUnderTest): Promise<string | undefined> {
  const activity = b.client.activity(PEOPLE.emil, { type: 'message', text: 'hjelp' });
  const res = await b.client.post(activity);
  if (res.status !== 200) return `"hjelp" afterwards answered ${res.status}`;
  const help = b.connector
    .sent()
    .filter((a) => a.replyToId === activity.id)
    .flatMap((a) => (a.activity?.attachments ?? []).map((x: { content: unknown }) => x.content));
  if (!help.some((card) => cardText(card).includes(nb.help.title)))
    return '"hjelp" afterwards got no help card';
  return undefined;
}

/**
 * Cases that run against a case reported just for them (`fresh`) run in a sandbox: a second
 * bot on the same Azurite under its own table prefix. If such a case leaves the sandbox
 * unable to settle (a known failure can poison the outbox), the next one gets a new sandbox,
 * so one bug cannot fail the rest of the corpus.
 */
let sandbox: { bot: BotUnderTest; last: Snapshot; healthy: boolean; arshjul?: boolean } | undefined;

async function sandboxFor(c: CorpusCase) {
  if (sandbox && !sandbox.healthy) {
    await sandbox.bot.stop();
    sandbox = undefined;
  }
  sandbox ??= {
    bot: await startCorpusBot({ azurite: t.azurite }),
    last: new Map(),
    healthy: true,
  };
  const bot = sandbox.bot;
  if (c.fresh === 'arshjul') {
    if (!sandbox.arshjul) {
      await loadArshjul(bot);
      sandbox.arshjul = true;
    }
    fixtures.fresh = { ref: AH_INGRID, rev: await occurrenceRev(bot, AH_INGRID) };
  } else {
    const fresh = await reportCase(bot, PEOPLE.emil);
    if (c.fresh === 'taken')
      await pressSigned(bot, PEOPLE.ingrid, { ref: fresh.ref, rev: 1 }, 'deviation.take');
    fixtures.fresh = { ...fresh, rev: c.fresh === 'taken' ? 2 : 1 };
  }
  sandbox.last = await steadyStore(bot);
  return sandbox;
}

/** The bot in a child process, for cases that crash a process (`isolate: process`). */
interface ChildBot {
  proc: ChildProcess;
  client: TeamsClient;
  exit?: string;
  stderr: string;
}
let child: Promise<ChildBot> | undefined;

function startChild(): Promise<ChildBot> {
  const proc = spawn(process.execPath, [path.join(CORPUS_DIR, 'child-bot.js')], {
    env: { ...process.env, AZURITE_URL: t.azurite.url, LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolveChild, reject) => {
    let stdout = '';
    const bot: Partial<ChildBot> = { proc, stderr: '' };
    proc.stderr!.on('data', (d) => (bot.stderr = (bot.stderr + String(d)).slice(-2000)));
    proc.on('exit', (code, signal) => {
      bot.exit = `exit code ${code}${signal ? `, signal ${signal}` : ''}`;
      reject(new Error(`the child bot ended before it served: ${bot.exit}: ${bot.stderr}`));
    });
    proc.stdout!.on('data', (d) => {
      stdout += String(d);
      const ready = /READY (\S+) (\S+)/.exec(stdout);
      if (ready && !bot.client) {
        bot.client = new TeamsClient(ready[1], ready[2]);
        resolveChild(bot as ChildBot);
      }
    });
  });
}

async function stopChild(): Promise<void> {
  const running = await child?.catch(() => undefined);
  if (running && !running.exit) {
    const ended = new Promise((r) => running.proc.once('exit', r));
    running.proc.kill();
    await ended;
  }
  child = undefined;
}

async function runInChild(c: CorpusCase): Promise<void> {
  child ??= startChild();
  const bot = await child;
  const sender = senderOf(c);
  const ctx: ResolveContext = {
    activity: (...layers) =>
      layers.reduce<Activity>((a, layer) => mergeDeep(a, layer), bot.client.activity(sender)),
  };
  const problems: string[] = [];
  try {
    const { res } = await send({ client: bot.client } as BotUnderTest, c, ctx);
    problems.push(...judge(c, answerOf(t, res), fixtures, ctx));
  } catch (err) {
    problems.push(`the case could not be run: ${(err as Error).message}`);
  }
  await new Promise((r) => setTimeout(r, 300));
  if (bot.exit) {
    problems.push(`the bot process died (${bot.exit}): ${bot.stderr.slice(-600)}`);
    child = undefined;
  } else {
    const help = await bot.client
      .message(PEOPLE.emil, 'hjelp')
      .then((r) => r.status)
      .catch((err: Error) => err.message);
    if (help !== 200) problems.push(`"hjelp" afterwards answered ${help}`);
  }
  if (process.env.CORPUS_PROGRESS)
    fs.appendFileSync(
      process.env.CORPUS_PROGRESS,
      `${c.id}\t(child process)\t${problems.length ? problems.join(' | ').slice(0, 2000) : 'ok'}\n`,
    );
  expect(problems).toEqual([]);
}

async function run(c: CorpusCase): Promise<void> {
  if (c.isolate === 'process') return runInChild(c);
  const began = Date.now();
  const box = c.fresh ? await sandboxFor(c) : undefined;
  const b = box?.bot ?? t;
  const before = box?.last ?? last;
  const errorsBefore = loggedErrors.length;
  const sendStarted = Date.now();
  const sender = senderOf(c);
  const where = whereOf(b, c);
  const ctx: ResolveContext = {
    activity: (...layers) =>
      [where, ...layers].reduce<Activity>(
        (activity, layer) => mergeDeep(activity, layer),
        b.client.activity(sender),
      ),
  };
  const problems: string[] = [];
  let changes: RowChange[] = [];
  let after: Snapshot | undefined;
  /** What the bot answered, for the progress file (CORPUS_PROGRESS=<file>: one line per case). */
  let said = '';
  try {
    const { res, activity, activityId } = await send(b, c, ctx);
    const answer = answerOf(b, res, activityId);
    said = `${answer.status} ${answer.readable.replace(/\s+/g, ' ').slice(0, 160)}`;
    problems.push(...judge(c, answer, fixtures, ctx));
    const help = await stillAnswersHelp(b);
    if (help) problems.push(help);
    const took = Date.now() - sendStarted;
    if (c.withinMs && took > c.withinMs)
      problems.push(`took ${took} ms (the case allows ${c.withinMs} ms)`);
    await b.bot.outboxIdle(SETTLE_MS).catch(() => {
      if (box) box.healthy = false;
      problems.push(`the outbox did not drain within ${SETTLE_MS} ms afterwards`);
    });
    const runContext: RunContext = {
      kase: c,
      sender,
      where: c.where ?? 'personal',
      verb:
        activity?.name === 'adaptiveCard/action'
          ? String((activity.value as { action?: { verb?: unknown } })?.action?.verb)
          : undefined,
      allowed: (c.mayChange ?? []).map((a) => ({
        table: a.table,
        partition:
          a.partition === undefined ? undefined : String(resolve(a.partition, fixtures, ctx)),
        why: a.why,
      })),
      stateKey:
        activity && typeof activity.from?.id === 'string'
          ? `${activity.channelId}/${activity.recipient?.id}/users/${activity.from.id}`
          : undefined,
    };
    after = await snapshot(b);
    changes = diff(before, after).filter((change) => {
      const rule = EXCLUSIONS.find((e) => e.applies(change, runContext));
      if (rule) excluded.set(rule.name, (excluded.get(rule.name) ?? 0) + 1);
      return !rule;
    });
  } catch (err) {
    problems.push(`the case could not be run: ${(err as Error).message}`);
    after = await snapshot(b);
  } finally {
    if (box) box.last = after ?? box.last;
    else last = after ?? last;
  }
  // Errors while it ran: its own, or from no request at all (background work).
  for (const e of loggedErrors.slice(errorsBefore))
    if (
      !e.correlationId ||
      !caseOfActivity.has(e.correlationId) ||
      caseOfActivity.get(e.correlationId) === c.id
    )
      problems.push(`the bot logged an error: ${e.text}`);
  // Errors of this case's activities that came after it ended (checked at the very end too).
  const endedAt = Date.now();
  lateErrorsOf.set(c.id, () =>
    loggedErrors
      .filter((e) => e.correlationId && caseOfActivity.get(e.correlationId) === c.id)
      .filter((e) => e.at > endedAt),
  );
  for (const change of changes)
    problems.push(
      `store changed: ${change.key}\n  before: ${change.before?.slice(0, 300) ?? '(none)'}\n  after:  ${change.after?.slice(0, 300) ?? '(none)'}`,
    );
  timings.push({ id: c.id, ms: Date.now() - began });
  if (process.env.CORPUS_PROGRESS)
    fs.appendFileSync(
      process.env.CORPUS_PROGRESS,
      `${c.id}\t${Date.now() - began} ms\t${problems.length ? problems.join(' | ').slice(0, 2000) : 'ok'}\t${said}\n`,
    );
  expect(problems).toEqual([]);
}

describe.each(CATEGORIES.filter((category) => cases.some((c) => c.category === category)))(
  '%s',
  (category) => {
    for (const c of cases.filter((k) => k.category === category)) {
      const name = `${c.id}: ${c.description}`;
      if (c.knownFailure)
        test.failing(`${name} [known failure: ${c.knownFailure}]`, () => run(c), CASE_TIMEOUT_MS);
      else test(name, () => run(c), CASE_TIMEOUT_MS);
    }
  },
);

test('the corpus holds at least 200 cases, and every category of issue #11 has some', () => {
  expect(cases.length).toBeGreaterThanOrEqual(200);
  for (const category of CATEGORIES)
    expect([category, cases.some((c) => c.category === category)]).toEqual([category, true]);
});

test('every verb the bot serves has cases in the corpus', () => {
  const verbs = [
    ...DEVIATION_ACTION_VERBS,
    ...Object.values(ARSHJUL_VERBS),
    ...Object.values(CHANNEL_VERBS),
    'deviation.submit',
    'deviation.refresh',
    'deviation.list',
    'deviation.show',
    'command.run',
  ];
  const covered = new Set(
    cases.filter((c) => c.kind === 'cardAction' && typeof c.verb === 'string').map((c) => c.verb),
  );
  expect(verbs.filter((v) => !covered.has(v))).toEqual([]);
});

test('no request of a case logged an error after its case ended (known failures aside)', () => {
  const late = cases
    .filter((c) => !c.knownFailure)
    .flatMap((c) => (lateErrorsOf.get(c.id)?.() ?? []).map((e) => `${c.id}: ${e.text}`));
  expect(late).toEqual([]);
});

test('the bot still answers "hjelp" and its probes after the whole corpus', async () => {
  expect(await stillAnswersHelp(t)).toBeUndefined();
  expect((await t.client.get('/healthz')).body).toMatchObject({ status: 'ok', store: 'ok' });
});
