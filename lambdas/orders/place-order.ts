/**
 * Placing an order: one conditional write (its CREATED event is the order itself); with an Idempotency-Key
 * (customers), a retry within 24 h answers the first result (idempotency.ts). A module of its own
 * so the idempotency layer is bundled into POST /orders's function only.
 */
import type { Context } from 'aws-lambda';
import { ulid } from 'ulid';
import type { Caller } from '../shared/caller.ts';
import { now } from './apply-change.ts';
import { idempotent } from './idempotency.ts';
import { newOrder, toPublicOrder, type OrderFields } from './order.ts';
import * as orders from './repository.ts';
import type { PublicOrder } from './service.ts';

async function create(caller: Caller, fields: OrderFields): Promise<PublicOrder> {
  const order = newOrder(ulid(), caller, fields, now());
  await orders.insertOrder(order);
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
