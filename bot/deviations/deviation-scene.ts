import type { Language } from '../i18n';
import type { OrgSnapshot } from '../org/organisation';
import type { DeviationDeps } from './ports';
import type { ViewContext } from './deviation-views';

/** What the rules and cards of one use case see: the organisation, its catalogue, a language, now. */
export function sceneOf(
  snapshot: Pick<OrgSnapshot, 'org' | 'categories'>,
  language: Language,
  now: Date,
): ViewContext {
  return { org: snapshot.org, categories: snapshot.categories, language, now };
}

/** Reads the organisation (cached) once and builds the scene for one language. */
export async function readScene(
  deps: Pick<DeviationDeps, 'org' | 'clock'>,
  language: Language,
): Promise<ViewContext> {
  return sceneOf(await deps.org.snapshot(), language, deps.clock.now());
}
