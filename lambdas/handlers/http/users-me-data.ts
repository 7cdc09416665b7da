import { GET_users_me_data } from '../../generated/routes.ts';
import { exportPage } from '../../export/data-export.ts';
import { httpHandler } from '../../shared/http.ts';

export const handler = httpHandler(GET_users_me_data, async ({ caller, query }) => ({
  status: 200,
  body: await exportPage(caller, query.cursor),
}));
