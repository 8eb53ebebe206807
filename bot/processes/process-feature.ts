import { fill, formatDate, strings, type Language } from '../i18n';
import { processRefusalText, workTexts } from '../i18n/work';
import type { Actor } from '../kernel/actor';
import {
  CardActionPipeline,
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
import { anchor, anchorersFor, decideRelease, nominate, type ProcessResult } from './process-rules';
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
] as const;

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
  return renderCard('processes/process', {
    t,
    ref: p.ref,
    rev: p.rev,
    sig: options.signer.signAll(PROCESS_KIND, p.ref, p.rev, PROCESS_VERBS),
    can: {
      anchor: p.status === 'draft' && anchorersFor(org, p).some((x) => x.id === viewerId),
      nominate: p.status !== 'closed' && viewerId === p.ownerId,
      release: canRelease,
    },
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
  const readScene = async (language: Language): Promise<ActionScene> => ({
    org: (await deps.org.snapshot()).org,
    language,
    now: deps.clock.now(),
  });

  const feature: CardActionFeature<Process, ProcessEvent, ActionScene> = {
    kind: PROCESS_KIND,
    verbs: PROCESS_VERBS,
    records: deps.records,
    scene: (actor) => readScene(actor.language),
    // Anyone in the organisation may press; each verb's rule says who may do what, and why not.
    mayAct: ({ org, actorId }) => org.people.has(actorId),
    mayView: ({ org, record, actorId }) => mayViewProcess(org, record, actorId),
    decide: ({ verb, scene, record, data, actor, actionId }) => {
      const result = decideProcess(verb, scene, record, data, actor.id);
      if (!result.ok)
        return { ok: false, refusal: processRefusalText(result.refusal, scene.language) };
      return {
        ok: true,
        record: { ...result.process, lastActionId: actionId },
        event: result.event,
      };
    },
    card: (scene, record, viewer, shown) =>
      processCard(scene, record, viewer.id, {
        signer: deps.signer,
        notice: shown.notice,
        noticeColor: shown.noticeColor,
      }),
    messagesFor: (scene, _before, after, event, source) =>
      afterProcessChange(after, event, scene.now, source),
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
            ...(about ? { focusId: about } : {}),
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
  switch (verb) {
    case 'process.anchor':
      return anchor({ org, process, actorId, now });
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
