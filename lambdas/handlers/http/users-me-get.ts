import { httpHandler } from '../../shared/http.ts';
import { me } from '../../users/service.ts';

export const handler = httpHandler('GET /users/me', async ({ caller }) => ({ status: 200, body: await me(caller) }));
