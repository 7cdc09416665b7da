import { GET_orders_id } from '../../generated/routes.ts';
import { etagOf, getOrder } from '../../orders/service.ts';
import { httpHandler } from '../../shared/http.ts';

export const handler = httpHandler(GET_orders_id, async ({ caller, params }) => {
  const order = await getOrder(caller, params.id);
  return { status: 200, body: order, headers: { etag: etagOf(order) } };
});
