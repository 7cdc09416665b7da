/**
 * E-mail for whoever is away: what a member of a room is told once something waited unread for the
 * stage's delay, and when. No AWS types: the dispatcher (service.ts) reads the facts, this decides.
 */
import type { Side } from '../chat/conversation.ts';

/** What a user wants to be e-mailed about (all of it unless they said otherwise). */
export interface NotificationPreferences {
  /** The other side's messages they haven't read. */
  messages: boolean;
  /** Their order's status changes and its room's close (customers). */
  statusChanges: boolean;
  /** New orders placed (admins). */
  newOrders: boolean;
}

export type Topic = keyof NotificationPreferences;

export const DEFAULT_PREFERENCES: NotificationPreferences = { messages: true, statusChanges: true, newOrders: true };

export const preferencesOf = (stored: Partial<NotificationPreferences> | undefined): NotificationPreferences => ({
  ...DEFAULT_PREFERENCES,
  ...stored,
});

/** Why a room's side has something pending: each event adds its reason. */
export type Reason = 'message' | 'status' | 'closed' | 'newOrder';

/** A room's side with something to tell, due at `dueAt`. */
export interface PendingNotification {
  roomId: string;
  side: Side;
  /** Set when the first of its events was scheduled; with `version`, names the notification (its idempotency key). */
  id: string;
  /** One more with each event scheduled on it: a notification changed while it was sent is sent again. */
  version: number;
  reasons: Reason[];
  dueAt: string;
  /** Failed sends so far. */
  attempts: number;
}

/** What a member was last e-mailed about a room. */
export interface MailedRecord {
  /** The notification it was (PendingNotification id#version): a retry never sends it twice. */
  key: string;
  sentAt: string;
  /** The newest message it told of. */
  upTo: string | null;
  /** The order's status it told of. */
  status: string | null;
  /** Whether it told of the room's close. */
  closed: boolean;
}

export const notificationKey = (pending: PendingNotification) => `${pending.id}#${pending.version}`;

export interface Timing {
  /** How long something waits unread before it is e-mailed (stage config, default 5 minutes). */
  delaySeconds: number;
  /** At most one e-mail per room per member this often (stage config, default 30 minutes). */
  minGapSeconds: number;
  /** The wait before a failed send is tried again, doubled at each failure (stage config, default 30 s). */
  retrySeconds: number;
}

/** Failed sends of one notification before it is parked where the alarm sees it. */
export const MAX_ATTEMPTS = 5;

/** The wait before the next attempt after `attempts` failures: the base, then twice, four and eight times it. */
export const retryDelaySeconds = (attempts: number, timing: Timing) =>
  timing.retrySeconds * 2 ** Math.max(0, attempts - 1);

/**
 * How long a dispatcher holds a notification it is sending: another run (an overlapping schedule)
 * skips it meanwhile, and if the holder dies it is due again after this, so nothing is lost.
 */
export const CLAIM_SECONDS = 120;

/** When a member last e-mailed about the room may be e-mailed again; undefined: now. */
export function notBefore(mailed: MailedRecord | undefined, timing: Timing): Date | undefined {
  if (!mailed) return undefined;
  return new Date(Date.parse(mailed.sentAt) + timing.minGapSeconds * 1000);
}

export interface MessageLine {
  id: string;
  senderName: string;
  createdAt: string;
  content: string;
}

/** Everything one e-mail tells a member about one room. */
export interface Digest {
  orderDescription: string;
  messages: MessageLine[];
  /** More unread messages than the e-mail shows. */
  moreMessages: number;
  /** The new status, when it changed since their last e-mail. */
  status: string | null;
  /** The close's summary, when the room closed since their last e-mail. */
  closedSummary: string | null;
  /** A new order the admins haven't seen by e-mail. */
  newOrder: boolean;
}

export const isEmpty = (digest: Digest) =>
  digest.messages.length === 0 && digest.status === null && digest.closedSummary === null && !digest.newOrder;

/** The topics a digest speaks of: its unsubscribe link turns these off. */
export function topicsOf(digest: Digest): Topic[] {
  const topics: Topic[] = [];
  if (digest.messages.length) topics.push('messages');
  if (digest.status !== null || digest.closedSummary !== null) topics.push('statusChanges');
  if (digest.newOrder) topics.push('newOrders');
  return topics;
}

const STATUS_WORDS: Record<string, string> = {
  REVIEW: 'in review',
  PROCESSING: 'being processed',
  COMPLETED: 'completed',
};

/** An e-mail's subject and plain text (no HTML: nothing in it can run or track). */
export function compose(
  digest: Digest,
  links: { order: string; unsubscribe: string },
  recipientName: string,
  audience: Side,
) {
  const title = shorten(digest.orderDescription, 60);
  const whose = audience === 'customer' ? 'your order' : 'the order';
  const subject = digest.newOrder
    ? `New order: ${title}`
    : digest.messages.length
      ? `${digest.messages.length + digest.moreMessages} unread message${digest.messages.length + digest.moreMessages === 1 ? '' : 's'} about ${whose} “${title}”`
      : `Your order “${title}” was updated`;
  const lines = [`Hello ${recipientName},`, ''];
  if (digest.newOrder) lines.push(`A new order was placed: “${digest.orderDescription}”.`, '');
  if (digest.status !== null) lines.push(`The order is now ${STATUS_WORDS[digest.status] ?? digest.status}.`, '');
  if (digest.closedSummary !== null) lines.push(`The conversation was closed: ${digest.closedSummary}`, '');
  for (const message of digest.messages) {
    lines.push(`${message.senderName} wrote (${message.createdAt}):`, message.content, '');
  }
  if (digest.moreMessages) lines.push(`… and ${digest.moreMessages} more.`, '');
  lines.push(`Open the order: ${links.order}`, '', `Stop these e-mails: ${links.unsubscribe}`);
  return { subject, text: lines.join('\n') };
}

const shorten = (text: string, characters: number) => {
  const folded = Array.from(text.replace(/\s+/g, ' ').trim());
  return folded.length <= characters ? folded.join('') : `${folded.slice(0, characters - 1).join('')}…`;
};
