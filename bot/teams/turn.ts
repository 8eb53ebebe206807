import type { AdaptiveCard, TurnState } from '@microsoft/teams-ai';
import { ActivityTypes, CardFactory, MessageFactory, TurnContext, type Activity } from 'botbuilder';
import type { ReportDraft } from '../deviations/report-form';
import { notice, type Card } from '../kernel/card-templates';
import type { Actor } from '../kernel/actor';
import { languageOf, strings } from '../i18n';
import type { ConversationStore } from '../store/conversation-store';

/** Small helpers every route uses: who is acting, where to answer, what to remember. */

/** The client's locale: on the activity, or (conversationUpdate) in the clientInfo entity. */
export function localeOf(context: TurnContext): string {
  const { locale, entities } = context.activity as { locale?: unknown; entities?: unknown };
  if (typeof locale === 'string' && locale) return locale;
  // Also called by app.error: it must not throw on an activity the envelope did not vet.
  const clientInfo = (Array.isArray(entities) ? entities : []).find(
    (e) => (e as { type?: unknown } | null)?.type === 'clientInfo',
  ) as { locale?: unknown } | undefined;
  return typeof clientInfo?.locale === 'string' ? clientInfo.locale : '';
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

/** Teams always names the conversation type; an activity without one is not taken as personal. */
export function isPersonal(context: TurnContext): boolean {
  return context.activity.conversation?.conversationType === 'personal';
}

/**
 * The Agents Playground leaves `conversationType` out in a personal chat (Teams never does).
 * An unauthenticated local bot (npm start) fills it in for a chat that is no group, team or
 * channel; in production the activity stays as it came and counts as not personal.
 */
export function assumePersonalWhenUnset(activity: Activity): void {
  const conversation = activity.conversation;
  const teamOrChannel = activity.channelData as { team?: unknown; channel?: unknown } | undefined;
  if (
    conversation &&
    conversation.conversationType === undefined &&
    !conversation.isGroup &&
    !teamOrChannel?.team &&
    !teamOrChannel?.channel
  )
    conversation.conversationType = 'personal';
}

export async function sendCard(context: TurnContext, card: Card): Promise<string | undefined> {
  const response = await context.sendActivity(
    MessageFactory.attachment(CardFactory.adaptiveCard(card)),
  );
  return response?.id;
}

/**
 * The conversation of a turn, to reach it later. Without the activity id: a later message is
 * a new message, not a reply, and the same chat keeps the same reference (it is stored only
 * when it changed).
 */
export function conversationOf(context: TurnContext) {
  const { activityId: _activityId, ...reference } = TurnContext.getConversationReference(
    context.activity,
  );
  return {
    conversationId: context.activity.conversation.id,
    reference: JSON.stringify(reference),
  };
}

/** The team and channel a channel activity comes from, when it does. */
export function channelOf(context: TurnContext): { teamId: string; channelId: string } | undefined {
  const data = context.activity.channelData as
    { team?: { id?: string }; channel?: { id?: string } } | undefined;
  const teamId = data?.team?.id;
  // A team's General channel has the team's id; other channels name theirs.
  const channelId = data?.channel?.id ?? teamId;
  return teamId && channelId ? { teamId, channelId } : undefined;
}

/** Keeps the way to reach this user (or channel) current, so proactive cards can find them. */
export async function rememberConversation(
  context: TurnContext,
  store: ConversationStore,
): Promise<void> {
  const a = context.activity;
  const updatedAt = new Date().toISOString();
  const locale = localeOf(context);
  if (isPersonal(context) && (a.from.aadObjectId || a.from.id) && a.from.role !== 'bot') {
    const { conversationId, reference } = conversationOf(context);
    await store.saveForUser(a.from.aadObjectId || a.from.id, {
      conversationId,
      reference,
      locale,
      updatedAt,
    });
  }
  const channel = channelOf(context);
  if (channel) {
    // A post to the channel starts a new thread: the reference names the channel, not the thread.
    const ref = JSON.parse(conversationOf(context).reference) as ReturnType<
      typeof TurnContext.getConversationReference
    >;
    ref.conversation = {
      ...ref.conversation,
      id: channel.channelId,
      isGroup: true,
      conversationType: 'channel',
      name: ref.conversation?.name ?? '',
    };
    await store.saveForChannel(channel.teamId, channel.channelId, {
      conversationId: channel.channelId,
      reference: JSON.stringify(ref),
      locale,
      updatedAt,
    });
  }
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

/** A report a user has not sent yet: what they typed, and the id of the form they typed it in. */
export interface SavedDraft {
  values: ReportDraft;
  formId?: string;
}

type DraftState = { reportDraft?: ReportDraft & { formId?: unknown } };

/**
 * The report draft kept in user state (Azure Tables) across restarts. Only message turns read
 * saved state (bot-app.ts): an invoke sees none here.
 */
export function savedDraft(state: TurnState): SavedDraft | undefined {
  const saved = (state.user as DraftState).reportDraft;
  if (!saved) return undefined;
  const { formId, ...values } = saved;
  return { values, formId: typeof formId === 'string' ? formId : undefined };
}

export function saveDraft(state: TurnState, draft: SavedDraft | undefined): void {
  (state.user as DraftState).reportDraft = draft && { ...draft.values, formId: draft.formId };
}

/** Card data from an Action.Execute invoke: untrusted, checked by each handler. */
export type CardData = Record<string, unknown>;

type CardHandler = (
  context: TurnContext,
  state: TurnState,
  data: CardData,
) => Promise<AdaptiveCard>;

/**
 * Case cards live in personal chats only. A card action arriving from a group chat or a
 * channel (a forwarded or forged invoke) is answered with a pointer, for the presser alone:
 * a returned case card would otherwise replace a message everybody there can read.
 */
export function personalOnly(handler: CardHandler): CardHandler {
  return async (context, state, data) => {
    if (isPersonal(context)) return handler(context, state, data);
    const card = notice(strings(actorOf(context).language).channelHint, '', 'Default');
    await answerInvokeWithCard(context, card);
    return adaptive(card);
  };
}
