import { PATCH_users_me } from '../../generated/routes.ts';
import { httpHandler } from '../../shared/http.ts';
import { renameMe } from '../../users/service.ts';

export const handler = httpHandler(PATCH_users_me, async ({ caller, body }) => ({
  status: 200,
  body: await renameMe(caller, body.name),
}));
