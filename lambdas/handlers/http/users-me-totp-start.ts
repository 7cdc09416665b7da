import { POST_users_me_totp } from '../../generated/routes.ts';
import { httpHandler } from '../../shared/http.ts';
import { startTotpSetup } from '../../users/service.ts';

export const handler = httpHandler(POST_users_me_totp, async ({ caller, accessToken }) => ({
  status: 200,
  body: await startTotpSetup(caller, accessToken),
}));
