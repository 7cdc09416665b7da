import { PUT_users_me_totp } from '../../generated/routes.ts';
import { httpHandler } from '../../shared/http.ts';
import { enableTotp } from '../../users/service.ts';

export const handler = httpHandler(PUT_users_me_totp, async ({ caller, accessToken, body }) => ({
  status: 200,
  body: await enableTotp(caller, accessToken, body.code),
}));
