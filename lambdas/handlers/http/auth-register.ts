import { POST_auth_register } from '../../generated/routes.ts';
import { publicHttpHandler } from '../../shared/http-public.ts';
import { register } from '../../users/service.ts';

export const handler = publicHttpHandler(POST_auth_register, async ({ body }) => ({
  status: 201,
  body: { user: await register(body) },
}));
