export { notice } from '../kernel/card-templates';
import type { CardSigner } from '../kernel/card-signing';
import type { Delivery } from '../messaging/delivery';
import type { Language } from '../i18n';
import type { OrgRepository, OrgSnapshot } from '../org/org-store';
import type { ConversationStore } from '../store/conversation-store';
import type { DeviationRepository } from './deviation-repository';
import type { ViewContext } from './deviation-views';

/** What the deviation use cases need from outside; built once in bot/host.ts. */
export interface Clock {
  now(): Date;
}

export interface DeviationDeps {
  deviations: DeviationRepository;
  org: OrgRepository;
  conversations: ConversationStore;
  delivery: Delivery;
  signer: CardSigner;
  clock: Clock;
}

export function viewIn(
  deps: DeviationDeps,
  snapshot: OrgSnapshot,
  language: Language,
): ViewContext {
  return { org: snapshot.org, categories: snapshot.categories, language, now: deps.clock.now() };
}

/** The organisation (cached) and a view context for one language, read once per use case. */
export async function viewFor(
  deps: DeviationDeps,
  language: Language,
): Promise<{ snapshot: OrgSnapshot; ctx: ViewContext }> {
  const snapshot = await deps.org.snapshot();
  return { snapshot, ctx: viewIn(deps, snapshot, language) };
}
