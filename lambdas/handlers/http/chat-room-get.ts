import { GET_chat_rooms_roomId } from '../../generated/routes.ts';
import { getRoom } from '../../chat/service.ts';
import { httpHandler } from '../../shared/http.ts';

export const handler = httpHandler(GET_chat_rooms_roomId, async ({ caller, params }) => ({
  status: 200,
  body: await getRoom(caller, params.roomId),
}));
