import { PATCH_users_id_role } from '../../generated/routes.ts';
import { httpHandler } from '../../shared/http.ts';
import { changeRole } from '../../users/service.ts';

export const handler = httpHandler(PATCH_users_id_role, async ({ caller, params, body }) => ({
  status: 200,
  body: await changeRole(caller, params.id, body.role),
}));
