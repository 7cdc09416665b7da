import { POST_auth_reset_password } from '../../generated/routes.ts';
import { publicHttpHandler } from '../../shared/http-public.ts';
import { resetPassword } from '../../users/service.ts';

export const handler = publicHttpHandler(POST_auth_reset_password, async ({ body }) => {
  await resetPassword(body);
  return { status: 204 };
});
