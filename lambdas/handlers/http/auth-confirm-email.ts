import { POST_auth_confirm_email } from '../../generated/routes.ts';
import { publicHttpHandler } from '../../shared/http-public.ts';
import { confirmEmail } from '../../users/service.ts';

export const handler = publicHttpHandler(POST_auth_confirm_email, async ({ body }) => ({
  status: 200,
  body: await confirmEmail(body),
}));
