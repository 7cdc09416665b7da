import { httpHandler } from '../../shared/http.ts';
import { getUser } from '../../users/service.ts';

export const handler = httpHandler('GET /users/{id}', async ({ params }) => ({
  status: 200,
  body: await getUser(params.id),
}));
