import { GET_users_id_events } from '../../generated/routes.ts';
import { httpHandler } from '../../shared/http.ts';
import { userEvents } from '../../users/service.ts';

export const handler = httpHandler(GET_users_id_events, async ({ params, query }) => ({
  status: 200,
  body: await userEvents(params.id, query.limit, query.cursor),
}));
