/**
 * How every change to an existing order is written: read it once, check the caller and the
 * rules on what was read, and save the new version with its history event on the condition
 * that nobody wrote in between (repository.ts, saveChange: no transaction). Shared by the order
 * use cases and the room's (rooms.ts).
 */
import type { Caller } from '../shared/caller.ts';
import { ConflictError, PreconditionFailedError } from '../shared/errors.ts';
import { assertMayView, authorOf, placedEvent, type Order, type OrderEvent } from './order.ts';
import * as orders from './repository.ts';

export const now = () => new Date().toISOString();
// Optimistic concurrency without If-Match: re-read and re-apply a few times before giving up.
const MAX_ATTEMPTS = 3;

export interface ChangeOptions {
  /** The version the caller based the change on (If-Match): a mismatch is a 412 instead of a retry. */
  expectedVersion?: number | undefined;
  /** What a caller who may not see the order is told (it does not exist, for them). */
  notFound?: string;
  /** False: a rival write in between is a 409 at once (the change depends on what the caller saw). */
  retries?: boolean;
}

/**
 * Applies `change` to the current order and saves it with its event. With an expected version
 * a mismatch is a 412; without one a concurrent write is retried on fresh data, re-checking
 * every rule. `change` returning undefined means nothing changes (nothing is written).
 */
export async function applyChange(
  caller: Caller,
  id: string,
  options: ChangeOptions,
  change: (order: Order) => { next: Order; event: Omit<OrderEvent, 'version' | 'at' | 'by'> } | undefined,
): Promise<{ before: Order; after: Order }> {
  const { expectedVersion, notFound, retries = true } = options;
  for (let attempt = 1; ; attempt++) {
    const stored = await orders.getStoredOrder(id);
    const current = stored?.order;
    assertMayView(caller, current, notFound);
    if (expectedVersion !== undefined && current.version !== expectedVersion) {
      throw new PreconditionFailedError(`The order is at version ${current.version}, not ${expectedVersion}.`);
    }
    const changed = change(current);
    if (!changed) return { before: current, after: current };
    const timestamp = now();
    const next: Order = { ...changed.next, version: current.version + 1, updatedAt: timestamp };
    const event: OrderEvent = { ...changed.event, version: next.version, at: timestamp, by: authorOf(caller) };
    // The event that made the version read goes to the history first. Version 1's (CREATED) is
    // not stored when an order is placed: the order as read is still the order as placed, so the
    // first change stores it, and every page of the history reads stored events only.
    const lastEvent = stored!.lastEvent ?? (current.version === 1 ? placedEvent(current, []) : undefined);
    try {
      await orders.saveChange({ order: current, lastEvent }, next, event);
      return { before: current, after: next };
    } catch (error) {
      if (!(error instanceof orders.VersionConflict)) throw error;
      if (expectedVersion !== undefined) {
        throw new PreconditionFailedError('The order was changed by someone else; fetch it again.');
      }
      if (!retries || attempt >= MAX_ATTEMPTS)
        throw new ConflictError('The order is being changed by someone else; retry.');
    }
  }
}

export const statusChange = (before: Order, after: Order) =>
  ({
    type: 'orderStatusChanged',
    orderId: after.id,
    status: after.status,
    previousStatus: before.status,
    changedAt: after.updatedAt,
  }) as const;
