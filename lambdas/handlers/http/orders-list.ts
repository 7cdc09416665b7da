import { GET_orders } from '../../generated/routes.ts';
import { withUnread } from '../../chat/service.ts';
import { listOrders } from '../../orders/service.ts';
import { httpHandler } from '../../shared/http.ts';

export const handler = httpHandler(GET_orders, async ({ caller, query }) => ({
  status: 200,
  body: await withUnread(caller, await listOrders(caller, query)),
}));
