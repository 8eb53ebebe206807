import crypto from 'node:crypto';
import { log } from '../app/log';
import { fill, formatDate } from '../i18n';
import { vedtakRefusalText, workTexts } from '../i18n/work';
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
import type { Composer, Message } from '../messaging/outbox';
import { updateCopies, type CopyDrawer } from '../messaging/posted-card-messages';
import { isInLineAbove, type Organisation, type OrgDirectory } from '../org/organisation';
import { osloDateOf } from '../time/working-time';
import { FOLLOW_UP_STATUSES, type PoliticalDecision, type VedtakEvent } from './vedtak';
import { isRadmannStaff, registerDecision, reportStatus } from './vedtak-rules';
import type { VedtakStore } from './vedtak-store';

/**
 * Following up political decisions in Teams (issue #9): the rådmann's staff registers a
 * decision ("nytt vedtak"); it goes to the responsible unit's leader as a card that is their
 * follow-up task, with the status reported from the card; "vedtak" lists what is followed up;
 * the report to the committees is `npm run report:vedtak` (bot/app/vedtak-cli.ts).
 */
export const VEDTAK_KIND = 'vedtak';
export const VEDTAK_VERBS = ['vedtak.status'] as const;

export interface VedtakDeps {
  records: VedtakStore;
  org: OrgDirectory;
  signer: CardSigner;
  clock: Clock;
}

const cardKey = (ref: string) => ({ kind: VEDTAK_KIND, id: ref });

/** The leader of the responsible unit, the rådmann's staff, and the line above the unit. */
export function mayViewDecision(org: Organisation, d: PoliticalDecision, actorId: string) {
  return isRadmannStaff(org, actorId) || isInLineAbove(org, d.responsibleUnitId, actorId);
}

export function vedtakCard(
  scene: ActionScene,
  d: PoliticalDecision,
  viewerId: string,
  options: { signer: CardSigner; headline?: string; notice?: string; noticeColor?: string },
): Card {
  const w = workTexts(scene.language);
  const t = w.vedtakCard;
  const { org, language } = scene;
  const today = osloDateOf(scene.now);
  return renderCard('vedtak/vedtak', {
    t,
    ref: d.ref,
    rev: d.rev,
    sig: options.signer.signAll(VEDTAK_KIND, d.ref, d.rev, VEDTAK_VERBS),
    canReport:
      org.units.get(d.responsibleUnitId)?.leaderId === viewerId || isRadmannStaff(org, viewerId),
    headline: options.headline ?? '',
    title: asShownText(`${d.body} ${d.caseNumber}`),
    date: formatDate(d.date, language),
    unit: org.units.get(d.responsibleUnitId)?.name ?? d.responsibleUnitId,
    deadline: formatDate(d.deadline, language),
    status: w.followUp[d.status],
    statusValue: d.status,
    statuses: FOLLOW_UP_STATUSES.map((s) => ({ title: w.followUp[s], value: s })),
    summary: asShownText(d.summary),
    overdue:
      d.status !== 'done' && d.deadline < today
        ? fill(t.overdue, { date: formatDate(d.deadline, language) })
        : '',
    updates: d.updates
      .map(
        (u) =>
          fill(t.update, {
            date: formatDate(u.at, language),
            status: w.followUp[u.status],
            name: org.people.get(u.byId)?.name ?? u.byId,
          }) + (u.comment ? `: ${asShownText(u.comment)}` : ''),
      )
      .join('\n'),
    notice: options.notice ?? '',
    noticeColor: options.noticeColor ?? 'Attention',
  });
}

export function vedtakFeature(deps: VedtakDeps) {
  const readScene = sceneReader(deps.org, deps.clock);

  const feature: CardActionFeature<PoliticalDecision, VedtakEvent, ActionScene> = {
    kind: VEDTAK_KIND,
    verbs: VEDTAK_VERBS,
    records: deps.records,
    scene: (actor) => readScene(actor.language),
    mayAct: ({ org, record, actorId }) => mayViewDecision(org, record, actorId),
    mayView: ({ org, record, actorId }) => mayViewDecision(org, record, actorId),
    decide: ({ scene, record, data, actor }) => {
      const result = reportStatus({
        org: scene.org,
        decision: record,
        actorId: actor.id,
        status: stringIn(data.status),
        comment: stringIn(data.statusComment),
        now: scene.now,
      });
      return result.ok
        ? { ok: true, record: result.decision, event: result.event }
        : { ok: false, refusal: vedtakRefusalText(result.refusal, scene.language) };
    },
    card: (scene, record, viewer, shown) =>
      vedtakCard(scene, record, viewer.id, {
        signer: deps.signer,
        notice: shown.notice,
        noticeColor: shown.noticeColor,
      }),
    messagesFor: (scene, _before, after, _event, source) => [
      updateCopies(cardKey(after.ref), after.rev, scene.now, {
        conversationId: source.conversationId,
        activityId: source.activityId,
      }),
    ],
  };

  const composers: Composer[] = [
    {
      type: 'vedtak.card',
      async compose(m, language) {
        const found = await deps.records.get(String(m.params.ref));
        if (!found) return { skip: 'gone' };
        const person = m.to.kind === 'person' ? m.to.id : '';
        return {
          card: vedtakCard(await readScene(language), found.record, person, {
            signer: deps.signer,
            headline: workTexts(language).vedtakCard.headlines.registered,
          }),
        };
      },
    },
    {
      type: 'vedtak.listed',
      async run(m) {
        await deps.records.listed(String(m.params.ref));
      },
    },
  ];

  const drawCopy: CopyDrawer = async (ref, copy, language) => {
    const found = await deps.records.get(ref);
    if (!found) return undefined;
    return vedtakCard(await readScene(language), found.record, copy.ownerId, {
      signer: deps.signer,
    });
  };

  async function form(
    actor: Actor,
    values: Record<string, string> = {},
    errors: string[] = [],
  ): Promise<Card> {
    const scene = await readScene(actor.language);
    const w = workTexts(actor.language);
    if (!isRadmannStaff(scene.org, actor.id))
      return notice(
        vedtakRefusalText({ code: 'not-radmann-staff' }, actor.language),
        '',
        'Default',
      );
    return renderCard('vedtak/form', {
      t: w.vedtakForm,
      formId: values.formId || crypto.randomUUID(),
      units: [...scene.org.units.values()]
        .filter((u) => u.kind !== 'rådmannsnivå')
        .map((u) => ({ title: u.name, value: u.id })),
      values: {
        body: values.body ?? 'Kommunestyret',
        caseNumber: values.caseNumber ?? '',
        date: values.date ?? osloDateOf(scene.now),
        summary: values.summary ?? '',
        responsibleUnitId: values.responsibleUnitId ?? '',
        deadline: values.deadline ?? '',
      },
      errorsTitle: errors.length ? w.vedtakForm.errorsTitle : '',
      errors: errors.join('\n\n'),
    });
  }

  async function create(actor: Actor, data: Record<string, unknown>): Promise<Card> {
    const scene = await readScene(actor.language);
    const fields = [
      'formId',
      'body',
      'caseNumber',
      'date',
      'summary',
      'responsibleUnitId',
      'deadline',
    ];
    const values = Object.fromEntries(fields.map((k) => [k, stringIn(data[k]).slice(0, 5000)]));
    let refusal: string | undefined;
    const decision = await deps.records
      .insert(scene.now, (ref) => {
        const result = registerDecision({
          org: scene.org,
          actorId: actor.id,
          draft: {
            body: values.body,
            caseNumber: values.caseNumber,
            date: values.date,
            summary: values.summary,
            responsibleUnitId: values.responsibleUnitId,
            deadline: values.deadline,
          },
          ref,
          // The decision's own card is the leader's follow-up task.
          taskRef: ref,
          now: scene.now,
        });
        if (!result.ok) {
          refusal = vedtakRefusalText(result.refusal, actor.language);
          throw new RefusedDraft();
        }
        const leaderId = result.event.targetId ?? '';
        const messages: Message[] = [
          {
            key: 'listed',
            type: 'vedtak.listed',
            to: { kind: 'job' },
            params: { ref },
            dueAt: scene.now.toISOString(),
          },
          {
            key: `card:1:${leaderId}`,
            type: 'vedtak.card',
            to: { kind: 'person', id: leaderId },
            params: { ref },
            dueAt: scene.now.toISOString(),
            remember: { card: cardKey(ref), view: 'leader' },
          },
        ];
        return { record: result.decision, event: { ...result.event, seq: 1 }, messages };
      })
      .catch((err) => {
        if (err instanceof RefusedDraft) return undefined;
        throw err;
      });
    if (!decision) return form(actor, values, [refusal ?? '']);
    log.info({ ref: decision.ref }, 'political decision registered');
    const leaderId = scene.org.units.get(decision.responsibleUnitId)?.leaderId ?? '';
    return vedtakCard(scene, decision, actor.id, {
      signer: deps.signer,
      notice: fill(workTexts(actor.language).vedtakCard.created, {
        ref: decision.ref,
        name: scene.org.people.get(leaderId)?.name ?? '',
      }),
      noticeColor: 'Good',
    });
  }

  /** "vedtak": what the person follows up (the staff: everything), deadline first. */
  async function list(actor: Actor): Promise<Card> {
    const [scene, all] = await Promise.all([readScene(actor.language), deps.records.list()]);
    const w = workTexts(actor.language);
    const rows = all
      .filter((d) => mayViewDecision(scene.org, d, actor.id))
      .sort((a, b) => a.deadline.localeCompare(b.deadline))
      .map((d) => ({
        name: asShownText(d.summary.slice(0, 120)),
        detail: fill(w.vedtakCard.listDetail, {
          ref: d.ref,
          body: d.body,
          caseNumber: d.caseNumber,
          unit: scene.org.units.get(d.responsibleUnitId)?.name ?? d.responsibleUnitId,
          deadline: formatDate(d.deadline, actor.language),
          status: w.followUp[d.status],
        }),
      }));
    return renderCard('processes/list', {
      title: w.vedtakCard.listTitle,
      rows,
      hint: rows.length ? '' : w.vedtakCard.listEmpty,
    });
  }

  return {
    pipeline: new CardActionPipeline(feature, deps.signer),
    composers,
    drawCopy,
    form,
    create,
    list,
  };
}

class RefusedDraft extends Error {}

export type VedtakFeature = ReturnType<typeof vedtakFeature>;
