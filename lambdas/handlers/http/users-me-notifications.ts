import { PATCH_users_me_notifications } from '../../generated/routes.ts';
import { httpHandler } from '../../shared/http.ts';
import { changeMyPreferences } from '../../notifications/preferences.ts';

export const handler = httpHandler(PATCH_users_me_notifications, async ({ caller, body }) => ({
  status: 200,
  body: await changeMyPreferences(caller, body),
}));
