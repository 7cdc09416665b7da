import { GET_users_id } from '../../generated/routes.ts';
import { httpHandler } from '../../shared/http.ts';
import { getUser } from '../../users/service.ts';

export const handler = httpHandler(GET_users_id, async ({ params }) => ({
  status: 200,
  body: await getUser(params.id),
}));
