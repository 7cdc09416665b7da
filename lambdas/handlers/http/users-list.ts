import { GET_users } from '../../generated/routes.ts';
import { httpHandler } from '../../shared/http.ts';
import { listUsers } from '../../users/service.ts';

export const handler = httpHandler(GET_users, async ({ query }) => ({
  status: 200,
  body: await listUsers(query.limit, query.cursor),
}));
