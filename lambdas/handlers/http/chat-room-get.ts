import { getRoom } from '../../chat/service.ts';
import { httpHandler } from '../../shared/http.ts';

export const handler = httpHandler('GET /chat/rooms/{roomId}', async ({ caller, params }) => ({
  status: 200,
  body: await getRoom(caller, params.roomId),
}));
