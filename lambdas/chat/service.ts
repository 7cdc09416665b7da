/**
 * Chat use cases: messages, memberships of WebSocket connections, and connect
 * tickets. A room is its order's (same id): its state and who may see it come
 * from orders' service API (orders/rooms.ts). Identity always comes from the
 * caller established by an authorizer, never from a frame.
 */
import { randomBytes } from 'node:crypto';
import { monotonicFactory } from 'ulid';
import type { Caller, Session } from '../shared/caller.ts';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ServiceUnavailableError,
  ValidationError,
} from '../shared/errors.ts';
import { decodeCursor, encodeCursor } from '../shared/cursor.ts';
import { MAX_ROOMS_PER_CONNECTION } from '../limits/policy.ts';
import { logger } from '../shared/logger.ts';
import { batchLookup, type Lookup } from '../shared/dynamo-client.ts';
import { roomAssigneesLookup, visibleRoom, visibleRoomWithCustomer } from '../orders/rooms.ts';
import { participantOf, tellPresence } from './presence.ts';
import * as connections from './connections-repository.ts';
import * as conversations from './conversation-repository.ts';
import {
  countsAfter,
  previewOf,
  sideOf,
  unreadFor,
  type Conversation,
  type LastMessage,
  type ReadMarker,
  type Side,
} from './conversation.ts';
import { broadcastToRoom, sendToConnections } from './fanout.ts';
import { tellOrderLists } from './order-lists.ts';
import {
  HISTORY_PAGE,
  HTTP_PAGE_BYTES,
  RESUME_PAGE,
  WS_MESSAGE_BYTES,
  roomFor,
  wordsOf,
  type ChatMessage,
} from './message.ts';
import { refOf } from './attachment.ts';
import { attachmentsToSend, keepSent } from './attachments.ts';
import * as messages from './messages-repository.ts';
import * as tickets from './tickets-repository.ts';

// Monotonic: two messages in the same millisecond still sort in the order they were written.
const messageId = monotonicFactory();
export const TICKET_SECONDS = 60;

const cursorOf = (page: { items: ChatMessage[]; hasMore: boolean }) =>
  page.hasMore ? (page.items[0]?.id ?? null) : null;
/** The longest cursor a page can carry (a message id), for sizing a page's envelope. */
const LONGEST_CURSOR = '0'.repeat(26);

/** Where the caller stands in a room: how much the other side wrote that they haven't read, and the two receipts. */
export interface ReadState {
  side: Side;
  unread: number;
  readUpTo: string | null;
  otherSideReadUpTo: string | null;
}

/** The longest read state, for sizing a page's envelope. */
const LONGEST_READ_STATE: ReadState = {
  side: 'customer',
  unread: 2 ** 31,
  readUpTo: LONGEST_CURSOR,
  otherSideReadUpTo: LONGEST_CURSOR,
};

function readStateFrom(side: Side, conversation: Conversation, marker: ReadMarker | null): ReadState {
  return {
    side,
    unread: unreadFor(side, conversation, marker),
    readUpTo: marker?.messageId ?? null,
    otherSideReadUpTo: side === 'customer' ? conversation.readUpTo.admins : conversation.readUpTo.customer,
  };
}

async function readStateOf(caller: Caller, roomId: string, customerId: string): Promise<ReadState> {
  const { conversation, marker } = (await conversations.conversationsWithMarkers([roomId], caller.id)).get(roomId)!;
  return readStateFrom(sideOf(caller.id, customerId), conversation, marker);
}

export async function getRoom(caller: Caller, roomId: string) {
  const { room, customerId } = await visibleRoomWithCustomer(caller, roomId);
  const envelope = { ...room, readState: LONGEST_READ_STATE, messages: [], nextCursor: LONGEST_CURSOR };
  const [page, readState] = await Promise.all([
    messages.messagePage(roomId, {}, HISTORY_PAGE, roomFor(envelope, HTTP_PAGE_BYTES)),
    readStateOf(caller, roomId, customerId),
  ]);
  return { ...room, readState, messages: page.items, nextCursor: cursorOf(page) };
}

/**
 * Moves the caller's "read up to" marker to a message of the room (never back). When their side's
 * receipt moves with it, every connection in the room hears readReceipt. Answered with readState.
 */
export async function markRead(caller: Caller, input: { roomId: string; messageId: string }) {
  const { roomId, messageId: id } = input;
  const [{ customerId }, counts, conversation] = await Promise.all([
    visibleRoomWithCustomer(caller, roomId),
    messages.countsAt(roomId, id),
    conversations.getConversation(roomId),
  ]);
  if (counts === undefined) throw new NotFoundError('No such message in this room.');
  const side = sideOf(caller.id, customerId);
  const marker: ReadMarker = { messageId: id, counts: counts ?? { fromCustomer: 0, fromAdmins: 0 } };
  const [before, receiptMoved] = await Promise.all([
    conversations.moveMarker(roomId, caller.id, marker),
    conversations.moveReceipt(roomId, side, id),
  ]);
  const moved = before !== undefined;
  const newlyRead = side === 'customer' && before ? marker.counts.fromAdmins - before.fromAdmins : 0;
  if (newlyRead > 0) {
    await conversations
      .lowerUnreadTotal(caller.id, newlyRead)
      .catch((error: unknown) =>
        logger.error("A customer's unread total was not lowered", { roomId, error: (error as Error).name }),
      );
  }
  // The reader's other tabs and devices: their lists' unread counts fall too.
  if (moved) await tellConversationMoved(roomId, conversation.lastMessage, { userId: caller.id, admins: false });
  if (receiptMoved) {
    const receipt = { type: 'readReceipt' as const, roomId, side, messageId: id, readAt: new Date().toISOString() };
    await broadcastToRoom(roomId, [receipt]).catch((error: unknown) =>
      logger.warn('Fan-out of a read receipt failed', { roomId, error: (error as Error).name }),
    );
  }
  // The marker stood further already: where it stands is read back.
  const readState = moved ? readStateFrom(side, conversation, marker) : await readStateOf(caller, roomId, customerId);
  return { type: 'readState' as const, roomId, ...readState };
}

/**
 * Each order of a page with what its room holds unread for the caller, and the caller's total (a
 * customer's unread messages across their rooms; an admin's rooms waiting): one BatchGetItem a page.
 */
export async function withUnread<T extends { id: string; userId: string }, X extends object = object>(
  caller: Caller,
  page: { items: T[]; nextCursor: string | null },
  more?: Lookup<(item: T) => X>,
) {
  const [found, unreadTotal, moreOf] = await batchLookup([
    conversations.conversationsLookup(
      page.items.map((order) => order.id),
      caller.id,
    ),
    conversations.totalLookup(caller.id, caller.role === 'ADMIN'),
    more ?? NOTHING_MORE,
  ] as const);
  return {
    ...page,
    unreadTotal,
    items: page.items.map((order) => {
      const { conversation, marker } = found.get(order.id)!;
      return {
        ...order,
        ...(moreOf(order) as X),
        unread: unreadFor(sideOf(caller.id, order.userId), conversation, marker),
      };
    }),
  };
}

const NOTHING_MORE: Lookup<() => object> = { tableName: '', keys: [], read: () => () => ({}) };

/** The rooms waiting for an admin's answer, oldest wait first (admins only). */
export async function inbox(
  caller: Caller,
  query: { limit: number; cursor?: string | undefined; assignee?: string | undefined },
) {
  assertMayReadInbox(caller);
  const { assignee } = query;
  const scope: conversations.InboxScope =
    assignee === undefined ? {} : { assigneeId: assignee === 'none' ? null : assignee === 'me' ? caller.id : assignee };
  // A cursor works for the inbox it came from only.
  const cursorScope = assignee === undefined ? 'inbox' : `inbox:${conversations.inboxPartitionOf(scope)}`;
  const page = await conversations.inboxPage(query.limit, await decodeCursor(query.cursor, cursorScope), scope);
  // Who handles each room's order, from the orders themselves (one BatchGetItem a page).
  const [assignees] = await batchLookup([roomAssigneesLookup(page.items.map((room) => room.roomId))] as const);
  return {
    items: page.items.map((room) => ({ ...room, assignee: assignees.get(room.roomId) ?? null })),
    nextCursor: await encodeCursor(page.lastKey, cursorScope),
  };
}

/**
 * After an order's assignment is stored (or found stored, on a retry): its room is filed under the
 * new assignee for the inbox by assignee, and watching lists hear of it.
 */
export async function assignmentChanged(order: {
  id: string;
  userId: string;
  status: string;
  version: number;
  assignee?: { id: string } | null;
}) {
  await conversations.fileUnderAssignee(order.id, order.assignee?.id ?? undefined, order.version);
  await tellOrderLists(order, 'assigned');
}

function assertMayReadInbox(caller: Caller) {
  if (caller.role !== 'ADMIN') throw new ForbiddenError('Only admins have an inbox.');
}

export async function olderMessages(caller: Caller, roomId: string, before: string | undefined, limit: number) {
  await visibleRoom(caller, roomId);
  return messagesOf(roomId, before, limit);
}

/**
 * A page of a room's messages (before `before`, or the newest), for a caller whose right to see
 * the room is established already (the data export has just read the order as its owner).
 */
export async function messagesOf(roomId: string, before: string | undefined, limit: number) {
  const envelope = { items: [], nextCursor: LONGEST_CURSOR };
  const page = await messages.messagePage(roomId, before ? { before } : {}, limit, roomFor(envelope, HTTP_PAGE_BYTES));
  return { items: page.items, nextCursor: cursorOf(page) };
}

export async function issueTicket(session: Session) {
  const ticket = randomBytes(32).toString('base64url');
  await tickets.saveTicket(ticket, session, Math.floor(Date.now() / 1000) + TICKET_SECONDS);
  return { ticket, expiresIn: TICKET_SECONDS as 60 };
}

export async function redeemTicket(ticket: string): Promise<Session | undefined> {
  return tickets.redeemTicket(ticket, Math.floor(Date.now() / 1000));
}

/**
 * joinRoom: membership, then the history the joiner needs (latest page, or everything after `after`).
 * `receivedAt` orders it among the connection's other frames for the room (they run concurrently).
 */
export async function join(
  caller: Caller,
  connection: { connectionId: string; sessionExpiresAt: number },
  roomId: string,
  after: string | undefined,
  receivedAt: number,
) {
  const [{ room, customerId }, joined] = await Promise.all([
    visibleRoomWithCustomer(caller, roomId),
    connections.roomsOfConnection(connection.connectionId),
  ]);
  const { isOpen, summary, closedAt } = room;
  if (!joined.includes(roomId) && joined.length >= MAX_ROOMS_PER_CONNECTION) {
    throw new ConflictError(`This connection is in ${joined.length} rooms: leave one before joining another.`);
  }
  // A leaveRoom received after this frame may have run already: then it stands, and this answer is moot.
  await connections.joinRoom(
    { ...connection, userId: caller.id, name: caller.name, role: caller.role },
    roomId,
    receivedAt,
  );
  const frame = { type: 'chatHistory' as const, roomId, room: { isOpen, summary, closedAt } };
  // The answer is one WebSocket message: the page is cut to what fits in API Gateway's 128 KB.
  const space =
    roomFor(
      { ...frame, readState: LONGEST_READ_STATE, present: [], messages: [], nextCursor: LONGEST_CURSOR },
      WS_MESSAGE_BYTES,
    ) - PRESENT_BYTES;
  const [page, readState, present] = await Promise.all([
    after
      ? messages.messagePage(roomId, { after }, RESUME_PAGE, space)
      : messages.messagePage(roomId, {}, HISTORY_PAGE, space),
    readStateOf(caller, roomId, customerId),
    tellPresence(roomId, { userId: caller.id, connectionId: connection.connectionId, joined: true }, customerId),
  ]);
  const nextCursor = after ? (page.hasMore ? (page.items.at(-1)?.id ?? null) : null) : cursorOf(page);
  return { ...frame, readState, present: fitted(present), messages: page.items, nextCursor };
}

export async function leave(caller: Caller, connectionId: string, roomId: string, receivedAt: number) {
  // A joinRoom received after this frame may have run already: then it stands.
  if (await connections.leaveRoom(connectionId, roomId, receivedAt)) {
    await tellPresence(roomId, { userId: caller.id, connectionId, joined: false });
  }
  return { type: 'leftRoom' as const, roomId };
}

/** What a joiner's history keeps for who is in the room (about 140 people; a crowd is cut to fit). */
const PRESENT_BYTES = 16 * 1024;

function fitted(present: ReturnType<typeof participantOf>[]) {
  const kept: typeof present = [];
  let bytes = 2;
  for (const participant of present) {
    bytes += Buffer.byteLength(JSON.stringify(participant)) + 1;
    if (bytes > PRESENT_BYTES) break;
    kept.push(participant);
  }
  return kept;
}

/**
 * Storing and acknowledging take at most this long (two bounded DynamoDB attempts,
 * then one bounded PostToConnection): with less time left the message is refused
 * with a 503 before it is stored, never stored and then cut off unacknowledged.
 */
export const STORE_AND_ACK_MS = 7000;

/**
 * Senders racing in one room: each retry waits a random moment (so racers spread out) and reads
 * the conversation again. A room has a customer and a few admins; a burst of a dozen at once is
 * stored within these attempts.
 */
const SAVE_ATTEMPTS = 10;
const raceBackoff = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * Math.min(attempt, 5)));

/**
 * Stores the message first (so a failed fan-out loses nothing), acknowledges it
 * to the sender, then sends it to every other connection in the room. Once it is
 * stored nothing reaches the sender as an error: a message is acknowledged if
 * and only if it was stored. A repeated clientMessageId sends the original back
 * to the sender only.
 */
export async function sendMessage(
  caller: Caller,
  connectionId: string,
  input: {
    roomId: string;
    content: string;
    clientMessageId?: string | undefined;
    attachmentIds?: string[] | undefined;
  },
  remainingMs: number,
) {
  const fileIds = input.attachmentIds ?? [];
  if (input.content === '' && fileIds.length === 0)
    throw new ValidationError('A message needs text or a file.', [{ path: 'content', message: 'Must not be empty' }]);
  const [{ room, customerId, assigneeId }, firstRead, files] = await Promise.all([
    visibleRoomWithCustomer(caller, input.roomId),
    conversations.getConversation(input.roomId),
    fileIds.length ? filesOrOriginal(caller, input) : [],
  ]);
  if (!Array.isArray(files)) return files;
  let conversation = firstRead;
  if (!room.isOpen) throw new ConflictError('Chat room is closed');
  // Into the room's files first: a message is never stored with a file that isn't there.
  if (files.length) await keepSent(files);
  // Every attempt, the first and each after a race, starts only with time left to store and acknowledge.
  const deadline = Date.now() + remainingMs;
  const busy = () => new ServiceUnavailableError('The chat is busy: send the message again.');
  if (remainingMs < STORE_AND_ACK_MS) throw busy();
  const side = sideOf(caller.id, customerId);
  for (let attempt = 1; ; attempt++) {
    const message: ChatMessage = {
      id: messageId(),
      roomId: input.roomId,
      content: input.content,
      createdAt: new Date().toISOString(),
      clientMessageId: input.clientMessageId ?? null,
      sender: { id: caller.id, name: caller.name, role: caller.role },
      ...(files.length ? { attachments: files.map(refOf) } : {}),
    };
    const lastMessage: LastMessage = {
      id: message.id,
      createdAt: message.createdAt,
      side,
      senderName: caller.name,
      preview: previewOf(wordsOf(message)),
    };
    const outcome = await messages.saveMessage(
      message,
      {
        before: conversation,
        after: { counts: countsAfter(conversation.counts, side), lastMessage },
        customerId,
        assigneeId,
      },
      files,
    );
    if (outcome.saved) {
      await deliver(input.roomId, connectionId, message);
      const wasWaiting = conversation.lastMessage?.side === 'customer';
      await tellConversationMoved(input.roomId, lastMessage, {
        ...(side === 'admins' ? { userId: customerId } : {}),
        admins: side === 'customer' || wasWaiting,
      });
      return undefined;
    }
    if (outcome.reason === 'closed') throw new ConflictError('Chat room is closed');
    if (outcome.reason === 'attachmentTaken') throw new ConflictError('A file of this message was sent already.');
    if (outcome.reason === 'duplicate') {
      const original = await messages.findByClientMessageId(input.roomId, caller.id, input.clientMessageId!);
      return { type: 'newMessage', roomId: input.roomId, message: original ?? message };
    }
    if (attempt === SAVE_ATTEMPTS) throw busy();
    await raceBackoff(attempt);
    conversation = await conversations.getConversation(input.roomId);
    if (deadline - Date.now() < STORE_AND_ACK_MS) throw busy();
  }
}

/**
 * The files a message sends; or, when one was sent already by this very message (a client's retry
 * with the same clientMessageId), the answer that message got.
 */
async function filesOrOriginal(
  caller: Caller,
  input: { roomId: string; clientMessageId?: string | undefined; attachmentIds?: string[] | undefined },
) {
  try {
    return await attachmentsToSend(caller, input.roomId, input.attachmentIds ?? []);
  } catch (error) {
    const original =
      error instanceof ConflictError && input.clientMessageId
        ? await messages.findByClientMessageId(input.roomId, caller.id, input.clientMessageId)
        : undefined;
    if (!original) throw error;
    return { type: 'newMessage', roomId: input.roomId, message: original };
  }
}

/**
 * Tells the conversation's sides that it moved on, on every connection they have (joined to the room
 * or not): the customer's unread count rose, or the admins' inbox changed. Best-effort, after the
 * message is stored and delivered to the room: a failure is logged, never reported as the send's.
 */
export async function tellConversationMoved(
  roomId: string,
  lastMessage: LastMessage | null,
  to: { userId?: string; admins: boolean },
) {
  const frame = { type: 'conversationChanged', roomId, lastMessage, waiting: lastMessage?.side === 'customer' };
  try {
    const [customer, admins] = await Promise.all([
      to.userId ? connections.connectionsOfUser(to.userId) : [],
      to.admins ? connections.adminConnections() : [],
    ]);
    await sendToConnections([...customer.map((c) => c.connectionId), ...admins], [frame]);
  } catch (error) {
    logger.warn('Telling a conversation moved on failed', { roomId, error: (error as Error).name });
  }
}

/** Acknowledged before the fan-out (not as the route response), so the sender never waits for the room. */
async function deliver(roomId: string, connectionId: string, message: ChatMessage) {
  const frame = { type: 'newMessage', roomId, message };
  await sendToConnections([connectionId], [frame]);
  try {
    const others = (await connections.roomMembers(roomId)).filter((id) => id !== connectionId);
    await sendToConnections(others, [frame]);
  } catch (error) {
    // Stored and acknowledged: the others catch up with joinRoom `after` when they next resume.
    logger.warn('Fan-out of a stored message failed', { roomId, error: (error as Error).name });
  }
}
