/**
 * Order use cases. Every change is written together with its history event,
 * conditional on the version it was based on, so no update is ever lost or
 * half-written. Placing an order lives in place-order.ts: its idempotency layer
 * belongs to POST /orders's bundle only.
 */
import { ulid } from 'ulid';
import type { Caller } from '../shared/caller.ts';
import { decodeCursor, encodeCursor } from '../shared/cursor.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.ts';
import { applyChange, now, statusChange } from './apply-change.ts';
import {
  MAX_NOTES_PER_ORDER,
  assertMayAssignTo,
  assertMayCancel,
  reassignment,
  type Assignee,
  type OrderNote,
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
import { profilesLookup } from '../users/repository.ts';
import { batchLookup, type Lookup } from '../shared/dynamo-client.ts';
import { csvHeader, csvRow } from './csv.ts';

export type PublicOrder = ReturnType<typeof toPublicOrder>;

export async function getOrder(caller: Caller, id: string): Promise<PublicOrder> {
  const order = await orders.getOrder(id);
  assertMayView(caller, order);
  return toPublicOrder(order);
}

/** The filters of an order list, with a customer's address already resolved to their id (or to nobody: null). */
export interface OrderFilters {
  status?: OrderStatus | undefined;
  assignee?: string | undefined;
  customerId?: string | null | undefined;
  createdFrom?: string | undefined;
  createdTo?: string | undefined;
}

/**
 * The one index partition a list reads: a customer's own orders (by status and dates); an admin's
 * all orders, or one customer's, or one assignee's (`me`, `none`, an id), each by status, and by
 * dates (an assignee's by dates within one status: their sort key starts with it).
 */
export function scopeOf(caller: Caller, filters: OrderFilters): orders.OrderScope {
  const { status, assignee, customerId, createdFrom, createdTo } = filters;
  if (caller.role !== 'ADMIN' && (assignee !== undefined || customerId !== undefined)) {
    throw new ForbiddenError('Only admins filter orders by assignee or customer.');
  }
  if (assignee !== undefined && customerId !== undefined) {
    throw new ValidationError('Filter by assignee or by customer, not both.', [
      { path: 'assignee', message: 'Cannot be combined with a customer' },
    ]);
  }
  if (assignee !== undefined && !status && (createdFrom || createdTo)) {
    throw new ValidationError("An assignee's orders by date need a status too.", [
      { path: 'status', message: 'Required with assignee and dates' },
    ]);
  }
  if (createdFrom && createdTo && createdFrom.slice(0, createdTo.length) > createdTo) {
    throw new ValidationError('The range ends before it starts.', [
      { path: 'createdTo', message: 'Must not be before createdFrom' },
    ]);
  }
  return {
    ...(caller.role === 'ADMIN' ? {} : { ownerId: caller.id }),
    ...(customerId ? { ownerId: customerId } : {}),
    ...(assignee === undefined
      ? {}
      : { assigneeId: assignee === 'none' ? null : assignee === 'me' ? caller.id : assignee }),
    ...(status ? { status } : {}),
    ...(createdFrom ? { createdFrom } : {}),
    ...(createdTo ? { createdTo } : {}),
  };
}

export async function listOrders(caller: Caller, query: OrderFilters & { limit: number; cursor?: string | undefined }) {
  // An address nobody has: no orders (not an error: the admin learns the address is nobody's).
  if (query.customerId === null) return { items: [], nextCursor: null };
  const scope = scopeOf(caller, query);
  // A cursor only works for the listing it came from: another user's or another filter's is a 400.
  const cursorScope = `orders:${orders.scopePartition(scope)}`;
  const page = await orders.listOrders(scope, query.limit, await decodeCursor(query.cursor, cursorScope));
  return { items: page.items.map(toPublicSummary), nextCursor: await encodeCursor(page.lastKey, cursorScope) };
}

/**
 * Assigns an order to an admin (`assignee`: their account as read for this request, undefined if
 * there is none), or to nobody (null). Based on the order as read, or on `expectedVersion` (If-Match): a rival
 * change in between is a 409 (412 with If-Match) naming the current assignee, never a retry: two
 * admins assigning at once, one wins.
 */
export async function assignOrder(
  caller: Caller,
  id: string,
  assignee: (Assignee & { role: Caller['role']; deleted: boolean }) | undefined | null,
  expectedVersion: number | undefined,
): Promise<PublicOrder> {
  if (assignee !== null) assertMayAssignTo(assignee);
  const to = assignee ? { id: assignee.id, name: assignee.name } : undefined;
  try {
    const { after } = await applyChange(caller, id, { expectedVersion, retries: false }, (order) =>
      reassignment(order, to),
    );
    return toPublicOrder(after);
  } catch (error) {
    if (!(error instanceof ConflictError) || expectedVersion !== undefined) throw error;
    const current = await orders.getOrder(id);
    throw new ConflictError(
      `Someone else changed this order just now; it is assigned to ${current?.assignee?.name ?? 'nobody'}. Look again before assigning it.`,
    );
  }
}

/**
 * Every order assigned to `adminId` becomes unassigned (they were demoted or deleted): one Query
 * of their partition of the lookup index a page, and a change of each order, recorded as done
 * by `caller`. Safe to run again: an order assigned elsewhere meanwhile is left alone.
 */
export async function unassignAllOf(caller: Caller, adminId: string): Promise<Order[]> {
  const unassigned: Order[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await orders.listOrders({ assigneeId: adminId }, 100, startKey);
    for (const summary of page.items) {
      const { before, after } = await applyChange(caller, summary.id, {}, (order) =>
        order.assignee?.id === adminId ? reassignment(order, undefined) : undefined,
      );
      if (before !== after) unassigned.push(after);
    }
    startKey = page.lastKey;
  } while (startKey);
  return unassigned;
}

/** Admins' notes on an order: for admins only, never in anything its customer can read. */
export async function addNote(caller: Caller, orderId: string, text: string): Promise<OrderNote> {
  assertAdminNotes(caller);
  const note: OrderNote = { id: ulid(), text, at: now(), by: { id: caller.id, name: caller.name } };
  const refused = await orders.insertNote(orderId, note, MAX_NOTES_PER_ORDER);
  if (refused === 'noOrder') throw new NotFoundError('Order not found.');
  if (refused === 'full') {
    throw new ConflictError(`This order has ${MAX_NOTES_PER_ORDER} notes, as many as an order holds.`);
  }
  return note;
}

export async function listNotes(
  caller: Caller,
  orderId: string,
  query: { limit: number; cursor?: string | undefined },
) {
  assertAdminNotes(caller);
  const scope = `notes:${orderId}`;
  const [order, page] = await Promise.all([
    orders.getOrder(orderId),
    orders.notesPage(orderId, query.limit, await decodeCursor(query.cursor, scope)),
  ]);
  assertMayView(caller, order);
  return { items: page.items, nextCursor: await encodeCursor(page.lastKey, scope) };
}

function assertAdminNotes(caller: Caller) {
  if (caller.role !== 'ADMIN') throw new ForbiddenError('Notes are for admins.');
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

/**
 * What admins see on each row beyond the list index: who placed it (their profile now) and who
 * handles it (from the order). A lookup for the page's one BatchGetItem (chat's withUnread).
 */
export function staffDetailsLookup(items: readonly { id: string; userId: string }[]): Lookup<
  (item: { id: string; userId: string }) => {
    customer: { id: string; name: string; email: string } | null;
    assignee: Assignee | null;
  }
> {
  const customerIds = [...new Set(items.map((item) => item.userId))];
  const ordersOf = orders.ordersLookup(items.map((item) => item.id));
  const customersOf = profilesLookup(customerIds);
  return {
    tableName: ordersOf.tableName,
    keys: [...ordersOf.keys, ...customersOf.keys],
    read: (found) => {
      const byId = ordersOf.read(found);
      const customers = customersOf.read(found);
      return (item) => {
        const profile = customers.get(item.userId);
        return {
          customer: profile && !profile.deletedAt ? { id: profile.id, name: profile.name, email: profile.email } : null,
          assignee: byId.get(item.id)?.assignee ?? null,
        };
      };
    },
  };
}

/** One export request's orders: DynamoDB pages of list summaries add up to well under 6 MB of CSV. */
export const EXPORT_PAGE_ORDERS = 1000;

/**
 * One part of the CSV of an order list (admins), in list order: the header first, then up to
 * EXPORT_PAGE_ORDERS rows a request; `nextCursor` asks for the next part (null: that was all).
 * Parts joined in order are one file. A row is at most ~6 KB (a 1,000-character description,
 * each character quoted at worst), so a part stays under 6 MB.
 */
export async function exportOrders(caller: Caller, query: OrderFilters & { cursor?: string | undefined }) {
  if (caller.role !== 'ADMIN') throw new ForbiddenError('Only admins export orders.');
  const first = query.cursor === undefined;
  if (query.customerId === null) return { csv: first ? csvHeader() : '', nextCursor: null };
  const scope = scopeOf(caller, query);
  const cursorScope = `export:${orders.scopePartition(scope)}`;
  const page = await orders.listOrders(scope, EXPORT_PAGE_ORDERS, await decodeCursor(query.cursor, cursorScope));
  const [detailsOf] = await batchLookup([staffDetailsLookup(page.items)] as const);
  const rows = page.items.map((summary) => csvRow({ ...summary, ...detailsOf(summary) }));
  return {
    csv: (first ? csvHeader() : '') + rows.join(''),
    nextCursor: await encodeCursor(page.lastKey, cursorScope),
  };
}
