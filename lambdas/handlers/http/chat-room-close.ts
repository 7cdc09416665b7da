import { POST_chat_rooms_roomId_close } from '../../generated/routes.ts';
import { tellOrderLists } from '../../chat/order-lists.ts';
import { roomNotifier } from '../../chat/order-notifier.ts';
import { closeRoom } from '../../orders/rooms.ts';
import { httpHandler } from '../../shared/http.ts';

export const handler = httpHandler(POST_chat_rooms_roomId_close, async ({ caller, params, body }) => {
  const closed = await closeRoom(caller, params.roomId, body.summary, roomNotifier);
  await tellOrderLists(closed.order, 'closed');
  return { status: 200, body: closed };
});
