/**
 * Order use cases. Every change is written together with its history event,
 * conditional on the version it was based on, so no update is ever lost or
 * half-written.
 */
import type { Context } from 'aws-lambda';
import { ulid } from 'ulid';
import type { Caller } from '../shared/caller.ts';
import { decodeCursor, encodeCursor } from '../shared/cursor.ts';
import { ConflictError, ForbiddenError, PreconditionFailedError } from '../shared/errors.ts';
import { idempotent } from './idempotency.ts';
import {
  assertMayEdit,
  assertMayView,
  assertTransition,
  diff,
  newOrder,
  statusAfterRoomClose,
  toPublicOrder,
  type Order,
  type OrderEvent,
  type OrderFields,
  type OrderStatus,
} from './order.ts';
import * as orders from './repository.ts';

export type PublicOrder = ReturnType<typeof toPublicOrder>;

const now = () => new Date().toISOString();
// Optimistic concurrency without If-Match: re-read and re-apply a few times before giving up.
const MAX_ATTEMPTS = 3;

/** Something that tells connected clients; the chat module provides it, orders know nothing of sockets. */
export interface OrderNotifier {
  statusChanged(change: {
    orderId: string;
    status: OrderStatus;
    previousStatus: OrderStatus;
    changedAt: string;
  }): Promise<void>;
  roomClosed(change: { roomId: string; summary: string; closedAt: string; closedBy: string }): Promise<void>;
}

async function create(caller: Caller, fields: OrderFields): Promise<PublicOrder> {
  const timestamp = now();
  const order = newOrder(ulid(), caller, fields, timestamp);
  const created: OrderEvent = {
    version: 1,
    type: 'CREATED',
    at: timestamp,
    by: caller,
    changes: Object.fromEntries(Object.entries(fields).map(([field, value]) => [field, { to: value }])),
  };
  await orders.saveOrder(order, created);
  return toPublicOrder(order);
}

const createOnce = idempotent<OrderFields, PublicOrder>(({ userId, payload }) =>
  create({ id: userId, role: 'REGULAR' }, payload),
);

export async function placeOrder(
  caller: Caller,
  input: {
    description: string;
    specifications: OrderFields['specifications'];
    quantity: number;
    metadata?: OrderFields['metadata'];
  },
  idempotencyKey: string | undefined,
  context: Context,
): Promise<PublicOrder> {
  const fields: OrderFields = { ...input, metadata: input.metadata ?? {} };
  if (caller.role === 'ADMIN' || idempotencyKey === undefined) return create(caller, fields);
  return createOnce({ userId: caller.id, key: idempotencyKey, payload: fields }, context);
}

export async function getOrder(caller: Caller, id: string): Promise<PublicOrder> {
  const order = await orders.getOrder(id);
  assertMayView(caller, order);
  return toPublicOrder(order);
}

export async function listOrders(caller: Caller, query: { status?: OrderStatus; limit: number; cursor?: string }) {
  const scope: orders.OrderScope = {
    ...(caller.role === 'ADMIN' ? {} : { ownerId: caller.id }),
    ...(query.status ? { status: query.status } : {}),
  };
  // A cursor only works for the listing it came from: another user's or another filter's is a 400.
  const cursorScope = `orders:${orders.scopePartition(scope)}`;
  const page = await orders.listOrders(scope, query.limit, decodeCursor(query.cursor, cursorScope));
  return { items: page.items.map(toPublicOrder), nextCursor: encodeCursor(page.lastKey, cursorScope) };
}

/**
 * Applies `change` to the current order and saves it with its event. With an
 * expected version (If-Match) a mismatch is a 412; without one a concurrent
 * write is retried on fresh data, re-checking every rule.
 */
async function applyChange(
  caller: Caller,
  id: string,
  expectedVersion: number | undefined,
  change: (order: Order) => { next: Order; event: Omit<OrderEvent, 'version' | 'at' | 'by'> } | undefined,
): Promise<{ before: Order; after: Order }> {
  for (let attempt = 1; ; attempt++) {
    const current = await orders.getOrder(id);
    assertMayView(caller, current);
    if (expectedVersion !== undefined && current.version !== expectedVersion) {
      throw new PreconditionFailedError(`The order is at version ${current.version}, not ${expectedVersion}.`);
    }
    const changed = change(current);
    if (!changed) return { before: current, after: current };
    const timestamp = now();
    const next: Order = { ...changed.next, version: current.version + 1, updatedAt: timestamp };
    const event: OrderEvent = { ...changed.event, version: next.version, at: timestamp, by: caller };
    try {
      await orders.saveOrder(next, event, current.version);
      return { before: current, after: next };
    } catch (error) {
      if (!(error instanceof orders.VersionConflict)) throw error;
      if (expectedVersion !== undefined) {
        throw new PreconditionFailedError('The order was changed by someone else; fetch it again.');
      }
      if (attempt >= MAX_ATTEMPTS) throw new ConflictError('The order is being changed by someone else; retry.');
    }
  }
}

export async function updateOrder(
  caller: Caller,
  id: string,
  update: Partial<OrderFields>,
  expectedVersion: number | undefined,
): Promise<PublicOrder> {
  const { after } = await applyChange(caller, id, expectedVersion, (order) => {
    assertMayEdit(caller, order);
    const changes = diff(order, update);
    if (Object.keys(changes).length === 0) return undefined;
    return { next: { ...order, ...update } as Order, event: { type: 'UPDATED', changes } };
  });
  return toPublicOrder(after);
}

export async function changeStatus(
  caller: Caller,
  id: string,
  status: OrderStatus,
  notifier: OrderNotifier,
): Promise<PublicOrder> {
  const { before, after } = await applyChange(caller, id, undefined, (order) => {
    assertTransition(order, status);
    return {
      next: { ...order, status },
      event: { type: 'STATUS_CHANGED', changes: { status: { from: order.status, to: status } } },
    };
  });
  await notifier.statusChanged({ orderId: id, status, previousStatus: before.status, changedAt: after.updatedAt });
  return toPublicOrder(after);
}

/**
 * Closes the order's chat room with a summary; an order still in REVIEW moves
 * to PROCESSING in the same write. Connected members hear about both.
 */
export async function closeRoom(caller: Caller, roomId: string, summary: string, notifier: OrderNotifier) {
  if (caller.role !== 'ADMIN') throw new ForbiddenError('Only admins can close chat rooms');
  const { before, after } = await applyChange(caller, roomId, undefined, (order) => {
    if (!order.room.isOpen) throw new ConflictError('The chat room is already closed.');
    const status = statusAfterRoomClose(order);
    const closedAt = now();
    return {
      next: { ...order, status, room: { isOpen: false, summary, closedAt, closedBy: caller.id } },
      event: {
        type: 'ROOM_CLOSED',
        changes: {
          room: { from: { isOpen: true }, to: { isOpen: false, summary } },
          ...(status !== order.status ? { status: { from: order.status, to: status } } : {}),
        },
      },
    };
  });
  const room = after.room as { summary: string; closedAt: string; closedBy: string };
  await notifier.roomClosed({ roomId, summary: room.summary, closedAt: room.closedAt, closedBy: room.closedBy });
  if (after.status !== before.status) {
    await notifier.statusChanged({
      orderId: roomId,
      status: after.status,
      previousStatus: before.status,
      changedAt: after.updatedAt,
    });
  }
  return after;
}

export async function orderHistory(caller: Caller, id: string) {
  const order = await orders.getOrder(id);
  assertMayView(caller, order);
  return { items: await orders.orderHistory(id) };
}

/** `"3"`, `W/"3"` → 3; `*` (any version) → undefined. */
export function versionFromIfMatch(ifMatch: string | undefined): number | undefined {
  if (ifMatch === undefined || ifMatch === '*') return undefined;
  return Number(/"(\d+)"/.exec(ifMatch)?.[1]);
}

export const etagOf = (order: { version: number }) => `"${order.version}"`;
