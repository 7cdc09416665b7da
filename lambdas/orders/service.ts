/**
 * Order use cases. Every change is written together with its history event,
 * conditional on the version it was based on, so no update is ever lost or
 * half-written. Placing an order lives in place-order.ts: its idempotency layer
 * belongs to POST /orders's bundle only.
 */
import type { Caller } from '../shared/caller.ts';
import { decodeCursor, encodeCursor } from '../shared/cursor.ts';
import { applyChange, now, statusChange } from './apply-change.ts';
import {
  assertMayCancel,
  assertMayEdit,
  assertMayView,
  assertTransition,
  diff,
  placedEvent,
  toPublicOrder,
  toPublicSummary,
  type Order,
  type OrderChange,
  type OrderEvent,
  type OrderFields,
  type OrderNotifier,
  type OrderStatus,
} from './order.ts';
import * as orders from './repository.ts';

export type PublicOrder = ReturnType<typeof toPublicOrder>;

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
  const page = await orders.listOrders(scope, query.limit, await decodeCursor(query.cursor, cursorScope));
  return { items: page.items.map(toPublicSummary), nextCursor: await encodeCursor(page.lastKey, cursorScope) };
}

/**
 * A page of the ids of the orders the caller placed (an admin's too: their own, not every
 * customer's), newest first, and the opaque key where the next page starts.
 */
export async function ownOrderIds(caller: Caller, limit: number, startKey: Record<string, unknown> | undefined) {
  const page = await orders.listOrders({ ownerId: caller.id }, limit, startKey);
  return { ids: page.items.map((summary) => summary.id), lastKey: page.lastKey };
}

export async function updateOrder(
  caller: Caller,
  id: string,
  update: Partial<OrderFields>,
  expectedVersion: number | undefined,
): Promise<PublicOrder> {
  const { after } = await applyChange(caller, id, { expectedVersion }, (order) => {
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
  const { before, after } = await applyChange(caller, id, {}, (order) => {
    assertTransition(order, status);
    return {
      next: { ...order, status },
      event: { type: 'STATUS_CHANGED', changes: { status: { from: order.status, to: status } } },
    };
  });
  await notifier.notify(id, [statusChange(before, after)]);
  return toPublicOrder(after);
}

/**
 * Cancels an order with a reason: it becomes CANCELLED (for good), and its room closes with the
 * reason as its summary (if still open), in the one write of the change. The room hears both.
 */
export async function cancelOrder(
  caller: Caller,
  id: string,
  reason: string,
  notifier: OrderNotifier,
): Promise<PublicOrder> {
  const { before, after } = await applyChange(caller, id, {}, (order) => {
    assertMayCancel(caller, order);
    const at = now();
    const closesRoom = order.room.isOpen;
    return {
      next: {
        ...order,
        status: 'CANCELLED',
        cancellation: { reason, at, by: caller.id },
        room: closesRoom ? { isOpen: false, summary: reason, closedAt: at, closedBy: caller.id } : order.room,
      },
      event: {
        type: 'CANCELLED',
        changes: {
          status: { from: order.status, to: 'CANCELLED' },
          reason: { to: reason },
          ...(closesRoom ? { room: { from: { isOpen: true }, to: { isOpen: false, summary: reason } } } : {}),
        },
      },
    };
  });
  const changes: OrderChange[] = [];
  if (before.room.isOpen) {
    changes.push({
      type: 'roomClosed',
      roomId: id,
      summary: reason,
      closedAt: after.room.closedAt!,
      closedBy: caller.id,
    });
  }
  changes.push(statusChange(before, after));
  await notifier.notify(id, changes);
  return toPublicOrder(after);
}

/** A history page: well under Lambda's 6 MB response limit, whatever the events hold (two 16 KB maps each). */
export const HISTORY_PAGE_BYTES = 1024 * 1024;
const eventBytes = (event: OrderEvent) => Buffer.byteLength(JSON.stringify(event)) + 1;

/**
 * A page of an order's history, oldest first within the page: the newest events, or those before
 * version `before`; `nextCursor` is the version to ask `before` for the page older than this one.
 */
export async function orderHistory(caller: Caller, id: string, query: { before?: number; limit: number }) {
  const { items, nextCursor } = await historyPageOf(caller, id, query);
  return { items, nextCursor };
}

/** As `orderHistory`, with the order the page was read with (the newest page reads it in the same Query). */
export async function historyPageOf(caller: Caller, id: string, query: { before?: number; limit: number }) {
  const { before, limit } = query;
  const page = await orders.historyPage(id, before, limit, HISTORY_PAGE_BYTES, eventBytes);
  // The newest page reads the order in the same Query; an older one reads it for the check.
  const order = before === undefined ? page.order : await orders.getOrder(id);
  assertMayView(caller, order);
  const events = page.events.reverse();
  const reachedTheStart = !page.hasMore && events[0]?.version !== 1 && (before === undefined || before > 1);
  if (reachedTheStart) {
    // Version 1 (CREATED) is stored by an order's first change: an order still at version 1 is as
    // it was placed. One changed before that rule has it rebuilt from every later event.
    const created =
      order.version === 1 ? placedEvent(order, []) : placedEvent(order, (await orders.orderWithHistory(id)).events);
    if (events.length < limit) events.unshift(created);
    else return { order: toPublicOrder(order), items: events, nextCursor: events[0]!.version };
  }
  return { order: toPublicOrder(order), items: events, nextCursor: page.hasMore ? events[0]!.version : null };
}

/** `"3"`, `W/"3"` → 3; `*` (any version) → undefined. */
export function versionFromIfMatch(ifMatch: string | undefined): number | undefined {
  if (ifMatch === undefined || ifMatch === '*') return undefined;
  return Number(/"(\d+)"/.exec(ifMatch)?.[1]);
}

export const etagOf = (order: { version: number }) => `"${order.version}"`;
