import { DELETE_users_id } from '../../generated/routes.ts';
import { httpHandler } from '../../shared/http.ts';
import { deleteUser } from '../../users/service.ts';

export const handler = httpHandler(DELETE_users_id, async ({ caller, params }) => {
  await deleteUser(caller, params.id);
  return { status: 204 };
});
