import { POST_orders_id_cancel } from '../../generated/routes.ts';
import { tellOrderLists } from '../../chat/order-lists.ts';
import { roomNotifier } from '../../chat/order-notifier.ts';
import { cancelOrder, etagOf } from '../../orders/service.ts';
import { httpHandler } from '../../shared/http.ts';

export const handler = httpHandler(POST_orders_id_cancel, async ({ caller, params, body }) => {
  const order = await cancelOrder(caller, params.id, body.reason, roomNotifier);
  await tellOrderLists(order, 'cancelled');
  return { status: 200, body: order, headers: { etag: etagOf(order) } };
});
