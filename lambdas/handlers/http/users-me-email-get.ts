import { GET_users_me_email } from '../../generated/routes.ts';
import { httpHandler } from '../../shared/http.ts';
import { emailStatus } from '../../users/service.ts';

export const handler = httpHandler(GET_users_me_email, async ({ caller }) => ({
  status: 200,
  body: await emailStatus(caller),
}));
