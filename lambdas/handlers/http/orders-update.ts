import { PATCH_orders_id } from '../../generated/routes.ts';
import { tellOrderLists } from '../../chat/order-lists.ts';
import { etagOf, updateOrder, versionFromIfMatch } from '../../orders/service.ts';
import { httpHandler } from '../../shared/http.ts';

export const handler = httpHandler(PATCH_orders_id, async ({ caller, params, body, declaredHeaders }) => {
  const order = await updateOrder(caller, params.id, body, versionFromIfMatch(declaredHeaders['if-match']));
  await tellOrderLists(order, 'edited');
  return { status: 200, body: order, headers: { etag: etagOf(order) } };
});
