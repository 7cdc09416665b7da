import { httpHandler } from '../../shared/http.ts';
import { logout } from '../../users/service.ts';

export const handler = httpHandler('POST /auth/logout', async ({ session, body }) => {
  await logout(session, body.refreshToken);
  return { status: 204 };
});
