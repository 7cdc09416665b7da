import { orderHistory } from '../../orders/service.ts';
import { httpHandler } from '../../shared/http.ts';

export const handler = httpHandler('GET /orders/{id}/history', async ({ caller, params }) => ({
  status: 200,
  body: await orderHistory(caller, params.id),
}));
