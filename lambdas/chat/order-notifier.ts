// Secondary adapter: order events reach the order's chat room as WebSocket frames.
import type { OrderNotifier } from '../orders/service.ts';
import { broadcastToRoom } from './fanout.ts';

export const roomNotifier: OrderNotifier = {
  async statusChanged(change) {
    // The room id is the order id.
    await broadcastToRoom(change.orderId, { type: 'orderStatusChanged', ...change });
  },
  async roomClosed(change) {
    await broadcastToRoom(change.roomId, { type: 'roomClosed', ...change });
  },
};
