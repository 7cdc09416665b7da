import { DELETE_users_id } from '../../generated/routes.ts';
import { assignmentChanged } from '../../chat/service.ts';
import { unassignAllOf } from '../../orders/service.ts';
import { httpHandler } from '../../shared/http.ts';
import { deleteUser } from '../../users/service.ts';

export const handler = httpHandler(DELETE_users_id, async ({ caller, params }) => {
  await deleteUser(caller, params.id);
  // A deleted admin's orders go back to nobody (a retry of the delete finishes it).
  for (const order of await unassignAllOf(caller, params.id)) await assignmentChanged(order);
  return { status: 204 };
});
