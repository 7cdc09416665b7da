import { PATCH_users_id_role } from '../../generated/routes.ts';
import { assignmentChanged } from '../../chat/service.ts';
import { unassignAllOf } from '../../orders/service.ts';
import { httpHandler } from '../../shared/http.ts';
import { changeRole } from '../../users/service.ts';

export const handler = httpHandler(PATCH_users_id_role, async ({ caller, params, body }) => {
  const user = await changeRole(caller, params.id, body.role);
  // A demoted admin handles nothing any more: their orders go back to nobody (a retry finishes it).
  if (user.role === 'REGULAR')
    for (const order of await unassignAllOf(caller, params.id)) await assignmentChanged(order);
  return { status: 200, body: user };
});
