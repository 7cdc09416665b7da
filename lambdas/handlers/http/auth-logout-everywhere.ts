import { httpHandler } from '../../shared/http.ts';
import { logoutEverywhere } from '../../users/service.ts';

export const handler = httpHandler('POST /auth/logout-everywhere', async ({ session }) => {
  await logoutEverywhere(session);
  return { status: 204 };
});
