import {
  isInLineAbove,
  leaderAbove,
  leadersUpTheLine,
  peopleWithRole,
  responsibleLeader,
  type Organisation,
  type Person,
} from '../org/organisation';
import type { TaskParent } from '../tasks/task';
import { isBlank } from '../tasks/task-rules';
import type {
  LineMeasure,
  Member,
  Nomination,
  Process,
  ProcessEvent,
  ProcessEventKind,
} from './process';

/**
 * The rules of cross-cutting processes (issue #9), pure: anchoring at rådmannsnivå, release of
 * staff by their own leader, measures for the line. A refusal is a value naming what is wrong.
 */

export type ProcessRefusal =
  | { code: 'not-owner' }
  | { code: 'not-anchorer' }
  | { code: 'already-anchored' }
  | { code: 'closed' }
  | { code: 'draft' }
  | { code: 'unknown-person' }
  | { code: 'already-member' }
  | { code: 'already-nominated' }
  | { code: 'no-nomination' }
  | { code: 'not-releaser' }
  | { code: 'bad-share' }
  | { code: 'comment-required' }
  | { code: 'too-long'; max: number }
  | { code: 'no-units' }
  | { code: 'unknown-unit'; unitId: string }
  | { code: 'no-measure'; number: number }
  | { code: 'not-unit-leader' }
  | { code: 'already-answered' }
  | { code: 'nothing-declined' }
  | { code: 'already-escalated' }
  | { code: 'not-escalated' }
  | { code: 'not-radmann' };

export type ProcessResult =
  | { ok: true; process: Process; event: Omit<ProcessEvent, 'seq'> }
  | { ok: false; refusal: ProcessRefusal };

const refuse = (refusal: ProcessRefusal): { ok: false; refusal: ProcessRefusal } => ({
  ok: false,
  refusal,
});

const MAX_TEXT = 2000;

function textProblem(text: string, required: boolean): ProcessRefusal | undefined {
  if (required && isBlank(text)) return { code: 'comment-required' };
  if ([...text].length > MAX_TEXT) return { code: 'too-long', max: MAX_TEXT };
  return undefined;
}

function changed(
  before: Process,
  after: Omit<Process, 'rev'>,
  kind: ProcessEventKind,
  actorId: string,
  now: Date,
  extra: { targetId?: string; note?: string } = {},
): ProcessResult {
  const process = { ...after, rev: before.rev + 1 } as Process;
  return {
    ok: true,
    process,
    event: {
      ref: before.ref,
      at: now.toISOString(),
      kind,
      actorId,
      fromStatus: before.status,
      toStatus: process.status,
      ...(extra.targetId ? { targetId: extra.targetId } : {}),
      ...(extra.note ? { note: extra.note } : {}),
    },
  };
}

// --- Anchoring -------------------------------------------------------------------------------

/** A group run at unit or staff level must be anchored at rådmannsnivå. */
export function needsAnchoring(org: Organisation, process: Pick<Process, 'ownerId'>): boolean {
  const owner = org.people.get(process.ownerId);
  const unit = owner ? org.units.get(owner.unitId) : undefined;
  return unit?.kind !== 'rådmannsnivå';
}

/**
 * Who may confirm the mandate: the rådmann, or a kommunalsjef in the owner's line. Nearest first:
 * the first gets the card.
 */
export function anchorersFor(org: Organisation, process: Pick<Process, 'ownerId'>): Person[] {
  const owner = org.people.get(process.ownerId);
  const line = owner ? leadersUpTheLine(org, owner.unitId) : [];
  const found = line.filter(
    (p) => p.id !== process.ownerId && (p.role === 'kommunalsjef' || p.role === 'rådmann'),
  );
  for (const radmann of peopleWithRole(org, 'rådmann'))
    if (!found.some((p) => p.id === radmann.id) && radmann.id !== process.ownerId)
      found.push(radmann);
  return found;
}

/** The status a process from the catalogue starts in: a draft until anchored, where anchoring is needed. */
export function initialStatus(
  org: Organisation,
  process: Pick<Process, 'ownerId'>,
): 'draft' | 'active' {
  return needsAnchoring(org, process) ? 'draft' : 'active';
}

export function anchor(input: {
  org: Organisation;
  process: Process;
  actorId: string;
  now: Date;
}): ProcessResult {
  const { org, process, actorId, now } = input;
  if (process.status === 'closed') return refuse({ code: 'closed' });
  if (process.status === 'active') return refuse({ code: 'already-anchored' });
  if (!anchorersFor(org, process).some((p) => p.id === actorId))
    return refuse({ code: 'not-anchorer' });
  return changed(
    process,
    { ...process, status: 'active', anchoredBy: actorId, anchoredAt: now.toISOString() },
    'anchored',
    actorId,
    now,
  );
}

// --- Release of staff (avse personell) -------------------------------------------------------

/**
 * Who must release a nominee: their own leader (for a unit leader, the leader above), unless that
 * is the owner (the owner's own staff join at once). Undefined: no release needed.
 */
export function releaserFor(
  org: Organisation,
  ownerId: string,
  nominee: Person,
): string | undefined {
  const own = responsibleLeader(org, nominee.unitId);
  const leader = own && own.id === nominee.id ? leaderAbove(org, nominee.unitId, nominee.id) : own;
  if (!leader || leader.id === ownerId) return undefined;
  return leader.id;
}

export function nominate(input: {
  org: Organisation;
  process: Process;
  actorId: string;
  nomineeId: string;
  now: Date;
}): ProcessResult {
  const { org, process, actorId, nomineeId, now } = input;
  if (process.status === 'closed') return refuse({ code: 'closed' });
  if (actorId !== process.ownerId) return refuse({ code: 'not-owner' });
  const nominee = org.people.get(nomineeId);
  if (!nominee) return refuse({ code: 'unknown-person' });
  if (nomineeId === process.ownerId || process.members.some((m) => m.personId === nomineeId))
    return refuse({ code: 'already-member' });
  if (process.nominations.some((n) => n.personId === nomineeId && n.status === 'pending'))
    return refuse({ code: 'already-nominated' });
  const at = now.toISOString();
  const releaserId = releaserFor(org, process.ownerId, nominee);
  if (!releaserId) {
    const member: Member = { personId: nomineeId, since: at };
    return changed(
      process,
      { ...process, members: [...process.members, member] },
      'joined',
      actorId,
      now,
      {
        targetId: nomineeId,
      },
    );
  }
  const nomination: Nomination = {
    personId: nomineeId,
    releaserId,
    status: 'pending',
    nominatedAt: at,
  };
  return changed(
    process,
    { ...process, nominations: [...process.nominations, nomination] },
    'nominated',
    actorId,
    now,
    { targetId: nomineeId },
  );
}

/**
 * The nominee's leader releases them (with an optional share of time) or declines (with a
 * reason). Any leader in the nominee's line above may decide, never the nominee, never anyone
 * outside the line.
 */
export function decideRelease(input: {
  org: Organisation;
  process: Process;
  actorId: string;
  nomineeId: string;
  release: boolean;
  comment?: string;
  sharePercent?: number;
  now: Date;
}): ProcessResult {
  const { org, process, actorId, nomineeId, release, now } = input;
  if (process.status === 'closed') return refuse({ code: 'closed' });
  const index = process.nominations.findIndex(
    (n) => n.personId === nomineeId && n.status === 'pending',
  );
  if (index === -1) return refuse({ code: 'no-nomination' });
  const nomination = process.nominations[index];
  const nominee = org.people.get(nomineeId);
  const leads =
    actorId === nomination.releaserId ||
    (nominee !== undefined && actorId !== nomineeId && isInLineAbove(org, nominee.unitId, actorId));
  if (!leads) return refuse({ code: 'not-releaser' });
  const comment = (input.comment ?? '').trim();
  const problem = textProblem(comment, !release);
  if (problem) return refuse(problem);
  const share = input.sharePercent;
  if (share !== undefined && !(Number.isInteger(share) && share >= 1 && share <= 100))
    return refuse({ code: 'bad-share' });
  const at = now.toISOString();
  const decided: Nomination = {
    ...nomination,
    status: release ? 'released' : 'declined',
    decidedAt: at,
    decidedBy: actorId,
    ...(comment ? { comment } : {}),
    ...(release && share !== undefined ? { sharePercent: share } : {}),
  };
  const nominations = process.nominations.map((n, i) => (i === index ? decided : n));
  const members = release
    ? [
        ...process.members,
        { personId: nomineeId, since: at, ...(share !== undefined ? { sharePercent: share } : {}) },
      ]
    : process.members;
  return changed(
    process,
    { ...process, nominations, members },
    release ? 'released' : 'release_declined',
    actorId,
    now,
    { targetId: nomineeId, ...(comment ? { note: comment } : {}) },
  );
}

// --- Measures for the line (tiltak i linjen) --------------------------------------------------

export function decideMeasure(input: {
  org: Organisation;
  process: Process;
  actorId: string;
  text: string;
  unitIds: readonly string[];
  now: Date;
}): ProcessResult {
  const { org, process, actorId, unitIds, now } = input;
  if (process.status === 'closed') return refuse({ code: 'closed' });
  if (process.status === 'draft') return refuse({ code: 'draft' });
  if (actorId !== process.ownerId) return refuse({ code: 'not-owner' });
  const text = input.text.trim();
  const problem = textProblem(text, true);
  if (problem) return refuse(problem);
  const units = [...new Set(unitIds)];
  if (units.length === 0) return refuse({ code: 'no-units' });
  const unknown = units.find((id) => !org.units.has(id));
  if (unknown) return refuse({ code: 'unknown-unit', unitId: unknown });
  const measure: LineMeasure = {
    number: process.measures.length + 1,
    text,
    decidedAt: now.toISOString(),
    acks: Object.fromEntries(units.map((id) => [id, { status: 'pending' as const }])),
  };
  return changed(
    process,
    { ...process, measures: [...process.measures, measure] },
    'measure_decided',
    actorId,
    now,
  );
}

function withMeasure(
  process: Process,
  number: number,
  update: (m: LineMeasure) => LineMeasure | ProcessRefusal,
): Omit<Process, 'rev'> | ProcessRefusal {
  const measure = process.measures.find((m) => m.number === number);
  if (!measure) return { code: 'no-measure', number };
  const next = update(measure);
  if ('code' in next) return next;
  return { ...process, measures: process.measures.map((m) => (m.number === number ? next : m)) };
}

/** The leader of an affected unit acknowledges the measure, or declines it with a reason. */
export function answerMeasure(input: {
  org: Organisation;
  process: Process;
  actorId: string;
  number: number;
  unitId: string;
  acknowledge: boolean;
  comment?: string;
  now: Date;
}): ProcessResult {
  const { org, process, actorId, number, unitId, acknowledge, now } = input;
  if (process.status === 'closed') return refuse({ code: 'closed' });
  const comment = (input.comment ?? '').trim();
  const problem = textProblem(comment, !acknowledge);
  if (problem) return refuse(problem);
  const after = withMeasure(process, number, (m) => {
    const ack = m.acks[unitId];
    if (!ack) return { code: 'unknown-unit', unitId };
    if (org.units.get(unitId)?.leaderId !== actorId) return { code: 'not-unit-leader' };
    if (ack.status !== 'pending') return { code: 'already-answered' };
    const answer = {
      status: acknowledge ? ('acknowledged' as const) : ('declined' as const),
      byId: actorId,
      at: now.toISOString(),
      ...(comment ? { comment } : {}),
    };
    return { ...m, acks: { ...m.acks, [unitId]: answer } };
  });
  if ('code' in after) return refuse(after);
  return changed(
    process,
    after,
    acknowledge ? 'measure_acknowledged' : 'measure_declined',
    actorId,
    now,
    {
      ...(comment ? { note: comment } : {}),
    },
  );
}

/** A unit leader declined: the owner takes the measure to the rådmann, once. */
export function escalateMeasure(input: {
  process: Process;
  actorId: string;
  number: number;
  now: Date;
}): ProcessResult {
  const { process, actorId, number, now } = input;
  if (process.status === 'closed') return refuse({ code: 'closed' });
  if (actorId !== process.ownerId) return refuse({ code: 'not-owner' });
  const after = withMeasure(process, number, (m) => {
    if (m.escalation) return { code: 'already-escalated' };
    if (!Object.values(m.acks).some((a) => a.status === 'declined'))
      return { code: 'nothing-declined' };
    return { ...m, escalation: { at: now.toISOString() } };
  });
  if ('code' in after) return refuse(after);
  return changed(process, after, 'measure_escalated', actorId, now);
}

/** The rådmann decides an escalated measure: it stands (the line carries it out) or it is withdrawn. */
export function decideEscalation(input: {
  org: Organisation;
  process: Process;
  actorId: string;
  number: number;
  uphold: boolean;
  comment?: string;
  now: Date;
}): ProcessResult {
  const { org, process, actorId, number, uphold, now } = input;
  if (org.people.get(actorId)?.role !== 'rådmann') return refuse({ code: 'not-radmann' });
  const comment = (input.comment ?? '').trim();
  const problem = textProblem(comment, false);
  if (problem) return refuse(problem);
  const after = withMeasure(process, number, (m) => {
    if (!m.escalation) return { code: 'not-escalated' };
    if (m.escalation.decision) return { code: 'already-answered' };
    const decision = uphold ? ('upheld' as const) : ('withdrawn' as const);
    return {
      ...m,
      escalation: { ...m.escalation, decision, byId: actorId, ...(comment ? { comment } : {}) },
    };
  });
  if ('code' in after) return refuse(after);
  return changed(process, after, 'measure_decided_by_radmann', actorId, now, {
    ...(comment ? { note: comment } : {}),
  });
}

/** The owner records the year's evaluation against the goals; a second one that year replaces it. */
export function evaluate(input: {
  process: Process;
  actorId: string;
  text: string;
  now: Date;
}): ProcessResult {
  const { process, actorId, now } = input;
  if (process.status !== 'active')
    return refuse({ code: process.status === 'draft' ? 'draft' : 'closed' });
  if (actorId !== process.ownerId) return refuse({ code: 'not-owner' });
  const text = input.text.trim();
  const problem = textProblem(text, true);
  if (problem) return refuse(problem);
  const year = Number(now.toISOString().slice(0, 4));
  const evaluations = [
    ...(process.evaluations ?? []).filter((e) => e.year !== year),
    { year, text, byId: actorId, at: now.toISOString() },
  ];
  return changed(process, { ...process, evaluations }, 'evaluated', actorId, now, { note: text });
}

/** What the task rules need to know about a process. */
export function taskParentOfProcess(process: Process): TaskParent {
  return {
    ref: { kind: 'process', id: process.ref },
    name: process.name.nb,
    ownerId: process.ownerId,
    memberIds: process.members.map((m) => m.personId),
    creatorIds: process.creatorIds,
    active: process.status === 'active',
  };
}
