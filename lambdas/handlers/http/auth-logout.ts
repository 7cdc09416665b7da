import { httpHandler } from '../../shared/http.ts';
import { logout } from '../../users/service.ts';

export const handler = httpHandler('POST /auth/logout', async ({ caller, session, body }) => {
  await logout(caller, session, body.refreshToken);
  return { status: 204 };
});
