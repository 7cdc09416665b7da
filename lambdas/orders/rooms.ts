/**
 * Orders' service API for the chat: an order's room lives on the order (one item, one read,
 * one atomic write when closing it changes the status too), so its state is read and closed
 * here. The chat module owns messages, memberships and fan-out, and asks only this module.
 */
import type { Caller } from '../shared/caller.ts';
import { ConflictError } from '../shared/errors.ts';
import { applyChange, now, statusChange } from './apply-change.ts';
import {
  type Assignee,
  assertMayCloseRoom,
  assertMayView,
  statusAfterRoomClose,
  toPublicOrder,
  type OrderChange,
  type Order,
  type OrderNotifier,
} from './order.ts';
import * as orders from './repository.ts';
import type { Lookup } from '../shared/dynamo-client.ts';

export type { OrderNotifier } from './order.ts';
/** For a write of another module: a transaction item that holds only while the order's room is open. */
export { roomOpenCondition } from './repository.ts';

const ROOM_NOT_FOUND = 'Chat room not found.';

export interface ChatRoom {
  id: string;
  orderId: string;
  isOpen: boolean;
  summary: string | null;
  closedAt: string | null;
  closedBy: string | null;
}

const roomOf = (order: Order): ChatRoom => ({ id: order.id, orderId: order.id, ...order.room });

/** An order as it is now, for a module acting for nobody in particular (the e-mail dispatcher). */
export async function orderOf(id: string): Promise<Order | undefined> {
  return orders.getOrder(id);
}

/** The room of an order the caller may see (its owner or an admin); to anyone else it does not exist. */
export async function visibleRoom(caller: Caller, roomId: string): Promise<ChatRoom> {
  return (await visibleRoomWithCustomer(caller, roomId)).room;
}

/** As visibleRoom, with the order's customer (its owner): one side of the room's conversation. */
export async function visibleRoomWithCustomer(
  caller: Caller,
  roomId: string,
): Promise<{ room: ChatRoom; customerId: string; assigneeId: string | null }> {
  const order = await orders.getOrder(roomId);
  assertMayView(caller, order, ROOM_NOT_FOUND);
  return { room: roomOf(order), customerId: order.userId, assigneeId: order.assignee?.id ?? null };
}

/**
 * Closes the order's chat room with a summary; an order still in REVIEW moves to PROCESSING in
 * the same write. The room's members hear both changes, from one read of who is in it.
 */
export async function closeRoom(caller: Caller, roomId: string, summary: string, notifier: OrderNotifier) {
  assertMayCloseRoom(caller);
  const { before, after } = await applyChange(caller, roomId, { notFound: ROOM_NOT_FOUND }, (order) => {
    if (!order.room.isOpen) throw new ConflictError('The chat room is already closed.');
    const status = statusAfterRoomClose(order);
    return {
      next: { ...order, status, room: { isOpen: false, summary, closedAt: now(), closedBy: caller.id } },
      event: {
        type: 'ROOM_CLOSED',
        changes: {
          room: { from: { isOpen: true }, to: { isOpen: false, summary } },
          ...(status !== order.status ? { status: { from: order.status, to: status } } : {}),
        },
      },
    };
  });
  const closedAt = after.room.closedAt!;
  const changes: OrderChange[] = [{ type: 'roomClosed', roomId, summary, closedAt, closedBy: caller.id }];
  if (after.status !== before.status) changes.push(statusChange(before, after));
  await notifier.notify(roomId, changes);
  return { room: roomOf(after), order: toPublicOrder(after) };
}

/** Who handles each room's order (null: nobody), for a BatchGetItem chat shares (the room id is the order id). */
export function roomAssigneesLookup(roomIds: readonly string[]): Lookup<Map<string, Assignee | null>> {
  const lookup = orders.ordersLookup(roomIds);
  return {
    ...lookup,
    read: (found) => {
      const byId = lookup.read(found);
      return new Map(roomIds.map((roomId) => [roomId, byId.get(roomId)?.assignee ?? null]));
    },
  };
}
