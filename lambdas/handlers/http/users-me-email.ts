import { POST_users_me_email } from '../../generated/routes.ts';
import { httpHandler } from '../../shared/http.ts';
import { changeEmail } from '../../users/service.ts';

export const handler = httpHandler(POST_users_me_email, async ({ caller, accessToken, body }) => ({
  status: 202,
  body: await changeEmail(caller, accessToken, body),
}));
