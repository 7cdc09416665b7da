import { httpHandler } from '../../shared/http.ts';
import { register } from '../../users/service.ts';

export const handler = httpHandler('POST /auth/register', async ({ body }) => ({
  status: 201,
  body: { user: await register(body) },
}));
