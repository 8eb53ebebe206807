import { fill, formatDate, strings, type Language } from '../i18n';
import { processRefusalText, workTexts } from '../i18n/work';
import type { Actor } from '../kernel/actor';
import {
  CardActionPipeline,
  sceneReader,
  type ActionScene,
  type CardActionFeature,
} from '../kernel/card-action';
import { stringIn } from '../kernel/card-data';
import type { CardSigner } from '../kernel/card-signing';
import { asShownText, notice, renderCard, type Card } from '../kernel/card-templates';
import type { Clock } from '../kernel/clock';
import type { Composer } from '../messaging/outbox';
import type { CopyDrawer } from '../messaging/posted-card-messages';
import { isInLineAbove, type Organisation, type OrgDirectory } from '../org/organisation';
import { peopleChoices } from '../tasks/task-views';
import type { Process, ProcessEvent } from './process';
import { afterProcessChange, PROCESS_KIND, type CardReason } from './process-messages';
import {
  anchor,
  anchorersFor,
  answerMeasure,
  decideEscalation,
  decideMeasure,
  decideRelease,
  escalateMeasure,
  evaluate,
  nominate,
  type ProcessResult,
} from './process-rules';
import type { ProcessStore } from './process-store';

/**
 * Processes in Teams (issue #9): anchoring at rådmannsnivå and release of staff from cards,
 * through the kernel's card-action pipeline; "prosesser" and "prosess <navn>" in chat.
 */
export const PROCESS_VERBS = [
  'process.anchor',
  'process.nominate',
  'process.release',
  'process.decline',
  'process.measure',
  'process.ack',
  'process.measuredecline',
  'process.escalate',
  'process.rule',
  'process.evaluate',
] as const;

const MEASURE_REASONS: ReadonlySet<CardReason> = new Set([
  'measure',
  'measureDeclined',
  'escalated',
  'ruled',
]);

export interface ProcessDeps {
  records: ProcessStore;
  org: OrgDirectory;
  signer: CardSigner;
  clock: Clock;
}

interface Shown {
  /** The nominee a release card is about: its buttons decide for that person. */
  focusId?: string;
  headline?: string;
  notice?: string;
  noticeColor?: 'Attention' | 'Warning' | 'Good';
}

const nameOf = (org: Organisation, id: string) => org.people.get(id)?.name ?? id;

/** May this person decide this nominee's release (their leader, or the line above; never themselves)? */
function decidesFor(org: Organisation, p: Process, nomineeId: string, viewerId: string): boolean {
  const n = p.nominations.find((x) => x.personId === nomineeId && x.status === 'pending');
  if (!n || viewerId === nomineeId) return false;
  const nominee = org.people.get(nomineeId);
  return (
    n.releaserId === viewerId ||
    (nominee !== undefined && isInLineAbove(org, nominee.unitId, viewerId))
  );
}

/**
 * The measure this viewer has something to do about, first one first: a unit they lead waits
 * for their answer; as owner, a declined measure not yet taken to the rådmann; as rådmann, one
 * taken to them and not decided.
 */
function measureFocus(
  org: Organisation,
  p: Process,
  viewerId: string,
): { kind: 'ack' | 'escalate' | 'rule'; number: number; unitId?: string } | undefined {
  if (p.status === 'closed') return undefined;
  for (const m of p.measures) {
    const mine = Object.entries(m.acks).find(
      ([unitId, a]) => a.status === 'pending' && org.units.get(unitId)?.leaderId === viewerId,
    );
    if (mine) return { kind: 'ack', number: m.number, unitId: mine[0] };
  }
  if (viewerId === p.ownerId)
    for (const m of p.measures) {
      const declined = Object.entries(m.acks).find(([, a]) => a.status === 'declined');
      if (declined && !m.escalation)
        return { kind: 'escalate', number: m.number, unitId: declined[0] };
    }
  if (org.people.get(viewerId)?.role === 'rådmann')
    for (const m of p.measures)
      if (m.escalation && !m.escalation.decision) return { kind: 'rule', number: m.number };
  return undefined;
}

export function processCard(
  scene: ActionScene,
  p: Process,
  viewerId: string,
  options: { signer: CardSigner } & Shown,
): Card {
  const w = workTexts(scene.language);
  const t = w.processCard;
  const { org } = scene;
  const focusId =
    options.focusId ??
    p.nominations.find((n) => n.status === 'pending' && decidesFor(org, p, n.personId, viewerId))
      ?.personId;
  const canRelease = focusId !== undefined && decidesFor(org, p, focusId, viewerId);
  const members = p.members
    .map((m) => nameOf(org, m.personId) + (m.sharePercent ? ` (${m.sharePercent} %)` : ''))
    .join(', ');
  const pending = p.nominations.filter((n) => n.status === 'pending');
  const declined = focusId
    ? p.nominations.find((n) => n.personId === focusId && n.status === 'declined')
    : undefined;
  const focus = measureFocus(org, p, viewerId);
  const unitName = (id: string) => org.units.get(id)?.name ?? id;
  const lastEvaluation = [...(p.evaluations ?? [])].sort((a, b) => b.year - a.year)[0];
  return renderCard('processes/process', {
    t,
    ref: p.ref,
    rev: p.rev,
    sig: options.signer.signAll(PROCESS_KIND, p.ref, p.rev, PROCESS_VERBS),
    can: {
      anchor: p.status === 'draft' && anchorersFor(org, p).some((x) => x.id === viewerId),
      nominate: p.status !== 'closed' && viewerId === p.ownerId,
      release: canRelease,
      measure: p.status === 'active' && viewerId === p.ownerId,
      evaluate: p.status === 'active' && viewerId === p.ownerId,
      ack: focus?.kind === 'ack',
      escalate: focus?.kind === 'escalate',
      rule: focus?.kind === 'rule',
    },
    measures: p.measures
      .map((m) =>
        fill(t.measureLine, {
          number: m.number,
          text: asShownText(m.text),
          states: [
            ...Object.entries(m.acks).map(([unitId, a]) =>
              fill(t.measureState[a.status], { unit: unitName(unitId) }),
            ),
            ...(m.escalation
              ? [m.escalation.decision ? t[m.escalation.decision] : t.escalated]
              : []),
          ].join('; '),
        }),
      )
      .join('\n'),
    evaluation: lastEvaluation
      ? fill(t.evaluationLine, {
          year: lastEvaluation.year,
          text: asShownText(lastEvaluation.text),
        })
      : '',
    measureFocus: focus
      ? fill(
          focus.kind === 'ack' ? t.ackAsk : focus.kind === 'escalate' ? t.escalateAsk : t.ruleAsk,
          {
            number: focus.number,
            unit: unitName(focus.unitId ?? ''),
          },
        )
      : '',
    measureNumber: focus?.number ?? 0,
    measureUnit: focus?.unitId ?? '',
    units: [...org.units.values()]
      .filter((u) => u.kind !== 'rådmannsnivå')
      .map((u) => ({ title: u.name, value: u.id })),
    headline: options.headline ?? '',
    headlineColor: 'Default',
    name: p.name[scene.language] ?? p.name.nb,
    status: w.processList[p.status],
    owner: nameOf(org, p.ownerId),
    commissioner: nameOf(org, p.commissionerId),
    anchored:
      p.anchoredBy && p.anchoredAt
        ? fill(t.anchoredBy, {
            name: nameOf(org, p.anchoredBy),
            date: formatDate(p.anchoredAt, scene.language),
          })
        : '',
    mandate: asShownText(p.mandate),
    goals: p.goals.map((g) => `- ${asShownText(g)}`).join('\n'),
    members: members || t.noMembers,
    pending: pending.length
      ? fill(t.waiting, { names: pending.map((n) => nameOf(org, n.personId)).join(', ') })
      : '',
    focusText:
      p.status === 'draft' && anchorersFor(org, p).some((x) => x.id === viewerId)
        ? t.anchorAsk
        : canRelease
          ? fill(t.releaseAsk, { owner: nameOf(org, p.ownerId), nominee: nameOf(org, focusId) })
          : declined?.comment
            ? fill(t.declineReason, { reason: asShownText(declined.comment) })
            : '',
    focusId: focusId ?? '',
    people: peopleChoices(org),
    notice: options.notice ?? '',
    noticeColor: options.noticeColor ?? 'Attention',
  });
}

export function processFeature(deps: ProcessDeps) {
  const readScene = sceneReader(deps.org, deps.clock);

  const feature: CardActionFeature<Process, ProcessEvent, ActionScene> = {
    kind: PROCESS_KIND,
    verbs: PROCESS_VERBS,
    records: deps.records,
    scene: (actor) => readScene(actor.language),
    // Anyone in the organisation may press; each verb's rule says who may do what, and why not.
    mayAct: ({ org, actorId }) => org.people.has(actorId),
    mayView: ({ org, record, actorId }) => mayViewProcess(org, record, actorId),
    // Each unit leader answers for their own unit (the card names the measure and the unit):
    // answers from several leaders at once are all kept.
    commutes: (verb) => verb === 'process.ack' || verb === 'process.measuredecline',
    decide: ({ verb, scene, record, data, actor }) => {
      const result = decideProcess(verb, scene, record, data, actor.id);
      return result.ok
        ? { ok: true, record: result.process, event: result.event }
        : { ok: false, refusal: processRefusalText(result.refusal, scene.language) };
    },
    card: (scene, record, viewer, shown) =>
      processCard(scene, record, viewer.id, {
        signer: deps.signer,
        notice: shown.notice,
        noticeColor: shown.noticeColor,
      }),
    messagesFor: (scene, before, after, event, source) =>
      afterProcessChange(before, after, event, scene.now, source, {
        leaderOf: (unitId) => scene.org.units.get(unitId)?.leaderId,
        radmenn: [...scene.org.people.values()]
          .filter((x) => x.role === 'rådmann')
          .map((x) => x.id),
      }),
  };

  const headline = (language: Language, why: CardReason, about: string, org: Organisation) =>
    fill(workTexts(language).processCard.headlines[why], { nominee: nameOf(org, about) });

  const composers: Composer[] = [
    {
      type: 'process.card',
      async compose(m, language) {
        const found = await deps.records.get(String(m.params.ref));
        if (!found) return { skip: 'gone' };
        const scene = await readScene(language);
        const why = String(m.params.why) as CardReason;
        const about = String(m.params.about ?? '');
        if (why === 'anchor' && found.record.status !== 'draft')
          return { skip: 'anchored already' };
        const person = m.to.kind === 'person' ? m.to.id : '';
        return {
          card: processCard(scene, found.record, person, {
            signer: deps.signer,
            headline: headline(language, why, about, scene.org),
            ...(about && !MEASURE_REASONS.has(why) ? { focusId: about } : {}),
          }),
        };
      },
    },
  ];

  const drawCopy: CopyDrawer = async (ref, copy, language) => {
    const found = await deps.records.get(ref);
    if (!found) return undefined;
    const scene = await readScene(language);
    const at = copy.view.indexOf(':');
    const focusId = at === -1 ? undefined : copy.view.slice(at + 1);
    return processCard(scene, found.record, copy.ownerId, {
      signer: deps.signer,
      ...(focusId ? { focusId } : {}),
    });
  };

  async function list(actor: Actor): Promise<Card> {
    const [scene, processes] = await Promise.all([readScene(actor.language), deps.records.list()]);
    const w = workTexts(actor.language);
    const rows = processes
      .sort((a, b) => a.name.nb.localeCompare(b.name.nb, 'nb'))
      .map((p) => ({
        name: p.name[actor.language] ?? p.name.nb,
        detail: fill(w.processCard.listDetail, {
          status: w.processList[p.status],
          owner: nameOf(scene.org, p.ownerId),
          count: p.members.length,
        }),
      }));
    return renderCard('processes/list', {
      title: w.processCard.listTitle,
      rows,
      hint: w.processCard.listHint,
    });
  }

  async function show(actor: Actor, text: string): Promise<Card> {
    const [scene, processes] = await Promise.all([readScene(actor.language), deps.records.list()]);
    const wanted = text.trim().toLocaleLowerCase('nb');
    const found =
      processes.find((p) => p.ref === wanted || p.name.nb.toLocaleLowerCase('nb') === wanted) ??
      (wanted
        ? processes.find((p) => p.name.nb.toLocaleLowerCase('nb').startsWith(wanted))
        : undefined);
    const w = workTexts(actor.language).processCard;
    if (!found) return notice(fill(w.unknown, { text: text.slice(0, 40) }), '', 'Default');
    if (!mayViewProcess(scene.org, found, actor.id))
      return notice(
        fill(strings(actor.language).refusals.not_allowed_view, { ref: found.name.nb }),
      );
    return processCard(scene, found, actor.id, { signer: deps.signer });
  }

  return {
    pipeline: new CardActionPipeline(feature, deps.signer),
    composers,
    drawCopy,
    list,
    show,
  };
}

function decideProcess(
  verb: string,
  scene: ActionScene,
  process: Process,
  data: Record<string, unknown>,
  actorId: string,
): ProcessResult {
  const { org, now } = scene;
  const nomineeId = stringIn(data.nomineeId);
  const number = Number(stringIn(data.measureNumber) || data.measureNumber);
  const measureNumber = Number.isInteger(number) ? number : -1;
  switch (verb) {
    case 'process.anchor':
      return anchor({ org, process, actorId, now });
    case 'process.measure':
      return decideMeasure({
        org,
        process,
        actorId,
        text: stringIn(data.measureText),
        unitIds: stringIn(data.measureUnits)
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean),
        now,
      });
    case 'process.ack':
    case 'process.measuredecline':
      return answerMeasure({
        org,
        process,
        actorId,
        number: measureNumber,
        unitId: stringIn(data.unitId),
        acknowledge: verb === 'process.ack',
        comment: stringIn(data.measureDeclineComment),
        now,
      });
    case 'process.escalate':
      return escalateMeasure({ process, actorId, number: measureNumber, now });
    case 'process.rule':
      return decideEscalation({
        org,
        process,
        actorId,
        number: measureNumber,
        uphold: stringIn(data.ruling) !== 'withdraw',
        comment: stringIn(data.rulingComment),
        now,
      });
    case 'process.evaluate':
      return evaluate({ process, actorId, text: stringIn(data.evaluationText), now });
    case 'process.nominate':
      return nominate({ org, process, actorId, nomineeId: stringIn(data.personId), now });
    case 'process.release': {
      // Input.Number arrives as a number or as its text; empty means no share given.
      const raw = data.sharePercent;
      const share = typeof raw === 'number' ? String(raw) : stringIn(raw).trim();
      return decideRelease({
        org,
        process,
        actorId,
        nomineeId,
        release: true,
        comment: stringIn(data.releaseComment),
        ...(share ? { sharePercent: Number(share) } : {}),
        now,
      });
    }
    default:
      return decideRelease({
        org,
        process,
        actorId,
        nomineeId,
        release: false,
        comment: stringIn(data.declineComment),
        now,
      });
  }
}

/**
 * Who sees a process: its owner, oppdragsgiver and group, those asked to anchor it or release
 * someone to it, and the line above the owner. Its mandate is no secret inside the
 * municipality, but its members and who was declined are.
 */
export function mayViewProcess(org: Organisation, p: Process, actorId: string): boolean {
  if ([p.ownerId, p.commissionerId, ...p.members.map((m) => m.personId)].includes(actorId))
    return true;
  if (p.nominations.some((n) => n.personId === actorId || n.releaserId === actorId)) return true;
  if (anchorersFor(org, p).some((x) => x.id === actorId)) return true;
  const owner = org.people.get(p.ownerId);
  return owner !== undefined && isInLineAbove(org, owner.unitId, actorId);
}

export type ProcessFeature = ReturnType<typeof processFeature>;
