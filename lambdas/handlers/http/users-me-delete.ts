import { DELETE_users_me } from '../../generated/routes.ts';
import { httpHandler } from '../../shared/http.ts';
import { deleteMe } from '../../users/service.ts';

export const handler = httpHandler(DELETE_users_me, async ({ caller, body }) => {
  await deleteMe(caller, body.password);
  return { status: 204 };
});
