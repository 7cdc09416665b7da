import { ws_closeRoom } from '../../generated/routes.ts';
import { tellOrderLists } from '../../chat/order-lists.ts';
import { roomNotifier } from '../../chat/order-notifier.ts';
import { closeRoom } from '../../orders/rooms.ts';
import { wsHandler } from '../../shared/ws.ts';

// Members (the closer included) hear `roomClosed` through the room's fan-out.
export const handler = wsHandler(ws_closeRoom, async ({ caller, frame }) => {
  const closed = await closeRoom(caller, frame.roomId, frame.summary, roomNotifier);
  await tellOrderLists(closed.order, 'closed');
});
