import { DELETE_users_id_totp } from '../../generated/routes.ts';
import { httpHandler } from '../../shared/http.ts';
import { removeTwoFactor } from '../../users/service.ts';

export const handler = httpHandler(DELETE_users_id_totp, async ({ caller, params }) => ({
  status: 200,
  body: await removeTwoFactor(caller, params.id),
}));
