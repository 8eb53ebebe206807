import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { en } from '../../bot/i18n/en';
import { nb } from '../../bot/i18n/nb';
import { CardSigner } from '../../bot/kernel/card-signing';
import { parseProcessFile } from '../../bot/processes/process-file';
import { ProcessStore } from '../../bot/processes/process-store';
import { ProjectStore } from '../../bot/projects/project-store';
import { OutboxStore } from '../../bot/store/outbox-store';
import { TaskStore } from '../../bot/tasks/task-store';
import { VedtakStore } from '../../bot/vedtak/vedtak-store';
import {
  PEOPLE,
  SIGNING_SECRET,
  startBotUnderTest,
  type BotUnderTest,
} from '../support/bot-under-test';
import { executeAction } from '../support/cards';
import { invokeCard } from '../support/deviation-flows';
import { demoOrg } from '../support/demo-org';
import type { TeamsUser } from '../support/teams-client';

/**
 * Issue #11's property over card data, for the verbs of processes, tasks, projects and political
 * decisions (issue #9): generated data for every verb -- the card's own signature, another
 * verb's, another record's, a stale or forged one, junk of every JSON type in every field --
 * pressed by people who may and may not act. Two properties per verb:
 * - never a 5xx, never the generic error;
 * - no change to the record unless the signature is the card's own and the presser is one the
 *   rules allow (the oracle is written from the rules, not by calling the bot's code).
 */
const RUNS = 40;
const SEED = Number(process.env.FC_SEED ?? 20271129);
let t: BotUnderTest;
const signer = new CardSigner(SIGNING_SECRET);
const { ingrid, emil, per, marte, lars } = PEOPLE;
const silje: TeamsUser = {
  id: '29:silje',
  aadObjectId: '7c1a2b3d-0001-4a10-9c01-000000000102',
  name: 'Silje Bakke',
};
const kari: TeamsUser = {
  id: '29:kari',
  aadObjectId: '00000000-0000-0000-0000-0000000000022',
  name: 'Kari Nilsen',
};
const ghost: TeamsUser = { id: '29:ghost\udc00', aadObjectId: '\ud800-ghost', name: 'Ghost' };
const GENERIC = [nb.errors.generic, en.errors.generic];
const clock = { at: new Date('2027-03-08T09:00:00Z'), now: () => clock.at };

const junk = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1e308, '', ' ', '\u0000', [], {}, ['x']),
  fc.string({ maxLength: 30 }),
  fc.constantFrom('../x', 'a/b#c?d', "' or PartitionKey ne '", 'x'.repeat(70_000), '\u200b'),
  fc.anything({ maxDepth: 2 }),
);

interface Target {
  kind: string;
  ref: string;
  rev: () => Promise<number>;
  /** Who the rules let press this verb on this record (others must change nothing). */
  allowed: readonly string[];
}

const stores = () => {
  const outbox = new OutboxStore(t.bot.tables);
  return {
    tasks: new TaskStore(t.bot.tables, outbox),
    processes: new ProcessStore(t.bot.tables, outbox),
    projects: new ProjectStore(t.bot.tables, outbox),
    vedtak: new VedtakStore(t.bot.tables, outbox),
  };
};
const revOf =
  (get: (ref: string) => Promise<{ record: { rev: number } } | undefined>, ref: string) =>
  async () =>
    (await get(ref))?.record.rev ?? -1;

async function submit(
  who: TeamsUser,
  command: string,
  verb: string,
  values: Record<string, string>,
) {
  const before = t.connector.cardsIn(t.client.personalConversationId(who)).length;
  await t.client.message(who, command);
  const form = await t.connector.waitFor(
    () => t.connector.cardsIn(t.client.personalConversationId(who))[before],
  );
  const card = invokeCard(
    await t.client.cardAction(who, verb, { ...executeAction(form.card, verb).data, ...values }),
  );
  await t.settle();
  return JSON.stringify(card);
}

const targets: Record<string, Target> = {};

beforeAll(async () => {
  t = await startBotUnderTest({ clock, installed: [ingrid, emil, per, marte, lars, silje, kari] });
  const file = parseProcessFile(
    JSON.parse(
      fs.readFileSync(path.join(__dirname, '../../bot/processes/demo/heim-prosesser.json'), 'utf8'),
    ),
  );
  if (!file.ok) throw new Error(file.errors.join());
  const s = stores();
  await s.processes.import(file.file, demoOrg(), clock.now());
  const taskRef = /OPG-\d{4}-\d{4}/.exec(
    await submit(silje, 'ny oppgave', 'task.create', {
      parent: 'process:aldersvennlig-samfunn',
      title: 'Kartlegg møteplasser',
      description: '',
      assignee: ingrid.aadObjectId!,
      due: '2027-04-01',
    }),
  )![0];
  const projectRef = /PRO-\d{4}-\d{4}/.exec(
    await submit(per, 'nytt prosjekt', 'project.create', {
      name: 'Velferdsteknologi',
      mandate: 'Digitalt tilsyn',
      ownerId: ingrid.aadObjectId!,
      steeringGroup: [marte, lars].map((p) => p.aadObjectId).join(','),
      quorum: 'all',
    }),
  )![0];
  const vedtakRef = /VED-\d{4}-\d{4}/.exec(
    await submit(kari, 'nytt vedtak', 'vedtak.create', {
      body: 'Kommunestyret',
      caseNumber: 'PS 1/27',
      date: '2027-02-01',
      summary: 'Leksehjelp',
      responsibleUnitId: 'heim-skole',
      deadline: '2027-08-01',
    }),
  )![0];
  const task = { kind: 'task', ref: taskRef, rev: revOf((r) => s.tasks.get(r), taskRef) };
  for (const verb of ['task.accept', 'task.done', 'task.block', 'task.handover'])
    targets[verb] = { ...task, allowed: [ingrid.aadObjectId!] };
  for (const verb of ['task.handover.approve', 'task.handover.refuse', 'task.cancel'])
    targets[verb] = { ...task, allowed: [silje.aadObjectId!] };
  const folkehelse = {
    kind: 'process',
    ref: 'folkehelse',
    rev: revOf((r) => s.processes.get(r), 'folkehelse'),
  };
  targets['process.anchor'] = { ...folkehelse, allowed: [per.aadObjectId!] };
  targets['process.nominate'] = { ...folkehelse, allowed: [silje.aadObjectId!] };
  // Nobody is nominated: no press of release or decline may change anything.
  targets['process.release'] = { ...folkehelse, allowed: [] };
  targets['process.decline'] = { ...folkehelse, allowed: [] };
  // No measure exists, and Folkehelse is a draft: no measure verb may change anything.
  for (const verb of ['process.ack', 'process.measuredecline', 'process.escalate', 'process.rule'])
    targets[verb] = { ...folkehelse, allowed: [] };
  for (const verb of ['process.measure', 'process.evaluate'])
    targets[verb] = { ...folkehelse, allowed: [silje.aadObjectId!] };
  const project = {
    kind: 'project',
    ref: projectRef,
    rev: revOf((r) => s.projects.get(r), projectRef),
  };
  targets['project.gate'] = { ...project, allowed: [ingrid.aadObjectId!] };
  // No gate is pending until the owner asks: votes change nothing.
  targets['project.approve'] = { ...project, allowed: [] };
  targets['project.sendback'] = { ...project, allowed: [] };
  targets['vedtak.status'] = {
    kind: 'vedtak',
    ref: vedtakRef,
    rev: revOf((r) => s.vedtak.get(r), vedtakRef),
    allowed: [marte.aadObjectId!, per.aadObjectId!, kari.aadObjectId!],
  };
}, 90_000);
afterAll(async () => {
  await t?.stop();
});

const EVERYONE = [ingrid, emil, per, marte, lars, silje, kari, ghost];
/** Anyone, and the people the rules allow more often, so the accepted path is reached too. */
const actorFor = (verb: string) => {
  const allowed = EVERYONE.filter((p) => targets[verb].allowed.includes(p.aadObjectId ?? ''));
  return allowed.length
    ? fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...allowed) }, fc.constantFrom(...EVERYONE))
    : fc.constantFrom(...EVERYONE);
};
let changes = 0;
const SIG = fc.constantFrom('true', 'otherVerb', 'otherRef', 'stale', 'forged');

const VERBS = [
  'task.accept',
  'task.done',
  'task.block',
  'task.handover',
  'task.handover.approve',
  'task.handover.refuse',
  'task.cancel',
  'process.anchor',
  'process.nominate',
  'process.release',
  'process.decline',
  'process.ack',
  'process.measuredecline',
  'process.escalate',
  'process.rule',
  'process.measure',
  'process.evaluate',
  'project.gate',
  'project.approve',
  'project.sendback',
  'vedtak.status',
];

test.each(VERBS)(
  '%s: never 5xx; no change unless signed for it and pressed by someone allowed',
  async (verb) => {
    await fc.assert(
      fc.asyncProperty(
        actorFor(verb),
        SIG,
        fc.dictionary(
          fc.constantFrom(
            'measureNumber',
            'measureText',
            'measureUnits',
            'unitId',
            'evaluationText',
            'note',
            'reason',
            'text',
            'personId',
            'newAssignee',
            'nomineeId',
            'sharePercent',
            'gateNumber',
            'status',
            'statusComment',
            'sendBackComment',
            'reportUrl',
            'x',
          ),
          junk,
          { maxKeys: 4 },
        ),
        fc.boolean(),
        async (actor, sigChoice, fields, revAsString) => {
          const target = targets[verb];
          const rev = await target.rev();
          const signed = (v: string, ref: string, r: number) =>
            signer.sign({ kind: target.kind, id: ref, rev: r, verb: v });
          const sig = {
            true: signed(verb, target.ref, rev),
            otherVerb: signed(
              verb === 'task.accept' ? 'task.done' : 'task.accept',
              target.ref,
              rev,
            ),
            otherRef: signed(verb, `${target.ref}x`, rev),
            stale: signed(verb, target.ref, rev - 1),
            forged: 'A'.repeat(32),
          }[sigChoice];
          const res = await t.client.post(
            t.client.cardActionActivity(actor, verb, {
              ...fields,
              ref: target.ref,
              rev: revAsString ? String(rev) : rev,
              sig,
            }),
          );
          expect(res.status).toBeLessThan(500);
          for (const generic of GENERIC) expect(res.text).not.toContain(generic);
          await t.settle();
          const mayChange =
            sigChoice === 'true' && target.allowed.includes(actor.aadObjectId ?? '');
          const after = await target.rev();
          if (after !== rev) changes += 1;
          if (!mayChange) expect(after).toBe(rev);
        },
      ),
      { numRuns: RUNS, seed: SEED },
    );
  },
  120_000,
);

test('the generated data also reached the accepted path (the property is not vacuous)', () => {
  expect(changes).toBeGreaterThan(0);
});
