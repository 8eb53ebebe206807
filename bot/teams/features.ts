import type { DeviationService } from '../deviations/deviation-service';
import type { ConversationStore } from '../store/conversation-store';
import type { Delivery } from '../messaging/delivery';

/** What the Teams edge calls into: the feature services, free of any SDK type. */
export interface Features {
  deviations: DeviationService;
  conversations: ConversationStore;
  delivery: Delivery;
}
