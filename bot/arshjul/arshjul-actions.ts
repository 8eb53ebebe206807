import { strings, type Language } from '../i18n';
import { CardActionPipeline, type AccessRule, type CardActionFeature } from '../kernel/card-action';
import type { Occurrence, OccurrenceEvent } from './arshjul';
import { afterChange } from './arshjul-messages';
import { ARSHJUL_KIND, ARSHJUL_VERBS, decide, mayActOn, mayViewWith } from './arshjul-rules';
import { arshjulScene, occurrenceCard, type ArshjulScene } from './arshjul-views';
import type { ArshjulDeps } from './ports';

/** Reads the organisation (cached) and the årshjul file once, for one use case. */
export async function readArshjulScene(
  deps: Pick<ArshjulDeps, 'org' | 'catalogue' | 'clock'>,
  language: Language,
): Promise<ArshjulScene> {
  const [{ org }, file] = await Promise.all([deps.org.snapshot(), deps.catalogue.read()]);
  return arshjulScene(org, file, language, deps.clock.now());
}

/**
 * "Utført" and "Trenger hjelp" from the occurrence card, through the kernel's card-action
 * pipeline: signature, repeat, access, revision, pure change, etag write with its messages.
 * `extraActors` is where delegations add "the owner delegated this to me".
 */
export function arshjulActions(deps: ArshjulDeps, extraActors: AccessRule<Occurrence>[] = []) {
  const mayAct = mayActOn(extraActors);
  const feature: CardActionFeature<Occurrence, OccurrenceEvent, ArshjulScene> = {
    kind: ARSHJUL_KIND,
    verbs: Object.values(ARSHJUL_VERBS),
    records: deps.records,
    scene: (actor) => readArshjulScene(deps, actor.language),
    mayAct,
    mayView: mayViewWith(mayAct),
    decide: ({ verb, scene, record, data, actor, actionId }) =>
      decide({ verb, record, data, actor, actionId, now: scene.now, language: scene.language }),
    card: (scene, record, viewer, shown) =>
      occurrenceCard(scene, record, {
        signer: deps.signer,
        mayAct: mayAct({ org: scene.org, record, actorId: viewer.id, now: scene.now }),
        notice:
          shown.notice ??
          (shown.lastEvent?.kind === 'help' ? strings(scene.language).arshjul.helpSent : ''),
        noticeColor: shown.noticeColor,
        headline: record.status === 'done' ? strings(scene.language).arshjul.headlines.done : '',
        headlineColor: 'Good',
      }),
    messagesFor: (scene, _before, after, event) =>
      afterChange(scene.org, scene.activities.get(after.activityId), after, event, scene.now),
  };
  return { pipeline: new CardActionPipeline(feature, deps.signer), mayAct };
}
