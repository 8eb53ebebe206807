import crypto from 'node:crypto';
import { log } from '../app/log';
import { linkedChannelsJob, type LinkNoticeEvent } from '../channels/link-notices';
import { fill, strings } from '../i18n';
import { projectRefusalText, workTexts } from '../i18n/work';
import type { Actor } from '../kernel/actor';
import {
  CardActionPipeline,
  sceneReader,
  type ActionScene,
  type ActionSource,
  type CardActionFeature,
} from '../kernel/card-action';
import { stringIn } from '../kernel/card-data';
import type { CardSigner } from '../kernel/card-signing';
import { asShownText, notice, renderCard, type Card } from '../kernel/card-templates';
import type { Clock } from '../kernel/clock';
import type { Composer, Message, Params } from '../messaging/outbox';
import { updateCopies, type CopyDrawer } from '../messaging/posted-card-messages';
import { isInLineAbove, type Organisation, type OrgDirectory } from '../org/organisation';
import { peopleChoices } from '../tasks/task-views';
import type { Phase, Project, ProjectEvent, Quorum } from './project';
import { PROJECT_PREFIX } from './project';
import {
  approvalsNeeded,
  castVote,
  createProject,
  requestGate,
  tally,
  type ProjectResult,
} from './project-rules';
import type { ProjectStore } from './project-store';

/**
 * Projects in Teams (issue #9): a leader gives a mandate ("nytt prosjekt"); the owner asks the
 * styringsgruppe for each phase decision from the project card; each member approves or sends
 * back once, and votes that arrive together are all counted (they commute: the kernel decides a
 * lost race again on the new state). "prosjekter" and "prosjekt <PRO-…>" in chat.
 */
export const PROJECT_KIND = 'project';
export const PROJECT_VERBS = ['project.gate', 'project.approve', 'project.sendback'] as const;
const COMMUTING: ReadonlySet<string> = new Set(['project.approve', 'project.sendback']);

export interface ProjectDeps {
  records: ProjectStore;
  org: OrgDirectory;
  signer: CardSigner;
  clock: Clock;
}

const cardKey = (ref: string) => ({ kind: PROJECT_KIND, id: ref });
const nameOf = (org: Organisation, id: string) => org.people.get(id)?.name ?? id;

type Why = 'gate' | 'gate_approved' | 'gate_sent_back' | 'closed' | 'created' | 'steering';

function cardTo(p: Project, personId: string, why: Why, now: Date): Message {
  return {
    key: `card:${p.rev}:${why}:${personId}`,
    type: 'project.card',
    to: { kind: 'person', id: personId },
    params: { ref: p.ref, why },
    dueAt: now.toISOString(),
    remember: { card: cardKey(p.ref), view: why },
  };
}

/** The catalogue row follows the record (a job in its own transaction: never unlisted). */
function listedMessage(p: Project, now: Date): Message {
  return {
    key: 'listed',
    type: 'project.listed',
    to: { kind: 'job' },
    params: { ref: p.ref },
    dueAt: now.toISOString(),
  };
}

export function afterProjectChange(
  after: Project,
  event: ProjectEvent,
  now: Date,
  source: ActionSource,
): Message[] {
  const messages = [
    updateCopies(cardKey(after.ref), after.rev, now, {
      conversationId: source.conversationId,
      activityId: source.activityId,
    }),
  ];
  const everyone = [...new Set([after.ownerId, ...after.steeringGroup])];
  if (event.kind === 'gate_requested')
    for (const id of after.steeringGroup) messages.push(cardTo(after, id, 'gate', now));
  if (
    event.kind === 'gate_approved' ||
    event.kind === 'gate_sent_back' ||
    event.kind === 'closed'
  ) {
    for (const id of everyone)
      if (id !== event.actorId) messages.push(cardTo(after, id, event.kind, now));
    messages.push(channelNoticeJob(after, event.kind, now));
  }
  return messages;
}

/** Linked channels hear of a decision: its phases and counts, never a comment or a voter. */
function channelNoticeJob(p: Project, what: LinkNoticeEvent, now: Date): Message {
  const last = p.history[p.history.length - 1];
  const facts: Params = last
    ? {
        from: last.from,
        to: last.to,
        approvals: last.approvals,
        sendBacks: last.sendBacks,
        size: p.steeringGroup.length,
      }
    : {};
  return linkedChannelsJob({ kind: 'project', id: p.ref }, what, `${p.ref}:${p.rev}`, now, facts);
}

export function projectCard(
  scene: ActionScene,
  p: Project,
  viewerId: string,
  options: { signer: CardSigner; headline?: string; notice?: string; noticeColor?: string },
): Card {
  const w = workTexts(scene.language);
  const t = w.projectCard;
  const { org } = scene;
  const phase = (x: Phase | 'closed') => w.phases[x];
  const gate = p.gate;
  const counted = gate ? tally(p) : undefined;
  const active = p.status === 'active';
  return renderCard('projects/project', {
    t,
    ref: p.ref,
    rev: p.rev,
    sig: options.signer.signAll(PROJECT_KIND, p.ref, p.rev, PROJECT_VERBS),
    gateNumber: gate?.number ?? 0,
    can: {
      gate: active && !gate && viewerId === p.ownerId && p.phase !== 'avslutning',
      close: active && !gate && viewerId === p.ownerId && p.phase === 'avslutning',
      vote:
        active && gate !== undefined && p.steeringGroup.includes(viewerId) && !gate.votes[viewerId],
    },
    headline: options.headline ?? '',
    name: asShownText(p.name),
    phase: p.status === 'closed' ? w.phases.closed : phase(p.phase),
    owner: nameOf(org, p.ownerId),
    mandatedBy: nameOf(org, p.mandatedBy),
    steeringGroup: p.steeringGroup.map((id) => nameOf(org, id)).join(', '),
    quorum: fill(t.quorumText, {
      needed: approvalsNeeded(p.quorum, p.steeringGroup.length),
      size: p.steeringGroup.length,
    }),
    mandate: asShownText(p.mandate),
    gate: gate
      ? fill(t.gate, { number: gate.number, from: phase(gate.from), to: phase(gate.to) })
      : '',
    tally: counted ? fill(t.tally, { ...counted, waiting: '' }) : '',
    waiting: counted?.waiting.length
      ? fill(t.waiting, { names: counted.waiting.map((id) => nameOf(org, id)).join(', ') })
      : '',
    history: p.history
      .map((h) =>
        fill(t.history, {
          number: h.number,
          from: phase(h.from),
          to: phase(h.to),
          outcome: h.outcome === 'approved' ? w.votes.approve : w.votes.send_back,
        }),
      )
      .join('\n'),
    finalReport: p.finalReport
      ? `${t.finalReport}: ${asShownText(p.finalReport.summary)} (${t.realisedBy[p.finalReport.realisedBy]}) ${p.finalReport.url}`
      : '',
    notice: options.notice ?? '',
    noticeColor: options.noticeColor ?? 'Attention',
  });
}

/** Who sees a project: owner, mandate giver, styringsgruppe, members, the line above the owner. */
export function mayViewProject(org: Organisation, p: Project, actorId: string): boolean {
  if ([p.ownerId, p.mandatedBy, ...p.steeringGroup, ...p.memberIds].includes(actorId)) return true;
  const owner = org.people.get(p.ownerId);
  return owner !== undefined && isInLineAbove(org, owner.unitId, actorId);
}

export function projectFeature(deps: ProjectDeps) {
  const readScene = sceneReader(deps.org, deps.clock);

  const feature: CardActionFeature<Project, ProjectEvent, ActionScene> = {
    kind: PROJECT_KIND,
    verbs: PROJECT_VERBS,
    records: deps.records,
    scene: (actor) => readScene(actor.language),
    mayAct: ({ record, actorId }) =>
      actorId === record.ownerId || record.steeringGroup.includes(actorId),
    mayView: ({ org, record, actorId }) => mayViewProject(org, record, actorId),
    commutes: (verb) => COMMUTING.has(verb),
    decide: ({ verb, scene, record, data, actor }) => {
      const result = decideProject(verb, scene.now, record, data, actor.id);
      return result.ok
        ? { ok: true, record: result.project, event: result.event }
        : { ok: false, refusal: projectRefusalText(result.refusal, scene.language) };
    },
    card: (scene, record, viewer, shown) =>
      projectCard(scene, record, viewer.id, {
        signer: deps.signer,
        notice: shown.notice,
        noticeColor: shown.noticeColor,
      }),
    messagesFor: (scene, _before, after, event, source) =>
      afterProjectChange(after, event, scene.now, source),
  };

  const composers: Composer[] = [
    {
      type: 'project.card',
      async compose(m, language) {
        const found = await deps.records.get(String(m.params.ref));
        if (!found) return { skip: 'gone' };
        const why = String(m.params.why) as Why;
        if (why === 'gate' && !found.record.gate) return { skip: 'decided already' };
        const scene = await readScene(language);
        const person = m.to.kind === 'person' ? m.to.id : '';
        const headline = workTexts(language).projectCard.headlines[why];
        return {
          card: projectCard(scene, found.record, person, { signer: deps.signer, headline }),
        };
      },
    },
    {
      type: 'project.listed',
      async run(m) {
        await deps.records.listed(String(m.params.ref));
      },
    },
  ];

  const drawCopy: CopyDrawer = async (ref, copy, language) => {
    const found = await deps.records.get(ref);
    if (!found) return undefined;
    return projectCard(await readScene(language), found.record, copy.ownerId, {
      signer: deps.signer,
    });
  };

  async function form(actor: Actor, values: Record<string, string> = {}, errors: string[] = []) {
    const scene = await readScene(actor.language);
    const w = workTexts(actor.language);
    return renderCard('projects/form', {
      t: w.projectForm,
      formId: values.formId || crypto.randomUUID(),
      people: peopleChoices(scene.org),
      values: {
        name: values.name ?? '',
        mandate: values.mandate ?? '',
        ownerId: values.ownerId ?? '',
        steeringGroup: values.steeringGroup ?? '',
        quorum: values.quorum || 'majority',
      },
      errorsTitle: errors.length ? w.projectForm.errorsTitle : '',
      errors: errors.join('\n\n'),
    });
  }

  async function create(actor: Actor, data: Record<string, unknown>): Promise<Card> {
    const scene = await readScene(actor.language);
    const values = Object.fromEntries(
      ['formId', 'name', 'mandate', 'ownerId', 'steeringGroup', 'quorum'].map((k) => [
        k,
        stringIn(data[k]).slice(0, 5000),
      ]),
    );
    const quorum: Quorum = values.quorum === 'all' ? { kind: 'all' } : { kind: 'majority' };
    const draft = {
      name: values.name,
      mandate: values.mandate,
      ownerId: values.ownerId,
      steeringGroup: values.steeringGroup
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
      quorum,
    };
    let refusal: string | undefined;
    const project = await deps.records
      .insert(scene.now, (ref) => {
        const result = createProject({
          org: scene.org,
          actorId: actor.id,
          draft,
          ref,
          now: scene.now,
        });
        if (!result.ok) {
          refusal = projectRefusalText(result.refusal, actor.language);
          throw new RefusedDraft();
        }
        const everyone = [...new Set([result.project.ownerId, ...result.project.steeringGroup])];
        return {
          record: result.project,
          event: { ...result.event, seq: 1 },
          messages: [
            listedMessage(result.project, scene.now),
            ...everyone.map((id) =>
              cardTo(
                result.project,
                id,
                id === result.project.ownerId ? 'created' : 'steering',
                scene.now,
              ),
            ),
          ],
        };
      })
      .catch((err) => {
        if (err instanceof RefusedDraft) return undefined;
        throw err;
      });
    if (!project) return form(actor, values, [refusal ?? '']);
    log.info({ ref: project.ref }, 'project created');
    return projectCard(scene, project, actor.id, {
      signer: deps.signer,
      notice: fill(workTexts(actor.language).projectCard.created, { ref: project.ref }),
      noticeColor: 'Good',
    });
  }

  async function list(actor: Actor): Promise<Card> {
    const [scene, projects] = await Promise.all([readScene(actor.language), deps.records.list()]);
    const w = workTexts(actor.language);
    const rows = projects
      .filter((p) => mayViewProject(scene.org, p, actor.id))
      .map((p) => ({
        name: asShownText(p.name),
        detail: fill(w.projectCard.listDetail, {
          ref: p.ref,
          phase: p.status === 'closed' ? w.phases.closed : w.phases[p.phase],
          owner: nameOf(scene.org, p.ownerId),
        }),
      }));
    return renderCard('processes/list', {
      title: w.projectCard.listTitle,
      rows,
      hint: rows.length ? '' : w.projectCard.listEmpty,
    });
  }

  async function show(actor: Actor, text: string): Promise<Card> {
    const [scene, projects] = await Promise.all([readScene(actor.language), deps.records.list()]);
    const wanted = text.trim().toUpperCase();
    const found = projects.find((p) => p.ref === wanted || p.name.toUpperCase() === wanted);
    if (!found || !mayViewProject(scene.org, found, actor.id))
      return notice(
        found
          ? fill(strings(actor.language).refusals.not_allowed_view, { ref: found.ref })
          : fill(workTexts(actor.language).projectCard.unknown, { text: text.slice(0, 40) }),
        '',
        'Default',
      );
    return projectCard(scene, found, actor.id, { signer: deps.signer });
  }

  return {
    pipeline: new CardActionPipeline(feature, deps.signer),
    composers,
    drawCopy,
    form,
    create,
    list,
    show,
  };
}

class RefusedDraft extends Error {}

function decideProject(
  verb: string,
  now: Date,
  project: Project,
  data: Record<string, unknown>,
  actorId: string,
): ProjectResult {
  if (verb === 'project.gate') {
    const url = stringIn(data.reportUrl);
    const realisedBy = stringIn(data.realisedBy) === 'project_owner' ? 'project_owner' : 'line';
    return requestGate({
      project,
      actorId,
      now,
      ...(url || stringIn(data.reportSummary)
        ? { report: { url, summary: stringIn(data.reportSummary), realisedBy } }
        : {}),
    });
  }
  const gateNumber = Number(stringIn(data.gateNumber) || data.gateNumber);
  return castVote({
    project,
    actorId,
    gateNumber: Number.isInteger(gateNumber) ? gateNumber : -1,
    vote: verb === 'project.approve' ? 'approve' : 'send_back',
    comment: stringIn(data.sendBackComment),
    now,
  });
}

export { PROJECT_PREFIX };
export type ProjectFeature = ReturnType<typeof projectFeature>;
