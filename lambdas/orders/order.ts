/** Orders as the business sees them: who may do what, and which status may follow which. No AWS types. */
import type { Caller, Role } from '../shared/caller.ts';
import { ConflictError, ForbiddenError, NotFoundError, UnprocessableError } from '../shared/errors.ts';

/** In the order they follow each other; CANCELLED ends an order that never completed. */
export const ORDER_STATUSES = ['REVIEW', 'PROCESSING', 'COMPLETED', 'CANCELLED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
/** The statuses an order moves through by PATCH /orders/{id}/status (a cancellation has a route of its own). */
export const FLOW_STATUSES = ['REVIEW', 'PROCESSING', 'COMPLETED'] as const;

/** Why and by whom an order was cancelled. */
export interface Cancellation {
  reason: string;
  at: string;
  by: string;
}
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface ChatRoomState {
  isOpen: boolean;
  summary: string | null;
  closedAt: string | null;
  closedBy: string | null;
}

export interface Order {
  id: string;
  userId: string;
  description: string;
  specifications: JsonObject;
  quantity: number;
  metadata: JsonObject;
  status: OrderStatus;
  version: number;
  createdAt: string;
  updatedAt: string;
  /** The order's chat room lives on the order: one item, one read, one atomic write. */
  room: ChatRoomState;
  /** Set when the order was cancelled (absent on every other order). */
  cancellation?: Cancellation;
  /** The admin handling it (absent: nobody yet). The name as it was when they were assigned. */
  assignee?: Assignee;
}

/** What an admin wrote on an order for the other admins: never shown to its customer. */
export interface OrderNote {
  /** Sortable by time (a ULID). */
  id: string;
  text: string;
  at: string;
  by: { id: string; name: string };
}

/** An order holds at most this many notes (a collection that grows is bounded). */
export const MAX_NOTES_PER_ORDER = 500;

/** An admin an order is assigned to. */
export interface Assignee {
  id: string;
  name: string;
}

/** An order as lists show it (the list indexes hold only this). */
export type OrderSummary = Pick<Order, 'id' | 'userId' | 'description' | 'quantity' | 'status' | 'createdAt'> & {
  roomOpen: boolean;
};

export interface OrderFields {
  description: string;
  specifications: JsonObject;
  quantity: number;
  metadata: JsonObject;
}

export const ORDER_EVENT_TYPES = [
  'CREATED',
  'UPDATED',
  'STATUS_CHANGED',
  'ROOM_CLOSED',
  'CANCELLED',
  'ASSIGNED',
] as const;
export type OrderEventType = (typeof ORDER_EVENT_TYPES)[number];

export interface OrderEvent {
  version: number;
  type: OrderEventType;
  at: string;
  /** Who made the change: an id and the role they acted with (names change; history keeps ids). */
  by: { id: string; role: Role };
  changes: Record<string, { from?: Json; to?: Json }>;
}

export const authorOf = (caller: Caller): OrderEvent['by'] => ({ id: caller.id, role: caller.role });

const NEXT_STATUS: Record<OrderStatus, OrderStatus | undefined> = {
  REVIEW: 'PROCESSING',
  PROCESSING: 'COMPLETED',
  COMPLETED: undefined,
  CANCELLED: undefined,
};

export function newOrder(id: string, owner: Caller, fields: OrderFields, now: string): Order {
  if (owner.role === 'ADMIN') throw new ForbiddenError('Admins cannot place orders; sign in as a customer.');
  return {
    id,
    userId: owner.id,
    ...fields,
    status: 'REVIEW',
    version: 1,
    createdAt: now,
    updatedAt: now,
    room: { isOpen: true, summary: null, closedAt: null, closedBy: null },
  };
}

/** Owners see their orders and admins see all; to anyone else an order does not exist. */
export function assertMayView(
  caller: Caller,
  order: Order | undefined,
  notFound = 'Order not found.',
): asserts order is Order {
  if (!order || (caller.role !== 'ADMIN' && order.userId !== caller.id)) throw new NotFoundError(notFound);
}

export function assertMayEdit(caller: Caller, order: Order): void {
  if (caller.role === 'ADMIN') {
    if (order.status === 'COMPLETED' || order.status === 'CANCELLED') {
      throw new ConflictError(`${order.status === 'COMPLETED' ? 'Completed' : 'Cancelled'} orders cannot be changed.`);
    }
    return;
  }
  if (order.status !== 'REVIEW') {
    throw new ConflictError(`Orders can only be changed while in REVIEW; this one is ${order.status}.`);
  }
}

export function assertTransition(order: Order, next: OrderStatus): void {
  const allowed = NEXT_STATUS[order.status];
  if (next === allowed) return;
  throw new ConflictError(
    allowed
      ? `An order in ${order.status} can only move to ${allowed}, not ${next}.`
      : `A ${order.status} order cannot change status.`,
  );
}

/** What would change, field by field; empty when the update changes nothing. */
export function diff(order: Order, update: Partial<OrderFields>): OrderEvent['changes'] {
  const changes: OrderEvent['changes'] = {};
  for (const [field, value] of Object.entries(update) as [keyof OrderFields, Json][]) {
    if (value === undefined) continue;
    if (JSON.stringify(order[field]) !== JSON.stringify(value)) changes[field] = { from: order[field], to: value };
  }
  return changes;
}

/**
 * A customer cancels their own order while it is in REVIEW; an admin any order in REVIEW or
 * PROCESSING. A completed or cancelled order stays as it is.
 */
export function assertMayCancel(caller: Caller, order: Order): void {
  const cancellable: readonly OrderStatus[] = caller.role === 'ADMIN' ? ['REVIEW', 'PROCESSING'] : ['REVIEW'];
  if (cancellable.includes(order.status)) return;
  throw new ConflictError(
    order.status === 'CANCELLED'
      ? 'This order is cancelled already.'
      : caller.role === 'ADMIN'
        ? `A ${order.status} order cannot be cancelled.`
        : `Orders can only be cancelled while in REVIEW; this one is ${order.status}: ask in its chat.`,
  );
}

/**
 * Admins assign orders to admins (themselves or another), and only to an admin whose account is
 * live now: `candidate` is the assignee's profile as read for this request.
 */
export function assertMayAssignTo(
  candidate: { id: string; role: Role; deleted: boolean } | undefined,
): asserts candidate is { id: string; role: Role; deleted: boolean } {
  if (!candidate || candidate.deleted || candidate.role !== 'ADMIN') {
    throw new UnprocessableError('Orders can only be assigned to an admin.');
  }
}

/**
 * The order handed to `to` (undefined: nobody) with its ASSIGNED event — who handled it before and
 * who does now — or undefined when it is already theirs.
 */
export function reassignment(order: Order, to: Assignee | undefined) {
  if ((order.assignee?.id ?? null) === (to?.id ?? null)) return undefined;
  const { assignee: from, ...rest } = order;
  const changes: OrderEvent['changes'] = {
    assignee: { from: from ? { ...from } : null, to: to ? { ...to } : null },
  };
  return { next: to ? { ...rest, assignee: to } : rest, event: { type: 'ASSIGNED' as const, changes } };
}

/** Only admins close a chat room (it ends the conversation and may move the order on). */
export function assertMayCloseRoom(caller: Caller): void {
  if (caller.role !== 'ADMIN') throw new ForbiddenError('Only admins can close chat rooms');
}

/** What happened to an order that the people in its chat room hear about, as they hear it. */
export type OrderChange =
  | { type: 'orderStatusChanged'; orderId: string; status: OrderStatus; previousStatus: OrderStatus; changedAt: string }
  | { type: 'roomClosed'; roomId: string; summary: string; closedAt: string; closedBy: string };

/** Tells connected clients about changes; the chat module provides it, orders know nothing of sockets. */
export interface OrderNotifier {
  /** The changes of one write of one order, in the order they happened. */
  notify(orderId: string, changes: readonly OrderChange[]): Promise<void>;
}

/** Closing the chat room moves an order still in REVIEW to PROCESSING; later statuses stay. */
export function statusAfterRoomClose(order: Order): OrderStatus {
  return order.status === 'REVIEW' ? 'PROCESSING' : order.status;
}

/**
 * The CREATED event, which is not stored: who placed the order and when are on the order, and
 * what it was placed with is today's fields with every later edit undone, newest first.
 */
export function placedEvent(order: Order, laterEvents: readonly OrderEvent[]): OrderEvent {
  const placed: Record<string, Json> = {
    description: order.description,
    specifications: order.specifications,
    quantity: order.quantity,
    metadata: order.metadata,
  };
  for (const event of [...laterEvents].reverse()) {
    if (event.type !== 'UPDATED') continue;
    for (const [field, change] of Object.entries(event.changes)) {
      if (field in placed && change.from !== undefined) placed[field] = change.from;
    }
  }
  return {
    version: 1,
    type: 'CREATED',
    at: order.createdAt,
    // Only customers place orders (newOrder).
    by: { id: order.userId, role: 'REGULAR' },
    changes: Object.fromEntries(Object.entries(placed).map(([field, value]) => [field, { to: value }])),
  };
}

export const toPublicSummary = ({ roomOpen, ...fields }: OrderSummary) => ({
  ...fields,
  chatRoom: { id: fields.id, isOpen: roomOpen },
});

export function toPublicOrder(order: Order) {
  const { room, cancellation, assignee, ...fields } = order;
  return {
    ...fields,
    chatRoom: { id: order.id, isOpen: room.isOpen },
    cancellation: cancellation ?? null,
    assignee: assignee ?? null,
  };
}
