import { POST_users_me_email_confirm } from '../../generated/routes.ts';
import { httpHandler } from '../../shared/http.ts';
import { confirmEmailChange } from '../../users/service.ts';

export const handler = httpHandler(POST_users_me_email_confirm, async ({ caller, accessToken, body }) => ({
  status: 200,
  body: await confirmEmailChange(caller, accessToken, body.code),
}));
