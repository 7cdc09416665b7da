import { DELETE_users_me } from '../../generated/routes.ts';
import { assignmentChanged } from '../../chat/service.ts';
import { unassignAllOf } from '../../orders/service.ts';
import { httpHandler } from '../../shared/http.ts';
import { deleteMe } from '../../users/service.ts';

export const handler = httpHandler(DELETE_users_me, async ({ caller, body }) => {
  await deleteMe(caller, body.password);
  // An admin leaving hands their orders back to nobody.
  if (caller.role === 'ADMIN')
    for (const order of await unassignAllOf(caller, caller.id)) await assignmentChanged(order);
  return { status: 204 };
});
