import { POST_auth_login } from '../../generated/routes.ts';
import { publicHttpHandler } from '../../shared/http-public.ts';
import { login } from '../../users/service.ts';

export const handler = publicHttpHandler(POST_auth_login, async ({ body }) => ({
  status: 200,
  body: await login(body),
}));
