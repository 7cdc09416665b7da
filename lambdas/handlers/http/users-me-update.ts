import { httpHandler } from '../../shared/http.ts';
import { renameMe } from '../../users/service.ts';

export const handler = httpHandler('PATCH /users/me', async ({ caller, body }) => ({
  status: 200,
  body: await renameMe(caller, body.name),
}));
