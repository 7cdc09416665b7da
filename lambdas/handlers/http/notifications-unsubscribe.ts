import { POST_notifications_unsubscribe } from '../../generated/routes.ts';
import { publicHttpHandler } from '../../shared/http-public.ts';
import { unsubscribe } from '../../notifications/preferences.ts';

export const handler = publicHttpHandler(POST_notifications_unsubscribe, async ({ query }) => {
  await unsubscribe(query.token);
  return { status: 204 };
});
