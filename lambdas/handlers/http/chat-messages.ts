import { olderMessages } from '../../chat/service.ts';
import { httpHandler } from '../../shared/http.ts';

export const handler = httpHandler('GET /chat/rooms/{roomId}/messages', async ({ caller, params, query }) => ({
  status: 200,
  body: await olderMessages(caller, params.roomId, query.before, query.limit),
}));
