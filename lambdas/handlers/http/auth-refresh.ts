import { httpHandler } from '../../shared/http.ts';
import { refresh } from '../../users/service.ts';

export const handler = httpHandler('POST /auth/refresh', async ({ body }) => ({
  status: 200,
  body: await refresh(body.refreshToken),
}));
