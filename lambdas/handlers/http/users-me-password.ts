import { POST_users_me_password } from '../../generated/routes.ts';
import { httpHandler } from '../../shared/http.ts';
import { changePassword } from '../../users/service.ts';

export const handler = httpHandler(POST_users_me_password, async ({ caller, body }) => ({
  status: 200,
  body: await changePassword(caller, body),
}));
