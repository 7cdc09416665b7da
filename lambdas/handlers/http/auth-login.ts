import { httpHandler } from '../../shared/http.ts';
import { login } from '../../users/service.ts';

export const handler = httpHandler('POST /auth/login', async ({ body }) => ({ status: 200, body: await login(body) }));
