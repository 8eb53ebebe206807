import type { AdaptiveCard, TurnState } from '@microsoft/teams-ai';
import { ActivityTypes, CardFactory, MessageFactory, TurnContext } from 'botbuilder';
import type { ReportDraft } from '../deviations/report-form';
import type { Card } from '../kernel/card-templates';
import type { Actor } from '../messaging/delivery';
import { languageOf } from '../i18n';
import type { ConversationStore } from '../store/conversation-store';

/** Small helpers every route uses: who is acting, where to answer, what to remember. */

/** The client's locale: on the activity, or (conversationUpdate) in the clientInfo entity. */
export function localeOf(context: TurnContext): string {
  const clientInfo = (context.activity.entities ?? []).find((e) => e.type === 'clientInfo') as
    { locale?: unknown } | undefined;
  return (
    context.activity.locale || (typeof clientInfo?.locale === 'string' ? clientInfo.locale : '')
  );
}

export function actorOf(context: TurnContext): Actor {
  const from = context.activity.from;
  const locale = localeOf(context);
  return {
    id: from.aadObjectId || from.id,
    name: from.name || '',
    language: languageOf(locale),
    locale,
  };
}

export function isPersonal(context: TurnContext): boolean {
  const type = context.activity.conversation.conversationType;
  return type === 'personal' || type === undefined;
}

export async function sendCard(context: TurnContext, card: Card): Promise<string | undefined> {
  const response = await context.sendActivity(
    MessageFactory.attachment(CardFactory.adaptiveCard(card)),
  );
  return response?.id;
}

export function conversationOf(context: TurnContext) {
  return {
    conversationId: context.activity.conversation.id,
    reference: JSON.stringify(TurnContext.getConversationReference(context.activity)),
  };
}

/** Keeps the way to reach this user (or team) current, so proactive cards can find them. */
export async function rememberConversation(
  context: TurnContext,
  store: ConversationStore,
): Promise<void> {
  const a = context.activity;
  const { conversationId, reference } = conversationOf(context);
  const updatedAt = new Date().toISOString();
  if (isPersonal(context) && (a.from.aadObjectId || a.from.id) && a.from.role !== 'bot') {
    await store.saveForUser(a.from.aadObjectId || a.from.id, {
      conversationId,
      reference,
      locale: localeOf(context),
      updatedAt,
    });
  }
  const teamId = (a.channelData as { team?: { id?: string } } | undefined)?.team?.id;
  if (teamId)
    await store.saveForTeam(teamId, {
      conversationId,
      reference,
      locale: localeOf(context),
      updatedAt,
    });
}

/** Answers an Action.Execute invoke for this user only, without touching other viewers' copies. */
export async function answerInvokeWithCard(context: TurnContext, card: Card): Promise<void> {
  await context.sendActivity({
    type: ActivityTypes.InvokeResponse,
    value: {
      status: 200,
      body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card },
    },
  });
}

/** Our cards are plain objects; teams-ai wants its AdaptiveCard type. */
export function adaptive(card: Card): AdaptiveCard {
  return card as unknown as AdaptiveCard;
}

/** The report form a user has not sent yet, kept in user state (Azure Tables) across restarts. */
export function savedDraft(state: TurnState): ReportDraft | undefined {
  return (state.user as { reportDraft?: ReportDraft }).reportDraft;
}

export function saveDraft(state: TurnState, draft: ReportDraft | undefined): void {
  (state.user as { reportDraft?: ReportDraft }).reportDraft = draft;
}
