import { httpHandler } from '../../shared/http.ts';
import { logout } from '../../users/service.ts';

export const handler = httpHandler('POST /auth/logout', async ({ body }) => {
  await logout(body.refreshToken);
  return { status: 204 };
});
