import { GET_users_me_notifications } from '../../generated/routes.ts';
import { httpHandler } from '../../shared/http.ts';
import { myPreferences } from '../../notifications/preferences.ts';

export const handler = httpHandler(GET_users_me_notifications, async ({ caller }) => ({
  status: 200,
  body: await myPreferences(caller),
}));
