/**
 * A room's conversation: two sides — the order's customer, and the admins — each message counted on
 * its writer's side, and each member's "read up to" marker holding the counts as of the message it
 * names. What is unread for a member is what the other side wrote past their marker. No AWS types.
 */

/** The order's customer, or the admins (any of them). */
export type Side = 'customer' | 'admins';

export interface Counts {
  fromCustomer: number;
  fromAdmins: number;
}

/** The newest message, as the inbox and the lists show it. */
export interface LastMessage {
  id: string;
  createdAt: string;
  side: Side;
  senderName: string;
  /** Its first words. */
  preview: string;
}

export interface Conversation {
  /** How many messages moved it on (0: none yet); a write holds only on the version it read. */
  version: number;
  /** The messages each side wrote, counted since the room's first one. */
  counts: Counts;
  lastMessage: LastMessage | null;
  /** The newest message each side has read (any admin, for the admins). */
  readUpTo: { customer: string | null; admins: string | null };
}

export interface ReadMarker {
  messageId: string;
  /** The conversation's counts as of that message. */
  counts: Counts;
}

export interface WaitingRoom {
  roomId: string;
  customer: { id: string; name: string };
  /** When the customer's first unanswered message was written. */
  waitingSince: string;
  lastMessage: LastMessage;
}

/** The side a writer is on: the order's owner is its customer (an admin who placed an order too). */
export const sideOf = (writerId: string, customerId: string): Side => (writerId === customerId ? 'customer' : 'admins');

export const countsAfter = (counts: Counts, side: Side): Counts =>
  side === 'customer'
    ? { ...counts, fromCustomer: counts.fromCustomer + 1 }
    : { ...counts, fromAdmins: counts.fromAdmins + 1 };

/** How many characters of a message the inbox and the lists show. */
export const PREVIEW_CHARACTERS = 100;

/** A message's first words: at most PREVIEW_CHARACTERS, whole code points, whitespace folded. */
export function previewOf(content: string): string {
  const folded = content.replace(/\s+/g, ' ').trim();
  const characters = Array.from(folded);
  return characters.length <= PREVIEW_CHARACTERS ? folded : `${characters.slice(0, PREVIEW_CHARACTERS - 1).join('')}…`;
}

/**
 * What the other side wrote past the member's marker. No marker: everything they wrote. Messages
 * from before read state existed carry no counts: they count as read.
 */
export function unreadFor(side: Side, conversation: Conversation, marker: ReadMarker | null): number {
  const read = marker?.counts ?? { fromCustomer: 0, fromAdmins: 0 };
  const unread =
    side === 'customer'
      ? conversation.counts.fromAdmins - read.fromAdmins
      : conversation.counts.fromCustomer - read.fromCustomer;
  return Math.max(0, unread);
}
