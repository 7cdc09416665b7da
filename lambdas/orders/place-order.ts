/**
 * Placing an order: one conditional write (its CREATED event is the order itself). With an
 * Idempotency-Key (customers), the key is claimed for the order first (idempotency.ts), and a
 * retry within 24 h answers with the order the key was first used for, as it is now.
 */
import { ulid } from 'ulid';
import type { Caller } from '../shared/caller.ts';
import { UnprocessableError } from '../shared/errors.ts';
import { now } from './apply-change.ts';
import { claimKey, digestOf } from './idempotency.ts';
import { newOrder, toPublicOrder, type Order, type OrderFields } from './order.ts';
import * as orders from './repository.ts';
import type { PublicOrder } from './service.ts';
import { notifyLater } from '../notifications/schedule.ts';

/** The order a retry names, as stored; written now if the request that claimed the key died before writing it. */
async function orderOfRetry(order: Order): Promise<Order> {
  const stored = await orders.getOrder(order.id);
  if (stored) return stored;
  try {
    await orders.insertOrder(order);
    return order;
  } catch (error) {
    // The request that claimed the key wrote it a moment ago.
    if (!(error instanceof orders.VersionConflict)) throw error;
    return (await orders.getOrder(order.id)) ?? order;
  }
}

export async function placeOrder(
  caller: Caller,
  input: {
    description: string;
    specifications: OrderFields['specifications'];
    quantity: number;
    metadata?: OrderFields['metadata'];
  },
  idempotencyKey: string | undefined,
): Promise<PublicOrder> {
  const fields: OrderFields = { ...input, metadata: input.metadata ?? {} };
  const order = newOrder(ulid(), caller, fields, now());
  if (idempotencyKey !== undefined) {
    const requestDigest = digestOf(fields);
    const first = await claimKey(caller.id, idempotencyKey, {
      orderId: order.id,
      createdAt: order.createdAt,
      requestDigest,
    });
    if (first) {
      if (first.requestDigest !== requestDigest) {
        throw new UnprocessableError('This Idempotency-Key was already used with a different request body.');
      }
      return toPublicOrder(await orderOfRetry(newOrder(first.orderId, caller, fields, first.createdAt)));
    }
  }
  try {
    await orders.insertOrder(order);
  } catch (error) {
    // A racer with the same key read our claim before this write and wrote the claimed order itself
    // (orderOfRetry, as for a first request that died): it is this order, stored once.
    if (idempotencyKey !== undefined && error instanceof orders.VersionConflict) {
      return toPublicOrder(await orderOfRetry(order));
    }
    throw error;
  }
  // The admins hear of it by e-mail (those who want to) unless one of them picks it up first.
  await notifyLater(order.id, 'admins', ['newOrder']);
  return toPublicOrder(order);
}
