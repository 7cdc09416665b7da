// Secondary adapter: an order's changes reach its chat room's members as WebSocket frames.
import type { OrderNotifier } from '../orders/rooms.ts';
import { stopWaiting } from './conversation-repository.ts';
import { tellConversationMoved } from './service.ts';
import { broadcastToRoom } from './fanout.ts';
import { logger } from '../shared/logger.ts';
import { notifyLater } from '../notifications/schedule.ts';

export const roomNotifier: OrderNotifier = {
  async notify(orderId, changes) {
    // A closed room waits for no answer: it leaves the admins' inbox. The close is stored already,
    // so a failure here is logged, never reported as the close's.
    if (changes.some((change) => change.type === 'roomClosed')) {
      const stopped = await stopWaiting(orderId).catch((error: unknown) => {
        logger.error('A closed room stayed in the inbox', { roomId: orderId, error: (error as Error).name });
        return false;
      });
      // The admins' inbox lost it (the customer, who wrote last, has nothing new to read).
      if (stopped) await tellConversationMoved(orderId, null, { admins: true });
    }
    // The customer hears of it by e-mail if they are away and don't see it first (one write for all of it).
    await notifyLater(
      orderId,
      'customer',
      changes.map((change) => (change.type === 'roomClosed' ? 'closed' : 'status')),
    );
    // The room id is the order id; each change is the frame members receive.
    await broadcastToRoom(orderId, changes);
  },
};
