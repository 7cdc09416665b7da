/**
 * Secondary adapter: the e-mails our functions send themselves through SES (Cognito sends its own
 * codes), from the stage's sender (EMAIL_FROM: lib/config.ts; offline the local mailbox's).
 */
import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { readEnv } from '../shared/env.ts';
import { logger } from '../shared/logger.ts';
import { ses } from '../shared/ses-client.ts';

const env = /* @__PURE__ */ readEnv({ EMAIL_FROM: { optional: true } });

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/**
 * Sends a notice. It tells of something already done, so a failure is logged, not thrown: the
 * change stands either way. A stage without a sender (no verified SES identity) sends none.
 */
export async function sendNotice(mail: Mail): Promise<boolean> {
  if (!env.EMAIL_FROM) {
    logger.warn('No sender configured (EMAIL_FROM): a notice was not sent', { subject: mail.subject });
    return false;
  }
  try {
    await ses().send(
      new SendEmailCommand({
        FromEmailAddress: env.EMAIL_FROM,
        Destination: { ToAddresses: [mail.to] },
        Content: { Simple: { Subject: { Data: mail.subject }, Body: { Text: { Data: mail.text } } } },
      }),
    );
    return true;
  } catch (error) {
    logger.error('A notice could not be sent', error as Error);
    return false;
  }
}
