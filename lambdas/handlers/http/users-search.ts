import { GET_users_search } from '../../generated/routes.ts';
import { httpHandler } from '../../shared/http.ts';
import { findUsersByName } from '../../users/service.ts';

export const handler = httpHandler(GET_users_search, async ({ query }) => ({
  status: 200,
  body: await findUsersByName(query.name, query.limit),
}));
