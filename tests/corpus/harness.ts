import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { z } from 'zod';
import { parseArshjulFile } from '../../bot/arshjul/arshjul-file';
import { occurrenceRecords } from '../../bot/arshjul/arshjul-store';
import { en } from '../../bot/i18n/en';
import { nb } from '../../bot/i18n/nb';
import { CardSigner } from '../../bot/kernel/card-signing';
import { ACCESS_ROWS } from '../../bot/privacy/access-log-store';
import { OutboxStore } from '../../bot/store/outbox-store';
import { safeKey, TABLE_NAMES, type TableName } from '../../bot/store/tables';
import {
  PEOPLE,
  SIGNING_SECRET,
  startBotUnderTest,
  type BotUnderTest,
  type BotUnderTestOptions,
} from '../support/bot-under-test';
import { cardText, executeAction } from '../support/cards';
import { adaptiveCardsOf } from '../support/fake-connector';
import { validReport } from '../support/deviation-flows';
import type { Activity, BotResponse, TeamsUser } from '../support/teams-client';

/**
 * The bad-input corpus (tests/corpus/*.json) and what runs it: the case format, the values a
 * case may compute when it runs (`$`-objects: fixtures, signatures, long strings), the
 * fixtures every run starts from (real cases in several states, an årshjul occurrence, a
 * channel subscription), a snapshot of every table, and the judgement of one answer.
 * Used by tests/e2e/corpus.test.ts and tests/e2e/card-data-properties.test.ts.
 */

export const CORPUS_DIR = __dirname;

/** The frozen time of every run: Monday 4 January 2027, 10:00 in Oslo (a working day). */
export const CORPUS_NOW = new Date('2027-01-04T09:00:00Z');
export const TODAY = '2027-01-04';
/** The General channel of the demo team (its id is the team's). */
export const TEAM_ID = '19:team-heim@thread.tacv2';

export const KINDS = ['envelope', 'message', 'cardAction', 'invoke'] as const;
export const CATEGORIES = [
  'envelope',
  'invoke',
  'card-fields',
  'other-reference',
  'state-jump',
  'signature',
  'unicode',
  'table-keys',
  'markup',
  'template',
  'long-input',
  'message',
] as const;
export const EXPECTATIONS = ['4xx', 'refusal', 'answer', 'ignored'] as const;
export type Expectation = (typeof EXPECTATIONS)[number];

const PERSON_KEYS = Object.keys(PEOPLE) as [keyof typeof PEOPLE, ...(keyof typeof PEOPLE)[]];
/** An identity of a case's own; its fields may be computed values (`$concat`, …). */
const teamsUser = z.object({
  id: z.unknown(),
  aadObjectId: z.unknown(),
  name: z.unknown(),
  locale: z.string().optional(),
});

/** Tables (or rows) a case may legitimately change, each with the reason. */
const allowance = z.object({
  table: z.enum(TABLE_NAMES as unknown as [TableName, ...TableName[]]),
  /** Only rows whose PartitionKey is this (after the case's values are computed). */
  partition: z.unknown().optional(),
  why: z.string().min(10),
});

export const caseSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{2,80}$/),
    description: z.string().min(10),
    category: z.enum(CATEGORIES),
    kind: z.enum(KINDS),
    /** Who sends it: a demo person (default per kind) or an identity of its own. */
    as: z.union([z.enum(PERSON_KEYS), teamsUser]).optional(),
    /** Where it comes from: the person's personal chat (default), a team channel or a group chat. */
    where: z.enum(['personal', 'channel', 'groupChat']).optional(),
    /** Fields merged over the activity the kind builds; a `{"$delete": true}` value removes one. */
    activity: z.record(z.unknown()).optional(),
    /** envelope: the whole body as JSON (no activity around it), or raw bytes. */
    body: z.unknown().optional(),
    raw: z.unknown().optional(),
    headers: z.record(z.string()).optional(),
    /** message: the typed text. */
    text: z.unknown().optional(),
    /** cardAction: the verb and the data (Action.Execute). */
    verb: z.unknown().optional(),
    data: z.unknown().optional(),
    /** invoke: the invoke name and value. */
    name: z.unknown().optional(),
    value: z.unknown().optional(),
    /**
     * Runs against a record made just for it (`fresh` in `$fx`/`$card`) in a sandbox bot: a
     * case reported and left registrert or taken, or Ingrid's årshjul occurrence. For cases
     * that might change a record if the bot got them wrong.
     */
    fresh: z.enum(['registrert', 'taken', 'arshjul']).optional(),
    /**
     * `process`: the case crashes a Node process, so it runs against the bot in a child process
     * (tests/corpus/child-bot.js); only the HTTP status and whether the process lives are judged.
     */
    isolate: z.literal('process').optional(),
    expect: z.enum(EXPECTATIONS),
    /** i18n keys (nb.ts paths) whose text must be in the answer, e.g. `refusals.forged`. */
    says: z.array(z.string()).optional(),
    /** Literal strings that must (not) be in the answer (echoes, expanded templates, links). */
    contains: z.array(z.unknown()).optional(),
    notContains: z.array(z.unknown()).optional(),
    /** Strings that must not be in the text a person reads (e.g. a working Markdown link). */
    notShown: z.array(z.unknown()).optional(),
    /** The case (answer and "hjelp" after it) must take less than this. */
    withinMs: z.number().int().positive().optional(),
    mayChange: z.array(allowance).optional(),
    /** A real bug this case finds: the test expects it to fail until the bot is fixed. */
    knownFailure: z.string().min(10).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const need: Record<(typeof KINDS)[number], string[]> = {
      envelope: [],
      message: ['text'],
      cardAction: ['verb', 'data'],
      invoke: ['name'],
    };
    for (const field of need[c.kind])
      if (!(field in c)) ctx.addIssue({ code: 'custom', message: `${c.kind} needs ${field}` });
    if (c.kind === 'envelope' && [c.body, c.raw, c.activity].every((v) => v === undefined))
      ctx.addIssue({ code: 'custom', message: 'envelope needs body, raw or activity' });
    if (c.says && c.expect === '4xx')
      ctx.addIssue({ code: 'custom', message: 'a 4xx has no answer to say anything' });
  });
export type CorpusCase = z.infer<typeof caseSchema>;

/** Every case of every tests/corpus/*.json file (each file holds an array), checked. */
export function loadCorpus(dir = CORPUS_DIR): CorpusCase[] {
  const cases: CorpusCase[] = [];
  for (const file of fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const list = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as unknown[];
    if (!Array.isArray(list)) throw new Error(`${file}: not an array of cases`);
    for (const [i, raw] of list.entries()) {
      const parsed = caseSchema.safeParse(raw);
      if (!parsed.success)
        throw new Error(
          `${file}[${i}] ${(raw as { id?: string })?.id ?? ''}: ${parsed.error.issues
            .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
            .join('; ')}`,
        );
      cases.push(parsed.data);
    }
  }
  const seen = new Set<string>();
  for (const c of cases) {
    if (seen.has(c.id)) throw new Error(`duplicate case id ${c.id}`);
    seen.add(c.id);
  }
  return cases;
}

// ---------------------------------------------------------------------------------------------
// Values computed when a case runs

export interface FixtureCase {
  ref: string;
  rev: number;
  [key: string]: unknown;
}
export type Fixtures = Record<string, FixtureCase | Record<string, unknown>>;

const signer = new CardSigner(SIGNING_SECRET);

function lookup(fixtures: Fixtures, dotted: string): unknown {
  let value: unknown = fixtures;
  for (const part of dotted.split('.')) {
    if (value === null || typeof value !== 'object' || !(part in value))
      throw new Error(`no fixture value ${dotted}`);
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/**
 * Resolves the `$`-objects of a case:
 * - `{"$fx": "reg.ref"}` a fixture value;
 * - `{"$sig": {"ref", "rev", "verb", "kind"?, "secret"?}}` the signature the bot would make;
 * - `{"$card": "reg", "verb": "deviation.take", "with": {...}}` the data a card of that fixture
 *   carries for the verb (ref, rev, sig of its current revision) with `with` merged over it;
 * - `{"$repeat": "x", "times": 65536}`, `{"$concat": [...]}`, `{"$join": [[...], "sep"]}`;
 * - `{"$keys": 20000, "value": 1}` an object with that many keys, `{"$range": 3}` [0, 1, 2];
 * - `{"$nest": 1000, "leaf": ...}` an object nested that deep (built without recursion);
 * - `{"$rawNest": 1000, "open": "[", "close": "]", "leaf": "1"}` the same as JSON text;
 * - `{"$activityJson": {...overrides}, "replace": "\"__X__\"", "with": <raw text>}` a whole
 *   activity as JSON text with a placeholder replaced (for raw bodies);
 * - `{"$hex": "7bff"}` raw bytes (for bodies that are not UTF-8), `{"$gzip": …}` compressed;
 * - `{"$literal": x}` x as it is.
 */
export function resolve(value: unknown, fixtures: Fixtures, ctx: ResolveContext): unknown {
  if (Array.isArray(value)) return value.map((v) => resolve(v, fixtures, ctx));
  if (value === null || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  if ('$literal' in o) return o.$literal;
  if ('$hex' in o) return Buffer.from(String(o.$hex), 'hex');
  if ('$gzip' in o) {
    const inner = resolve(o.$gzip, fixtures, ctx);
    return zlib.gzipSync(Buffer.isBuffer(inner) ? inner : Buffer.from(String(inner), 'utf8'));
  }
  if ('$fx' in o) return lookup(fixtures, String(o.$fx));
  if ('$sig' in o) {
    const s = resolve(o.$sig, fixtures, ctx) as Record<string, unknown>;
    const by = typeof s.secret === 'string' ? new CardSigner(s.secret) : signer;
    return by.sign({
      kind: String(s.kind ?? 'deviation'),
      id: String(s.ref),
      rev: Number(s.rev),
      verb: String(s.verb),
    });
  }
  if ('$card' in o) {
    const fx = lookup(fixtures, String(o.$card)) as FixtureCase;
    const verb = String(o.verb);
    const kind = verb.startsWith('arshjul.') ? 'arshjul' : 'deviation';
    const base: Record<string, unknown> = {
      ref: fx.ref,
      rev: String(fx.rev),
      sig: signer.sign({ kind, id: fx.ref, rev: fx.rev, verb }),
    };
    const extra = o.with ? (resolve(o.with, fixtures, ctx) as Record<string, unknown>) : {};
    return mergeDeep(base, extra);
  }
  if ('$repeat' in o) return String(resolve(o.$repeat, fixtures, ctx)).repeat(Number(o.times ?? 1));
  if ('$concat' in o)
    return (resolve(o.$concat, fixtures, ctx) as unknown[]).map((v) => String(v)).join('');
  if ('$keys' in o) {
    const value = resolve(o.value ?? 1, fixtures, ctx);
    return Object.fromEntries(Array.from({ length: Number(o.$keys) }, (_, i) => [`k${i}`, value]));
  }
  if ('$range' in o) return Array.from({ length: Number(o.$range) }, (_, i) => i);
  if ('$nest' in o) {
    let inner: unknown = resolve(o.leaf ?? 1, fixtures, ctx);
    for (let i = 0; i < Number(o.$nest); i++) inner = { a: inner };
    return inner;
  }
  if ('$rawNest' in o) {
    const depth = Number(o.$rawNest);
    return `${String(o.open ?? '[').repeat(depth)}${String(o.leaf ?? '1')}${String(o.close ?? ']').repeat(depth)}`;
  }
  if ('$activityJson' in o) {
    const activity = ctx.activity(resolve(o.$activityJson, fixtures, ctx) as Activity);
    const json = JSON.stringify(activity);
    return o.replace === undefined
      ? json
      : json.replace(String(o.replace), String(resolve(o.with, fixtures, ctx)));
  }
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, resolve(v, fixtures, ctx)]));
}

export interface ResolveContext {
  /** A complete activity from the case's sender, with these layers merged over it in order. */
  activity(...layers: Activity[]): Activity;
}

const DELETE = '$delete';

/** `over` merged into `base` (objects deeply, everything else replaced); `{"$delete": true}` removes. */
export function mergeDeep(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v && typeof v === 'object' && !Array.isArray(v) && DELETE in v) delete out[k];
    else if (
      v &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      out[k] &&
      typeof out[k] === 'object' &&
      !Array.isArray(out[k])
    )
      out[k] = mergeDeep(out[k] as Record<string, unknown>, v as Record<string, unknown>);
    else out[k] = v;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The bot, its fixtures and the store

export const CLOCK = { now: () => CORPUS_NOW };

/** Everyone who acts in the corpus has the bot installed, so messages refresh nothing new. */
export const INSTALLED = [
  PEOPLE.emil,
  PEOPLE.ingrid,
  PEOPLE.per,
  PEOPLE.lars,
  PEOPLE.sofie,
  PEOPLE.marte,
  PEOPLE.nina,
  PEOPLE.ida,
];

export async function startCorpusBot(
  options: Pick<BotUnderTestOptions, 'azurite'> = {},
): Promise<BotUnderTest> {
  return startBotUnderTest({
    ...options,
    clock: CLOCK,
    installed: INSTALLED,
    // A personal chat's reference is rewritten at most once an hour when nothing in it changed.
    env: { LOCAL_ONLY: 'true', ORG_CACHE_SECONDS: '3600' },
  });
}

const ARSHJUL_FILE = path.join(__dirname, '../../bot/arshjul/demo/heim-arshjul.json');
export const AH_INGRID = 'AH-2027-virksomhetsplan-1-sentrum-barnehage';
export const AH_MARTE = 'AH-2027-virksomhetsplan-1-heim-skole';

/** Reports a case as `reporter` through the real form and returns its reference and form id. */
export async function reportCase(
  t: BotUnderTest,
  reporter: TeamsUser,
  overrides: Record<string, unknown> = {},
): Promise<{ ref: string; formId: string }> {
  const conversationId = t.client.personalConversationId(reporter);
  const before = t.connector.cardsIn(conversationId).length;
  const asked = await t.client.message(reporter, 'meld avvik');
  if (asked.status !== 200) throw new Error(`"meld avvik" answered ${asked.status}`);
  const form = await t.connector.waitFor(() => t.connector.cardsIn(conversationId)[before]);
  const formId = String(executeAction(form.card, 'deviation.submit').data?.formId);
  const res = await t.client.cardAction(
    reporter,
    'deviation.submit',
    validReport({ formId, occurredOn: TODAY, ...overrides }),
    { replyToId: form.id },
  );
  const ref = /AVV-\d{4}-\d{4,}/.exec(res.text)?.[0];
  if (res.status !== 200 || !ref) throw new Error(`submit answered ${res.status}: ${res.text}`);
  await t.settle();
  return { ref, formId };
}

/** A card action with the signature the bot would put on the card; returns the activity id. */
export async function pressSigned(
  t: BotUnderTest,
  who: TeamsUser,
  fx: { ref: string; rev: number },
  verb: string,
  inputs: Record<string, unknown> = {},
): Promise<string> {
  const kind = verb.startsWith('arshjul.') ? 'arshjul' : 'deviation';
  const id = t.client.newActivityId();
  const res = await t.client.cardAction(
    who,
    verb,
    {
      ref: fx.ref,
      rev: String(fx.rev),
      sig: signer.sign({ kind, id: fx.ref, rev: fx.rev, verb }),
      ...inputs,
    },
    { id },
  );
  if (res.status !== 200) throw new Error(`${verb} answered ${res.status}`);
  await t.settle();
  return id;
}

export async function deviationRev(t: BotUnderTest, ref: string): Promise<number> {
  const found = await t.deviations.get(ref);
  if (!found) throw new Error(`no ${ref}`);
  return found.record.rev;
}

export async function occurrenceRev(t: BotUnderTest, ref: string): Promise<number> {
  const found = await occurrenceRecords(t.bot.tables, new OutboxStore(t.bot.tables)).get(ref);
  if (!found) throw new Error(`no ${ref}`);
  return found.record.rev;
}

/**
 * The demo årshjul, imported and materialised as `npm run arshjul:import` does; only the
 * virksomhetsplan (one occurrence per unit is all the corpus needs: the whole year is about a
 * thousand rows, and every snapshot reads them all).
 */
export async function loadArshjul(t: BotUnderTest): Promise<void> {
  const file = JSON.parse(fs.readFileSync(ARSHJUL_FILE, 'utf8'));
  file.activities = file.activities.filter((a: { id: string }) => a.id === 'virksomhetsplan');
  const parsed = parseArshjulFile(file);
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  await t.bot.arshjul.catalogue.import(parsed.file, { removeMissing: false });
  await t.bot.arshjul.materialise(CORPUS_NOW);
  await t.bot.backgroundRound();
  await t.settle();
}

/**
 * The state the corpus runs against:
 * - `reg`: reported by Emil in Sentrum barnehage, registrert (handler Ingrid), with its form id;
 * - `taken`: the same kind, taken by Ingrid (rev 2), with the take's activity id (replays);
 * - `closed`: taken and closed (rev 3);
 * - `bv`: reported by Emil in Barneverntjenesten (handler Lars): another unit's case;
 * - `privacy`: a possible personal-data breach (category informasjonssikkerhet), registrert;
 * - `ah`: Ingrid's virksomhetsplan in the årshjul, open; `ahMarte` Marte's;
 * - the General channel of the demo team subscribed to Sentrum barnehage by Ingrid.
 */
export async function setUpFixtures(t: BotUnderTest): Promise<Fixtures> {
  const { emil, ingrid } = PEOPLE;
  const reg = await reportCase(t, emil);
  const taken = await reportCase(t, emil);
  const takeActionId = await pressSigned(t, ingrid, { ref: taken.ref, rev: 1 }, 'deviation.take');
  const closed = await reportCase(t, emil);
  await pressSigned(t, ingrid, { ref: closed.ref, rev: 1 }, 'deviation.take');
  await pressSigned(t, ingrid, { ref: closed.ref, rev: 2 }, 'deviation.close', {
    cause: 'Døra manglet klembeskyttelse.',
    closingMeasures: 'Klembeskyttelse er montert.',
  });
  const bv = await reportCase(t, emil, { unitId: 'barnevern' });
  const privacy = await reportCase(t, emil, { categoryId: 'informasjonssikkerhet' });

  await loadArshjul(t);
  const subscribed = await t.client.channelMessage(ingrid, 'abonner avvik Sentrum barnehage');
  if (subscribed.status !== 200) throw new Error('subscribe failed');
  await t.bot.backgroundRound();
  await t.settle();
  await t.bot.backgroundRound();
  await t.settle();

  const fx = async (r: { ref: string }, extra: Record<string, unknown> = {}) => {
    // The same reference written differently: lower case, the number with nine digits.
    const paddedRef = r.ref.replace(/-(\d+)$/, (_m, n: string) => `-${n.padStart(9, '0')}`);
    return {
      ...r,
      ...extra,
      lowerRef: r.ref.toLowerCase(),
      paddedRef,
      padded: `historikk ${paddedRef}`,
      rev: await deviationRev(t, r.ref),
    };
  };
  return {
    reg: await fx(reg),
    taken: await fx(taken, { takeActionId }),
    closed: await fx(closed),
    bv: await fx(bv),
    privacy: await fx(privacy),
    ah: { ref: AH_INGRID, rev: await occurrenceRev(t, AH_INGRID) },
    ahMarte: { ref: AH_MARTE, rev: await occurrenceRev(t, AH_MARTE) },
    team: { id: TEAM_ID },
    people: Object.fromEntries(Object.entries(PEOPLE).map(([k, p]) => [k, { ...p }])),
  };
}

/** Every entity of every table under the bot's prefix, by `table|PartitionKey|RowKey`. */
export type Snapshot = Map<string, string>;

export async function snapshot(t: BotUnderTest): Promise<Snapshot> {
  const rows = new Map<string, string>();
  await Promise.all(
    TABLE_NAMES.map(async (name) => {
      for await (const e of t.bot.tables.client(name).listEntities<Record<string, unknown>>())
        rows.set(`${name}|${e.partitionKey}|${e.rowKey}`, JSON.stringify(e));
    }),
  );
  return rows;
}

export interface RowChange {
  key: string;
  table: string;
  partition: string;
  row: string;
  before?: string;
  after?: string;
}

export function diff(before: Snapshot, after: Snapshot): RowChange[] {
  const changes: RowChange[] = [];
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    if (before.get(key) === after.get(key)) continue;
    const [table, partition, row] = key.split('|');
    changes.push({ key, table, partition, row, before: before.get(key), after: after.get(key) });
  }
  return changes;
}

/**
 * Rows that change while the corpus runs for reasons that are not the case's input. Each is
 * kept out of the comparison, and each says why.
 */
export interface Exclusion {
  name: string;
  why: string;
  applies(change: RowChange, c: RunContext): boolean;
}

export interface RunContext {
  kase: CorpusCase;
  sender: TeamsUser;
  where: 'personal' | 'channel' | 'groupChat';
  verb?: string;
  /** The allowances of the case, resolved. */
  allowed: { table: string; partition?: string; why: string }[];
  /** The teams-ai user-state key of the activity sent (when it was one). */
  stateKey?: string;
}

export const EXCLUSIONS: Exclusion[] = [
  {
    name: 'dispatcher lease',
    why:
      'Outbox partition `lease`: the background loop renews its lease on its own clock, whatever ' +
      'arrives (bot/store/lease.ts).',
    applies: (c) => c.table === 'Outbox' && c.partition === 'lease',
  },
  {
    name: 'report draft',
    why:
      'BotState, the sender’s own user-state row, on a refused `deviation.submit`: the form comes ' +
      'back with the typed values and they are kept as a draft in user state by design ' +
      '(architecture.md, “A report, step by step”, step 2). Nothing else may change.',
    applies: (c, r) =>
      c.table === 'BotState' &&
      r.verb === 'deviation.submit' &&
      r.stateKey !== undefined &&
      c.partition === safeKey(r.stateKey),
  },
  {
    name: 'channel reference',
    why:
      'Conversations partition `channel`, on a message typed in a team channel: every channel ' +
      'message stores the channel’s reference again with a new `updatedAt` (turn.ts ' +
      'rememberConversation), so proactive posts keep a current serviceUrl.',
    applies: (c, r) =>
      c.table === 'Conversations' &&
      c.partition === 'channel' &&
      r.kase.kind === 'message' &&
      r.where === 'channel',
  },
  {
    name: 'access log',
    why:
      'Deviations, a new access-log row in a case’s partition (bot/privacy/access-log-store.ts), on a ' +
      'case answered with a case card or history (`expect: answer`): who has seen a case is ' +
      'recorded by design (issue #11, defect 11). A refusal shows nothing and logs nothing.',
    applies: (c, r) =>
      c.table === 'Deviations' &&
      c.before === undefined &&
      c.row.startsWith(ACCESS_ROWS.from) &&
      r.kase.expect === 'answer',
  },
  {
    name: 'allowed by the case',
    why: 'Rows the case itself names in `mayChange`, each with its reason.',
    applies: (c, r) =>
      r.allowed.some((a) => a.table === c.table && (!a.partition || a.partition === c.partition)),
  },
];

// ---------------------------------------------------------------------------------------------
// What the bot answered, and the judgement

export interface Answer {
  status: number;
  /** Everything a person would read: card text, plain texts, and the raw JSON of each. */
  readable: string;
  raw: string;
  cards: unknown[];
  texts: string[];
}

/** The HTTP answer plus whatever the bot posted in reply to this activity. */
export function answerOf(t: BotUnderTest, res: BotResponse, activityId?: string): Answer {
  const cards: unknown[] = [];
  const texts: string[] = [];
  // The invoke's card (body.value), or one inside a dialog (body.task.value.card.content).
  const seen = (node: unknown, depth: number): void => {
    if (!node || typeof node !== 'object' || depth > 6) return;
    if ((node as { type?: unknown }).type === 'AdaptiveCard') {
      cards.push(node);
      return;
    }
    for (const child of Object.values(node)) seen(child, depth + 1);
  };
  seen(res.body, 0);
  const task = res.body?.task as { value?: unknown; type?: string } | undefined;
  if (task?.type === 'message' && typeof task.value === 'string') texts.push(task.value);
  if (activityId)
    for (const posted of t.connector.sent().filter((a) => a.replyToId === activityId)) {
      cards.push(...adaptiveCardsOf(posted.activity));
      if (typeof posted.activity?.text === 'string') texts.push(posted.activity.text);
    }
  const readable = [...cards.map((c) => cardText(c)), ...texts].join('\n');
  const raw = [res.text, ...cards.map((c) => JSON.stringify(c)), ...texts].join('\n');
  return { status: res.status, readable, raw, cards, texts };
}

function stringAt(root: unknown, dotted: string): string {
  const v = dotted
    .split('.')
    .reduce<unknown>(
      (o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined),
      root,
    );
  if (typeof v !== 'string') throw new Error(`no string at i18n key ${dotted}`);
  return v;
}

/** The text of an i18n key as a pattern: {placeholders} match anything. */
export function saysPattern(key: string, language: 'nb' | 'en' = 'nb'): RegExp {
  const text = stringAt(language === 'en' ? en : nb, key);
  const parts = text.split(/\{\w+\}/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(parts.join('[\\s\\S]*?'));
}

/** Every sentence the bot uses to say no (or "this is not for here"), in both languages. */
export const REFUSAL_KEYS = [
  ...Object.keys(nb.refusals).map((k) => `refusals.${k}`),
  'unknownCommand',
  'channelHint',
  'tenantRefused',
  'form.errorsTitle',
  'history.usage',
  'lists.notLeader',
  ...[
    'personalOnly',
    'usage',
    'noMatch',
    'ambiguous',
    'notLeader',
    'outsideLine',
    'unknownUnit',
    'chooseRequired',
    'notSubscribed',
    'nothingToEnd',
    'notAllowedEnd',
    'noneYouMayEnd',
  ].map((k) => `channels.${k}`),
  ...[
    'personalOnly',
    'alreadyDone',
    'helpTextMissing',
    'unknownMonth',
    'statusNotAllowed',
    'calendarNotLeader',
  ].map((k) => `arshjul.${k}`),
];

export const GENERIC_ERRORS = [nb.errors.generic, en.errors.generic];

export function isRefusal(readable: string): boolean {
  return REFUSAL_KEYS.some(
    (k) => saysPattern(k, 'nb').test(readable) || saysPattern(k, 'en').test(readable),
  );
}

/** The problems with an answer, for the expectation of the case; empty when it is right. */
export function judge(kase: CorpusCase, answer: Answer, fixtures: Fixtures, ctx: ResolveContext) {
  const problems: string[] = [];
  const { status } = answer;
  if (status >= 500) problems.push(`HTTP ${status}: a 5xx`);
  for (const generic of GENERIC_ERRORS)
    if (answer.raw.includes(generic)) problems.push('the generic error text (errors.generic)');
  switch (kase.expect) {
    case '4xx':
      if (status < 400 || status >= 500) problems.push(`expected a 4xx, got ${status}`);
      break;
    case 'refusal':
      if (status !== 200) problems.push(`expected 200 with a refusal, got ${status}`);
      else if (!isRefusal(answer.readable))
        problems.push(`expected a refusal, the answer was: ${answer.readable.slice(0, 300)}`);
      break;
    case 'answer':
      if (status !== 200) problems.push(`expected 200 with an answer, got ${status}`);
      else if (answer.cards.length === 0 && answer.texts.length === 0)
        problems.push('expected an answer (a card or a text), got none');
      break;
    case 'ignored':
      if (status < 200 || status >= 300) problems.push(`expected a 2xx, got ${status}`);
      if (answer.cards.length > 0 || answer.texts.length > 0)
        problems.push(`expected no answer, got: ${answer.readable.slice(0, 200)}`);
      break;
  }
  for (const key of kase.says ?? [])
    if (
      !saysPattern(key, 'nb').test(answer.readable) &&
      !saysPattern(key, 'en').test(answer.readable)
    )
      problems.push(`the answer does not say ${key}: ${answer.readable.slice(0, 300)}`);
  for (const want of kase.contains ?? []) {
    const text = String(resolve(want, fixtures, ctx));
    if (!answer.raw.includes(text))
      problems.push(`the answer does not contain ${JSON.stringify(text).slice(0, 80)}`);
  }
  for (const hidden of kase.notShown ?? []) {
    const text = String(resolve(hidden, fixtures, ctx));
    if (answer.readable.includes(text))
      problems.push(`the answer shows ${JSON.stringify(text).slice(0, 80)}`);
  }
  for (const unwanted of kase.notContains ?? []) {
    const text = String(resolve(unwanted, fixtures, ctx));
    if (answer.raw.includes(text) || answer.readable.includes(text))
      problems.push(`the answer contains ${JSON.stringify(text).slice(0, 80)}`);
  }
  return problems;
}
