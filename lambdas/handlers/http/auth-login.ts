import { POST_auth_login } from '../../generated/routes.ts';
import { publicHttpHandler } from '../../shared/http-public.ts';
import { login } from '../../users/service.ts';

export const handler = publicHttpHandler(POST_auth_login, async ({ body }) => {
  const answer = await login(body);
  // With two-factor on, the password only gets the challenge for a code.
  return { status: 'challenge' in answer ? 202 : 200, body: answer };
});
