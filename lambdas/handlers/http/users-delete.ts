import { httpHandler } from '../../shared/http.ts';
import { deleteUser } from '../../users/service.ts';

export const handler = httpHandler('DELETE /users/{id}', async ({ caller, params }) => {
  await deleteUser(caller, params.id);
  return { status: 204 };
});
