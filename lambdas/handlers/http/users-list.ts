import { httpHandler } from '../../shared/http.ts';
import { listUsers } from '../../users/service.ts';

export const handler = httpHandler('GET /users', async ({ query }) => ({
  status: 200,
  body: await listUsers(query.limit, query.cursor),
}));
