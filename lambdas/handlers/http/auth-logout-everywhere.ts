import { POST_auth_logout_everywhere } from '../../generated/routes.ts';
import { httpHandler } from '../../shared/http.ts';
import { logoutEverywhere } from '../../users/service.ts';

export const handler = httpHandler(POST_auth_logout_everywhere, async ({ session }) => {
  await logoutEverywhere(session);
  return { status: 204 };
});
