import { POST_auth_confirm_email_resend } from '../../generated/routes.ts';
import { publicHttpHandler } from '../../shared/http-public.ts';
import { resendEmailCode } from '../../users/service.ts';

export const handler = publicHttpHandler(POST_auth_confirm_email_resend, async ({ body }) => {
  await resendEmailCode(body);
  return { status: 202 };
});
