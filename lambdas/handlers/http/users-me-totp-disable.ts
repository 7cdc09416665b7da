import { DELETE_users_me_totp } from '../../generated/routes.ts';
import { httpHandler } from '../../shared/http.ts';
import { disableTotp } from '../../users/service.ts';

export const handler = httpHandler(DELETE_users_me_totp, async ({ caller, body }) => ({
  status: 200,
  body: await disableTotp(caller, body),
}));
