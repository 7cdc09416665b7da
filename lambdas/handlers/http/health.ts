import { httpHandler } from '../../shared/http.ts';

export const handler = httpHandler('GET /health', async () => ({
  status: 200,
  body: { status: 'ok', time: new Date().toISOString() },
}));
