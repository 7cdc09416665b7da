import { POST_chat_rooms_roomId_close } from '../../generated/routes.ts';
import { roomNotifier } from '../../chat/order-notifier.ts';
import { closeRoom } from '../../orders/rooms.ts';
import { httpHandler } from '../../shared/http.ts';

export const handler = httpHandler(POST_chat_rooms_roomId_close, async ({ caller, params, body }) => ({
  status: 200,
  body: await closeRoom(caller, params.roomId, body.summary, roomNotifier),
}));
