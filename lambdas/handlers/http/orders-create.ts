import { POST_orders } from '../../generated/routes.ts';
import { tellOrderLists } from '../../chat/order-lists.ts';
import { placeOrder } from '../../orders/place-order.ts';
import { etagOf } from '../../orders/service.ts';
import { httpHandler } from '../../shared/http.ts';

export const handler = httpHandler(POST_orders, async ({ caller, body, declaredHeaders }) => {
  const order = await placeOrder(caller, body, declaredHeaders['idempotency-key']);
  await tellOrderLists(order, 'placed');
  return { status: 201, body: order, headers: { location: `/orders/${order.id}`, etag: etagOf(order) } };
});
