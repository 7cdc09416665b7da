// Secondary adapter: an order's changes reach its chat room's members as WebSocket frames.
import type { OrderNotifier } from '../orders/rooms.ts';
import { broadcastToRoom } from './fanout.ts';

export const roomNotifier: OrderNotifier = {
  async notify(orderId, changes) {
    // The room id is the order id; each change is the frame members receive.
    await broadcastToRoom(orderId, changes);
  },
};
