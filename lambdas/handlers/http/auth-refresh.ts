import { POST_auth_refresh } from '../../generated/routes.ts';
import { publicHttpHandler } from '../../shared/http-public.ts';
import { refresh } from '../../users/service.ts';

export const handler = publicHttpHandler(POST_auth_refresh, async ({ body }) => ({
  status: 200,
  body: await refresh(body.refreshToken),
}));
