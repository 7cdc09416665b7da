import { ws_unwatchOrders } from '../../generated/routes.ts';
import { unwatchOrders } from '../../chat/order-lists.ts';
import { wsHandler } from '../../shared/ws.ts';

export const handler = wsHandler(ws_unwatchOrders, ({ caller, connectionId, receivedAt }) =>
  unwatchOrders(caller, connectionId, receivedAt),
);
