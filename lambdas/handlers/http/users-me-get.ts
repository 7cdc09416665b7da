import { GET_users_me } from '../../generated/routes.ts';
import { httpHandler } from '../../shared/http.ts';
import { me } from '../../users/service.ts';

export const handler = httpHandler(GET_users_me, async ({ caller }) => ({ status: 200, body: await me(caller) }));
