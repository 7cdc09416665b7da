import { POST_auth_login_totp } from '../../generated/routes.ts';
import { publicHttpHandler } from '../../shared/http-public.ts';
import { loginWithTotp } from '../../users/service.ts';

export const handler = publicHttpHandler(POST_auth_login_totp, async ({ body }) => ({
  status: 200,
  body: await loginWithTotp(body),
}));
