import { ws_watchOrders } from '../../generated/routes.ts';
import { watchOrders } from '../../chat/order-lists.ts';
import { wsHandler } from '../../shared/ws.ts';

export const handler = wsHandler(ws_watchOrders, ({ caller, session, connectionId, receivedAt }) =>
  watchOrders(caller, { connectionId, sessionExpiresAt: session.expiresAt }, receivedAt),
);
