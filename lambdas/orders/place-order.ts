/**
 * Placing an order: the order and its CREATED event in one transaction; with an Idempotency-Key
 * (customers), a retry within 24 h answers the first result (idempotency.ts). A module of its own
 * so the idempotency layer is bundled into POST /orders's function only.
 */
import type { Context } from 'aws-lambda';
import { ulid } from 'ulid';
import type { Caller } from '../shared/caller.ts';
import { now } from './apply-change.ts';
import { idempotent } from './idempotency.ts';
import { authorOf, newOrder, toPublicOrder, type OrderEvent, type OrderFields } from './order.ts';
import * as orders from './repository.ts';
import type { PublicOrder } from './service.ts';

async function create(caller: Caller, fields: OrderFields): Promise<PublicOrder> {
  const timestamp = now();
  const order = newOrder(ulid(), caller, fields, timestamp);
  const created: OrderEvent = {
    version: 1,
    type: 'CREATED',
    at: timestamp,
    by: authorOf(caller),
    changes: Object.fromEntries(Object.entries(fields).map(([field, value]) => [field, { to: value }])),
  };
  await orders.saveOrder(order, created);
  return toPublicOrder(order);
}

const createOnce = idempotent<OrderFields, PublicOrder>(({ caller, payload }) => create(caller, payload));

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
  return createOnce({ caller, key: idempotencyKey, payload: fields }, context);
}
