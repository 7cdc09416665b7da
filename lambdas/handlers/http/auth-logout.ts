import { POST_auth_logout } from '../../generated/routes.ts';
import { httpHandler } from '../../shared/http.ts';
import { logout } from '../../users/service.ts';

export const handler = httpHandler(POST_auth_logout, async ({ caller, session, body }) => {
  await logout(caller, session, body.refreshToken);
  return { status: 204 };
});
