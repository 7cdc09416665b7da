import { POST_users_id_password_reset } from '../../generated/routes.ts';
import { httpHandler } from '../../shared/http.ts';
import { sendPasswordReset } from '../../users/service.ts';

export const handler = httpHandler(POST_users_id_password_reset, async ({ caller, params }) => {
  await sendPasswordReset(caller, params.id);
  return { status: 202 };
});
