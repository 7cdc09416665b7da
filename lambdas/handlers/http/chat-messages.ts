import { GET_chat_rooms_roomId_messages } from '../../generated/routes.ts';
import { olderMessages } from '../../chat/service.ts';
import { httpHandler } from '../../shared/http.ts';

export const handler = httpHandler(GET_chat_rooms_roomId_messages, async ({ caller, params, query }) => ({
  status: 200,
  body: await olderMessages(caller, params.roomId, query.before, query.limit),
}));
