/**
 * Chat use cases: messages, memberships of WebSocket connections, and connect
 * tickets. A room is its order's (same id): its state and who may see it come
 * from orders' service API (orders/rooms.ts). Identity always comes from the
 * caller established by an authorizer, never from a frame.
 */
import { randomBytes } from 'node:crypto';
import { monotonicFactory } from 'ulid';
import type { Caller, Session } from '../shared/caller.ts';
import { ConflictError, ServiceUnavailableError } from '../shared/errors.ts';
import { MAX_ROOMS_PER_CONNECTION } from '../limits/policy.ts';
import { logger } from '../shared/logger.ts';
import { visibleRoom } from '../orders/rooms.ts';
import * as connections from './connections-repository.ts';
import { sendToConnections } from './fanout.ts';
import { HISTORY_PAGE, HTTP_PAGE_BYTES, RESUME_PAGE, WS_MESSAGE_BYTES, roomFor, type ChatMessage } from './message.ts';
import * as messages from './messages-repository.ts';
import * as tickets from './tickets-repository.ts';

// Monotonic: two messages in the same millisecond still sort in the order they were written.
const messageId = monotonicFactory();
export const TICKET_SECONDS = 60;

const cursorOf = (page: { items: ChatMessage[]; hasMore: boolean }) =>
  page.hasMore ? (page.items[0]?.id ?? null) : null;
/** The longest cursor a page can carry (a message id), for sizing a page's envelope. */
const LONGEST_CURSOR = '0'.repeat(26);

export async function getRoom(caller: Caller, roomId: string) {
  const room = await visibleRoom(caller, roomId);
  const envelope = { ...room, messages: [], nextCursor: LONGEST_CURSOR };
  const page = await messages.messagePage(roomId, {}, HISTORY_PAGE, roomFor(envelope, HTTP_PAGE_BYTES));
  return { ...room, messages: page.items, nextCursor: cursorOf(page) };
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
  const [{ isOpen, summary, closedAt }, joined] = await Promise.all([
    visibleRoom(caller, roomId),
    connections.roomsOfConnection(connection.connectionId),
  ]);
  if (!joined.includes(roomId) && joined.length >= MAX_ROOMS_PER_CONNECTION) {
    throw new ConflictError(`This connection is in ${joined.length} rooms: leave one before joining another.`);
  }
  // A leaveRoom received after this frame may have run already: then it stands, and this answer is moot.
  await connections.joinRoom({ ...connection, userId: caller.id, role: caller.role }, roomId, receivedAt);
  const frame = { type: 'chatHistory' as const, roomId, room: { isOpen, summary, closedAt } };
  // The answer is one WebSocket message: the page is cut to what fits in API Gateway's 128 KB.
  const room = roomFor({ ...frame, messages: [], nextCursor: LONGEST_CURSOR }, WS_MESSAGE_BYTES);
  const page = after
    ? await messages.messagePage(roomId, { after }, RESUME_PAGE, room)
    : await messages.messagePage(roomId, {}, HISTORY_PAGE, room);
  const nextCursor = after ? (page.hasMore ? (page.items.at(-1)?.id ?? null) : null) : cursorOf(page);
  return { ...frame, messages: page.items, nextCursor };
}

export async function leave(connectionId: string, roomId: string, receivedAt: number) {
  // A joinRoom received after this frame may have run already: then it stands.
  await connections.leaveRoom(connectionId, roomId, receivedAt);
  return { type: 'leftRoom' as const, roomId };
}

/**
 * Storing and acknowledging take at most this long (two bounded DynamoDB attempts,
 * then one bounded PostToConnection): with less time left the message is refused
 * with a 503 before it is stored, never stored and then cut off unacknowledged.
 */
export const STORE_AND_ACK_MS = 7000;

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
  input: { roomId: string; content: string; clientMessageId?: string | undefined },
  remainingMs: number,
) {
  const room = await visibleRoom(caller, input.roomId);
  if (!room.isOpen) throw new ConflictError('Chat room is closed');
  if (remainingMs < STORE_AND_ACK_MS) throw new ServiceUnavailableError('The chat is busy: send the message again.');
  const message: ChatMessage = {
    id: messageId(),
    roomId: input.roomId,
    content: input.content,
    createdAt: new Date().toISOString(),
    clientMessageId: input.clientMessageId ?? null,
    sender: { id: caller.id, name: caller.name, role: caller.role },
  };
  const outcome = await messages.saveMessage(message);
  if (!outcome.saved && outcome.reason === 'closed') throw new ConflictError('Chat room is closed');
  if (!outcome.saved) {
    const original = await messages.findByClientMessageId(input.roomId, caller.id, input.clientMessageId!);
    return { type: 'newMessage', roomId: input.roomId, message: original ?? message };
  }
  const frame = { type: 'newMessage', roomId: input.roomId, message };
  // Acknowledged before the fan-out (not as the route response), so the sender never waits for the room.
  await sendToConnections([connectionId], [frame]);
  try {
    const others = (await connections.roomMembers(input.roomId)).filter((id) => id !== connectionId);
    await sendToConnections(others, [frame]);
  } catch (error) {
    // Stored and acknowledged: the others catch up with joinRoom `after` when they next resume.
    logger.warn('Fan-out of a stored message failed', { roomId: input.roomId, error: (error as Error).name });
  }
  return undefined;
}
