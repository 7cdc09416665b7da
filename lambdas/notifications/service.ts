/**
 * The dispatcher: e-mail for whoever is away. It takes the notifications that came due, and for
 * each member of the room's side decides from the state as it is now — their account and role,
 * their preferences, whether they are in the room, their read marker, when they were last
 * e-mailed — what one e-mail tells them, then sends it once.
 *
 * Delivery: a notification is claimed before it is sent (an overlapping run skips it, a dead run's
 * claim runs out and it is due again); each member's e-mail is recorded with the notification's key,
 * so a retry never sends it to them twice; a failure is retried with a growing wait, and after
 * MAX_ATTEMPTS the notification is parked where the alarm counts it. One notification's failure
 * never holds up another.
 */
import { orderOf } from '../orders/rooms.ts';
import type { Order } from '../orders/order.ts';
import * as conversations from '../chat/conversation-repository.ts';
import { presentMembers } from '../chat/connections-repository.ts';
import { sideOf, unreadFor, type Conversation, type ReadMarker, type Side } from '../chat/conversation.ts';
import { HTTP_PAGE_BYTES, wordsOf } from '../chat/message.ts';
import { messagePage } from '../chat/messages-repository.ts';
import { profilesLookup } from '../users/repository.ts';
import { batchLookup } from '../shared/dynamo-client.ts';
import type { UserProfile } from '../users/user.ts';
import { readEnv } from '../shared/env.ts';
import { logger } from '../shared/logger.ts';
import { sendNotificationMail } from './mail.ts';
import {
  CLAIM_SECONDS,
  MAX_ATTEMPTS,
  compose,
  isEmpty,
  notBefore,
  notificationKey,
  retryDelaySeconds,
  topicsOf,
  type Digest,
  type MailedRecord,
  type NotificationPreferences,
  type PendingNotification,
} from './notification.ts';
import * as notifications from './repository.ts';
import { timing } from './schedule.ts';
import { unsubscribeToken } from './unsubscribe-token.ts';

const env = /* @__PURE__ */ readEnv({ APP_URL: { url: true } });

/** Notifications taken a page at a time; each is its own work, a failure in one never stops the page. */
const DUE_PAGE = 25;
/** Messages one e-mail shows; the rest are counted ("… and 3 more"). */
const MESSAGES_PER_EMAIL = 20;
/** Time a notification needs (its reads, one send, its writes) that a run keeps in hand before taking another. */
const PER_NOTIFICATION_MS = 10_000;

export interface DispatchReport {
  sent: number;
  retried: number;
  parked: number;
}

/** Works through what is due until nothing is, or the run's time is nearly up. */
export async function dispatchDue(remainingMs: () => number): Promise<DispatchReport> {
  const report: DispatchReport = { sent: 0, retried: 0, parked: 0 };
  for (;;) {
    const now = new Date();
    const due = await notifications.duePage(now, DUE_PAGE);
    for (const entry of due) {
      if (remainingMs() < PER_NOTIFICATION_MS) return report;
      const claimed = await notifications.claim(entry, now, CLAIM_SECONDS);
      if (!claimed) continue;
      await deliver(claimed, report).catch((error: unknown) =>
        // Its claim runs out and it is due again: nothing is lost.
        logger.error('A notification could not be handled', { roomId: entry.roomId, error: (error as Error).name }),
      );
    }
    if (due.length < DUE_PAGE) return report;
  }
}

interface Recipient {
  profile: UserProfile;
  preferences: NotificationPreferences;
  marker: ReadMarker | null;
  mailed: MailedRecord | undefined;
}

async function deliver(pending: PendingNotification, report: DispatchReport): Promise<void> {
  const order = await orderOf(pending.roomId);
  if (!order) {
    await notifications.complete(pending);
    return;
  }
  const [{ conversation, recipients }, present] = await Promise.all([
    recipientsOf(pending, order),
    presentMembers(pending.roomId),
  ]);
  const inRoom = new Set(present.members.map((member) => member.userId));
  const key = notificationKey(pending);
  const now = new Date();
  let failure: string | undefined;
  let nextAllowed: Date | undefined;
  for (const recipient of recipients) {
    const { profile, mailed } = recipient;
    // In the room, they see it live; told of it already by this notification (a retry).
    if (inRoom.has(profile.id) || mailed?.key === key) continue;
    const digest = await digestFor(pending, order, conversation, recipient);
    if (isEmpty(digest)) continue;
    const allowedAt = notBefore(mailed, timing());
    if (allowedAt && allowedAt > now) {
      nextAllowed = nextAllowed && nextAllowed < allowedAt ? nextAllowed : allowedAt;
      continue;
    }
    try {
      await mail(profile, pending, digest);
      await notifications.recordMailed(pending.roomId, profile.id, {
        key,
        sentAt: new Date().toISOString(),
        upTo: digest.messages.at(-1)?.id ?? mailed?.upTo ?? null,
        status: digest.status ?? mailed?.status ?? null,
        closed: digest.closedSummary !== null || (mailed?.closed ?? false),
      });
      report.sent++;
    } catch (error) {
      failure = (error as Error).name;
      logger.warn('A notification e-mail failed', { roomId: pending.roomId, attempt: pending.attempts + 1, failure });
    }
  }
  if (failure !== undefined) return failed(pending, failure, report);
  if (nextAllowed) return notifications.postpone(pending, nextAllowed, pending.attempts);
  await notifications.complete(pending);
}

async function failed(pending: PendingNotification, failure: string, report: DispatchReport) {
  const attempts = pending.attempts + 1;
  if (attempts >= MAX_ATTEMPTS && (await notifications.park(pending, failure, new Date()))) {
    report.parked++;
    // The alarm's metric filter counts this line (lib/constructs/notifications.ts).
    logger.error('A notification was parked', { roomId: pending.roomId, side: pending.side, attempts, failure });
    return;
  }
  report.retried++;
  await notifications.postpone(pending, new Date(Date.now() + retryDelaySeconds(attempts, timing()) * 1000), attempts);
}

/**
 * Who on the notification's side may be e-mailed, as they are now: the order's customer, or every
 * admin on the roster still an admin (a demoted or deleted one is not), with a confirmed address.
 */
async function recipientsOf(
  pending: PendingNotification,
  order: Order,
): Promise<{ conversation: Conversation; recipients: Recipient[] }> {
  const candidates =
    pending.side === 'customer'
      ? [order.userId]
      : (await notifications.rosterIds()).filter((id) => id !== order.userId);
  // Everything about them, and the room's conversation, in one BatchGetItem.
  const [profiles, { conversation, markers }, mailed, preferences] = await batchLookup([
    profilesLookup(candidates),
    conversations.conversationLookup(pending.roomId, candidates),
    notifications.mailedLookup(pending.roomId, candidates),
    notifications.preferencesLookup(candidates),
  ] as const);
  const recipients = candidates.flatMap((id) => {
    const profile = profiles.get(id);
    if (!profile || profile.deletedAt || profile.emailConfirmation) return [];
    if (pending.side === 'admins' && profile.role !== 'ADMIN') return [];
    return [{ profile, preferences: preferences.get(id)!, marker: markers.get(id) ?? null, mailed: mailed.get(id) }];
  });
  return { conversation, recipients };
}

async function digestFor(
  pending: PendingNotification,
  order: Order,
  conversation: Conversation,
  { preferences, marker, mailed }: Recipient,
): Promise<Digest> {
  const side: Side = pending.side;
  // Admins hear of a customer's messages while no admin has answered them.
  const messagesCount =
    preferences.messages && (side === 'customer' || conversation.lastMessage?.side === 'customer')
      ? unreadFor(side, conversation, marker)
      : 0;
  const messages = messagesCount ? await unreadMessages(order, side, marker, mailed) : [];
  // What the customer did themselves (their own cancellation) is no news to them.
  const statusNews = side === 'customer' && preferences.statusChanges && order.cancellation?.by !== order.userId;
  return {
    orderDescription: order.description,
    messages,
    moreMessages: Math.max(0, messagesCount - messages.length),
    status:
      statusNews && pending.reasons.includes('status') && order.status !== (mailed?.status ?? null)
        ? order.status
        : null,
    closedSummary:
      statusNews && pending.reasons.includes('closed') && !order.room.isOpen && !mailed?.closed
        ? (order.room.summary ?? '')
        : null,
    newOrder:
      side === 'admins' &&
      preferences.newOrders &&
      pending.reasons.includes('newOrder') &&
      mailed === undefined &&
      order.status === 'REVIEW',
  };
}

/** The other side's messages past the member's marker and past what they were last e-mailed. */
async function unreadMessages(order: Order, side: Side, marker: ReadMarker | null, mailed: MailedRecord | undefined) {
  const from = [marker?.messageId, mailed?.upTo]
    .filter((id): id is string => Boolean(id))
    .sort()
    .at(-1);
  const page = await messagePage(order.id, from ? { after: from } : {}, MESSAGES_PER_EMAIL, HTTP_PAGE_BYTES);
  return page.items
    .filter((message) => sideOf(message.sender.id, order.userId) !== side)
    .map((message) => ({
      id: message.id,
      senderName: message.sender.name,
      createdAt: message.createdAt,
      content: wordsOf(message),
    }));
}

async function mail(profile: UserProfile, pending: PendingNotification, digest: Digest) {
  const app = new URL(env.APP_URL);
  const token = await unsubscribeToken(profile.id, topicsOf(digest));
  const orderLink = `${app.href.replace(/\/?$/, '/')}#/orders/${pending.roomId}`;
  const unsubscribePage = `${app.href.replace(/\/?$/, '/')}#/unsubscribe?token=${token}`;
  // The API shares the web app's origin (CloudFront serves both; offline, the local gateway).
  const oneClick = `${app.origin}/notifications/unsubscribe?token=${token}`;
  const { subject, text } = compose(
    digest,
    { order: orderLink, unsubscribe: unsubscribePage },
    profile.name,
    pending.side,
  );
  await sendNotificationMail({ to: profile.email, subject, text, unsubscribeUrl: oneClick });
}
