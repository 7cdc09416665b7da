import { PATCH_orders_id_status } from '../../generated/routes.ts';
import { tellOrderLists } from '../../chat/order-lists.ts';
import { roomNotifier } from '../../chat/order-notifier.ts';
import { changeStatus, etagOf } from '../../orders/service.ts';
import { httpHandler } from '../../shared/http.ts';

export const handler = httpHandler(PATCH_orders_id_status, async ({ caller, params, body }) => {
  const order = await changeStatus(caller, params.id, body.status, roomNotifier);
  await tellOrderLists(order, 'status');
  return { status: 200, body: order, headers: { etag: etagOf(order) } };
});
