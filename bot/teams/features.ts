import type { ArshjulService } from '../arshjul/arshjul-service';
import type { SubscriptionService } from '../channels/subscription-service';
import type { ChannelLinkService } from '../channels/link-service';
import type { DelegationService } from '../delegations/delegation-service';
import type { DeviationService } from '../deviations/deviation-service';
import type { Actor } from '../kernel/actor';
import type { ActionSource } from '../kernel/card-action';
import type { Card } from '../kernel/card-templates';
import type { ConversationStore } from '../store/conversation-store';
import type { TaskFeature } from '../tasks/task-feature';
import type { ProcessFeature } from '../processes/process-feature';
import type { ProjectFeature } from '../projects/project-feature';
import type { VedtakFeature } from '../vedtak/vedtak-feature';

/** A feature's card verbs, as the edge routes them: every verb of every pipeline goes to `act`. */
export interface CardActions {
  readonly verbs: readonly string[];
  act(
    actor: Actor,
    verb: string,
    data: Record<string, unknown>,
    source: ActionSource,
  ): Promise<Card>;
}

/** What the Teams edge calls into: the feature services, free of any SDK type. */
export interface Features {
  deviations: DeviationService;
  /** Team-channel subscriptions (bot/channels); routed in routes/channels.ts. */
  channels: SubscriptionService;
  /** Channels linked to a process or project: "koble kanal", "koble fra" (routes/channels.ts). */
  channelLinks: ChannelLinkService;
  conversations: ConversationStore;
  /** The annual cycle's commands (routes/arshjul.ts). */
  arshjul: ArshjulService;
  /** Delegations of authority: questions, forms, my grants, requests (routes/delegations.ts). */
  delegations: DelegationService;
  /**
   * Tasks of processes and projects: the form, the lists (routes/tasks.ts), the message action's
   * dialog (routes/message-action.ts); verbs in `cardActions`.
   */
  tasks: Pick<
    TaskFeature,
    'form' | 'submit' | 'create' | 'formFromMessage' | 'mine' | 'ofProcess' | 'current'
  >;
  /** Cross-cutting processes: "prosesser", "prosess <navn>" (routes/tasks.ts); verbs in `cardActions`. */
  processes: Pick<ProcessFeature, 'list' | 'show'>;
  /** Projects: "nytt prosjekt", "prosjekter", "prosjekt <PRO-…>" (routes/tasks.ts). */
  projects: Pick<ProjectFeature, 'form' | 'create' | 'list' | 'show'>;
  /** Political decisions: "nytt vedtak", "vedtak" (routes/tasks.ts); the status verb in `cardActions`. */
  vedtak: Pick<VedtakFeature, 'form' | 'create' | 'list'>;
  /** Every feature's card-action pipeline (deviations first); routed in routes/card-actions.ts. */
  cardActions: CardActions[];
}
