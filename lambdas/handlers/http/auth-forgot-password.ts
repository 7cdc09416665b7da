import { POST_auth_forgot_password } from '../../generated/routes.ts';
import { publicHttpHandler } from '../../shared/http-public.ts';
import { forgotPassword } from '../../users/service.ts';

export const handler = publicHttpHandler(POST_auth_forgot_password, async ({ body }) => {
  await forgotPassword(body);
  return { status: 202 };
});
