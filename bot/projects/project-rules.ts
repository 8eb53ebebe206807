import { isLeaderRole, type Organisation } from '../org/organisation';
import { isBlank } from '../tasks/task-rules';
import {
  PHASES,
  type CastVote,
  type FinalReport,
  type Gate,
  type GateOutcome,
  type Phase,
  type Project,
  type ProjectEvent,
  type ProjectEventKind,
  type Quorum,
  type Vote,
} from './project';

/**
 * Phase gates (issue #9), pure. The project owner asks the styringsgruppe to move to the next
 * phase (or, in avslutning, to close with a final report); each member approves or sends back
 * once; the gate is decided as soon as the outcome can no longer change: enough approvals for
 * the quorum, or too many send-backs for it ever to be reached.
 *
 * Votes commute: applying the same votes in any order gives the same outcome, so two members
 * pressing at once (two writes, one retried after its etag conflict) are counted correctly.
 */

export type ProjectRefusal =
  | { code: 'not-owner' }
  | { code: 'not-in-steering-group' }
  | { code: 'closed' }
  | { code: 'gate-pending'; number: number }
  | { code: 'no-gate' }
  | { code: 'stale-gate'; number: number }
  | { code: 'already-voted'; vote: Vote }
  | { code: 'comment-required' }
  | { code: 'report-required' }
  | { code: 'bad-report-url' }
  | { code: 'too-long'; max: number }
  | { code: 'bad-quorum' }
  | { code: 'not-leader' }
  | { code: 'unknown-person' }
  | { code: 'empty'; field: 'name' | 'mandate' };

export type ProjectResult =
  | { ok: true; project: Project; event: Omit<ProjectEvent, 'seq'> }
  | { ok: false; refusal: ProjectRefusal };

const refuse = (refusal: ProjectRefusal): { ok: false; refusal: ProjectRefusal } => ({
  ok: false,
  refusal,
});

const MAX_COMMENT = 2000;
const MAX_URL = 2000;

/** How many approvals a gate needs: never more than the group has, never fewer than one. */
export function approvalsNeeded(quorum: Quorum, groupSize: number): number {
  const size = Math.max(groupSize, 1);
  switch (quorum.kind) {
    case 'majority':
      return Math.floor(size / 2) + 1;
    case 'all':
      return size;
    case 'count':
      return Math.min(Math.max(Math.trunc(quorum.count), 1), size);
  }
}

/** A quorum a project may be made with: a count must fit the group. */
export function checkQuorum(quorum: Quorum, groupSize: number): ProjectRefusal | undefined {
  if (groupSize < 1) return { code: 'bad-quorum' };
  if (
    quorum.kind === 'count' &&
    (!Number.isInteger(quorum.count) || quorum.count < 1 || quorum.count > groupSize)
  )
    return { code: 'bad-quorum' };
  return undefined;
}

export interface ProjectDraft {
  name: string;
  mandate: string;
  ownerId: string;
  steeringGroup: readonly string[];
  quorum: Quorum;
}

/**
 * A leader gives a mandate (the superior of section 6): a project owner, a styringsgruppe of
 * people in the organisation, a quorum that fits it. It starts in konsept.
 */
export function createProject(input: {
  org: Organisation;
  actorId: string;
  draft: ProjectDraft;
  ref: string;
  now: Date;
}): ProjectResult {
  const { org, actorId, draft, ref, now } = input;
  const actor = org.people.get(actorId);
  if (!actor || !isLeaderRole(actor.role)) return refuse({ code: 'not-leader' });
  const name = draft.name.trim();
  const mandate = draft.mandate.trim();
  if (isBlank(name)) return refuse({ code: 'empty', field: 'name' });
  if (isBlank(mandate)) return refuse({ code: 'empty', field: 'mandate' });
  if ([...name].length > 200 || [...mandate].length > 4000)
    return refuse({ code: 'too-long', max: [...name].length > 200 ? 200 : 4000 });
  const group = [...new Set(draft.steeringGroup)];
  if (![draft.ownerId, ...group].every((id) => org.people.has(id)))
    return refuse({ code: 'unknown-person' });
  const quorumProblem = checkQuorum(draft.quorum, group.length);
  if (quorumProblem) return refuse(quorumProblem);
  const project: Project = {
    ref,
    rev: 1,
    name,
    mandate,
    mandatedBy: actorId,
    ownerId: draft.ownerId,
    steeringGroup: group,
    quorum: draft.quorum,
    phase: 'konsept',
    status: 'active',
    memberIds: [],
    history: [],
  };
  return { ok: true, project, event: event(project, 'created', actorId, now.toISOString()) };
}

export function nextPhase(phase: Phase): Phase | undefined {
  return PHASES[PHASES.indexOf(phase) + 1];
}

/** The owner asks the styringsgruppe to move on: to the next phase, or to close (from avslutning). */
export function requestGate(input: {
  project: Project;
  actorId: string;
  now: Date;
  report?: FinalReport;
}): ProjectResult {
  const { project, actorId, now } = input;
  if (project.status === 'closed') return refuse({ code: 'closed' });
  if (actorId !== project.ownerId) return refuse({ code: 'not-owner' });
  if (project.gate) return refuse({ code: 'gate-pending', number: project.gate.number });
  const to = nextPhase(project.phase) ?? 'closed';
  let report: FinalReport | undefined;
  if (to === 'closed') {
    const checked = checkReport(input.report);
    if ('refusal' in checked) return refuse(checked.refusal);
    report = checked.report;
  }
  const at = now.toISOString();
  const gate: Gate = {
    number: project.history.length + 1,
    from: project.phase,
    to,
    requestedBy: actorId,
    requestedAt: at,
    votes: {},
    ...(report ? { report } : {}),
  };
  const after: Project = { ...project, gate, rev: project.rev + 1 };
  return { ok: true, project: after, event: event(after, 'gate_requested', actorId, at) };
}

function checkReport(
  report: FinalReport | undefined,
): { report: FinalReport } | { refusal: ProjectRefusal } {
  if (!report || isBlank(report.summary)) return { refusal: { code: 'report-required' } };
  const url = report.url.trim();
  if (url.length > MAX_URL || !/^https:\/\/[^\s/?#]+[^\s]*$/i.test(url))
    return { refusal: { code: 'bad-report-url' } };
  if ([...report.summary].length > MAX_COMMENT)
    return { refusal: { code: 'too-long', max: MAX_COMMENT } };
  if (report.realisedBy !== 'line' && report.realisedBy !== 'project_owner')
    return { refusal: { code: 'report-required' } };
  return { report: { url, summary: report.summary.trim(), realisedBy: report.realisedBy } };
}

/**
 * One member's decision on the pending gate. `gateNumber` is the gate the card showed: a vote
 * pressed on the card of an earlier gate is refused rather than counted for the new one.
 */
export function castVote(input: {
  project: Project;
  actorId: string;
  gateNumber: number;
  vote: Vote;
  comment?: string;
  now: Date;
}): ProjectResult {
  const { project, actorId, gateNumber, vote, now } = input;
  if (project.status === 'closed') return refuse({ code: 'closed' });
  if (!project.steeringGroup.includes(actorId)) return refuse({ code: 'not-in-steering-group' });
  const gate = project.gate;
  if (!gate) return refuse({ code: 'no-gate' });
  if (gate.number !== gateNumber) return refuse({ code: 'stale-gate', number: gate.number });
  const earlier = gate.votes[actorId];
  if (earlier) return refuse({ code: 'already-voted', vote: earlier.vote });
  const comment = (input.comment ?? '').trim();
  if (vote === 'send_back' && isBlank(comment)) return refuse({ code: 'comment-required' });
  if ([...comment].length > MAX_COMMENT) return refuse({ code: 'too-long', max: MAX_COMMENT });
  const at = now.toISOString();
  const cast: CastVote = { vote, at, ...(comment ? { comment } : {}) };
  const voted: Project = {
    ...project,
    gate: { ...gate, votes: { ...gate.votes, [actorId]: cast } },
    rev: project.rev + 1,
  };
  // One event per change (the kernel writes one with the record): the vote that decides the gate
  // is recorded as the decision; every vote stays in the gate's outcome in the history.
  const settled = settle(voted, at);
  const after = settled?.project ?? voted;
  return {
    ok: true,
    project: after,
    event: event(after, settled?.kind ?? 'voted', actorId, at, comment || undefined),
  };
}

export interface Tally {
  approvals: number;
  sendBacks: number;
  needed: number;
  /** Members who have not decided yet. */
  waiting: string[];
}

export function tally(project: Project): Tally {
  const votes = project.gate?.votes ?? {};
  // Only votes of current members count: a member removed from the group mid-gate drops out.
  const current = project.steeringGroup.filter((id) => votes[id]);
  return {
    approvals: current.filter((id) => votes[id].vote === 'approve').length,
    sendBacks: current.filter((id) => votes[id].vote === 'send_back').length,
    needed: approvalsNeeded(project.quorum, project.steeringGroup.length),
    waiting: project.steeringGroup.filter((id) => !votes[id]),
  };
}

/** Decides the gate once its outcome is certain; undefined while it still depends on votes to come. */
function settle(
  project: Project,
  at: string,
): { project: Project; kind: ProjectEventKind } | undefined {
  const gate = project.gate!;
  const t = tally(project);
  const approved = t.approvals >= t.needed;
  const blocked = t.approvals + t.waiting.length < t.needed;
  if (!approved && !blocked) return undefined;
  const outcome: GateOutcome = {
    number: gate.number,
    from: gate.from,
    to: gate.to,
    outcome: approved ? 'approved' : 'sent_back',
    decidedAt: at,
    approvals: t.approvals,
    sendBacks: t.sendBacks,
    votes: gate.votes,
  };
  const base: Project = { ...project, history: [...project.history, outcome] };
  delete base.gate;
  if (!approved) return { project: base, kind: 'gate_sent_back' };
  if (gate.to === 'closed')
    return { project: { ...base, status: 'closed', finalReport: gate.report }, kind: 'closed' };
  return { project: { ...base, phase: gate.to }, kind: 'gate_approved' };
}

function event(
  project: Project,
  kind: ProjectEventKind,
  actorId: string,
  at: string,
  note?: string,
): Omit<ProjectEvent, 'seq'> {
  return {
    ref: project.ref,
    at,
    kind,
    actorId,
    toStatus: project.status,
    ...(note ? { note } : {}),
  };
}
