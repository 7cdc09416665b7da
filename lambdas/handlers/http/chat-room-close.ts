import { closeRoom } from '../../chat/service.ts';
import { httpHandler } from '../../shared/http.ts';

export const handler = httpHandler('POST /chat/rooms/{roomId}/close', async ({ caller, params, body }) => ({
  status: 200,
  body: await closeRoom(caller, params.roomId, body.summary),
}));
