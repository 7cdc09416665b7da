import { httpHandler } from '../../shared/http.ts';
import { changeRole } from '../../users/service.ts';

export const handler = httpHandler('PATCH /users/{id}/role', async ({ caller, params, body }) => ({
  status: 200,
  body: await changeRole(caller, params.id, body.role),
}));
