import { GET_health } from '../../generated/routes.ts';
import { publicHttpHandler } from '../../shared/http-public.ts';

export const handler = publicHttpHandler(GET_health, async () => ({
  status: 200,
  body: { status: 'ok', time: new Date().toISOString() },
}));
