import { GET_orders_id_history } from '../../generated/routes.ts';
import { orderHistory } from '../../orders/service.ts';
import { httpHandler } from '../../shared/http.ts';

export const handler = httpHandler(GET_orders_id_history, async ({ caller, params, query }) => ({
  status: 200,
  body: await orderHistory(caller, params.id, query),
}));
