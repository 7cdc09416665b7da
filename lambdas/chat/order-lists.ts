/**
 * Lists that stay current: a connection that watches orders hears `orderListChanged` when an order
 * it may list is placed or changes. Watching is a membership of a channel, kept like a room's (the
 * same items, the same end with the connection or its session): admins watch every order, a
 * customer their own. The frame says which order and what happened; a client reads its list again
 * with its own filters (a change can move an order into or out of any of them).
 */
import type { Caller } from '../shared/caller.ts';
import { logger } from '../shared/logger.ts';
import * as connections from './connections-repository.ts';
import { sendToConnections } from './fanout.ts';

const ALL_ORDERS = 'LIST#ALL';
const ownOrders = (userId: string) => `LIST#USER#${userId}`;

/** The channel a caller's list is on: what their role lets them list. */
const channelOf = (caller: Caller) => (caller.role === 'ADMIN' ? ALL_ORDERS : ownOrders(caller.id));

/** Whether a membership is a list channel's, not a chat room's (presence is for rooms). */
export const isListChannel = (roomId: string) => roomId.startsWith('LIST#');

export type OrderListChange = 'placed' | 'edited' | 'status' | 'assigned' | 'cancelled' | 'closed';

export async function watchOrders(
  caller: Caller,
  connection: { connectionId: string; sessionExpiresAt: number },
  receivedAt: number,
) {
  await connections.joinRoom(
    { ...connection, userId: caller.id, name: caller.name, role: caller.role },
    channelOf(caller),
    receivedAt,
  );
  return { type: 'watchingOrders' as const, watching: true, scope: caller.role === 'ADMIN' ? 'all' : 'own' };
}

export async function unwatchOrders(caller: Caller, connectionId: string, receivedAt: number) {
  await connections.leaveRoom(connectionId, channelOf(caller), receivedAt);
  return { type: 'watchingOrders' as const, watching: false, scope: caller.role === 'ADMIN' ? 'all' : 'own' };
}

/**
 * Tells the order's customer's watching connections and every watching admin. Best-effort, after
 * the change is stored: a failure is logged, never reported as the change's.
 */
export async function tellOrderLists(
  order: { id: string; userId: string; status: string },
  change: OrderListChange,
): Promise<void> {
  try {
    const [admins, customer] = await Promise.all([
      connections.roomMembers(ALL_ORDERS),
      connections.roomMembers(ownOrders(order.userId)),
    ]);
    const frame = {
      type: 'orderListChanged',
      orderId: order.id,
      change,
      status: order.status,
      at: new Date().toISOString(),
    };
    await sendToConnections([...admins, ...customer], [frame]);
  } catch (error) {
    logger.warn('Telling order lists of a change failed', { orderId: order.id, error: (error as Error).name });
  }
}
