/**
 * Secondary adapter: a notification e-mail through SES v2, with RFC 8058's one-click unsubscribe
 * headers (List-Unsubscribe names the signed link, List-Unsubscribe-Post says a POST to it is all
 * it takes). Unlike a notice (users/mail.ts) a failure is thrown: the dispatcher retries it.
 */
import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { readEnv } from '../shared/env.ts';
import { ses } from '../shared/ses-client.ts';

const env = /* @__PURE__ */ readEnv({
  EMAIL_FROM: { optional: true },
  SES_CONFIGURATION_SET: { optional: true },
});

export class NoSender extends Error {
  constructor() {
    super('No sender configured (EMAIL_FROM): notification e-mails cannot be sent');
  }
}

export async function sendNotificationMail(mail: {
  to: string;
  subject: string;
  text: string;
  unsubscribeUrl: string;
}): Promise<void> {
  if (!env.EMAIL_FROM) throw new NoSender();
  await ses().send(
    new SendEmailCommand({
      FromEmailAddress: env.EMAIL_FROM,
      Destination: { ToAddresses: [mail.to] },
      // The stage's configuration set: SES suppresses addresses that bounced or complained there.
      ...(env.SES_CONFIGURATION_SET ? { ConfigurationSetName: env.SES_CONFIGURATION_SET } : {}),
      Content: {
        Simple: {
          Subject: { Data: mail.subject, Charset: 'UTF-8' },
          Body: { Text: { Data: mail.text, Charset: 'UTF-8' } },
          Headers: [
            { Name: 'List-Unsubscribe', Value: `<${mail.unsubscribeUrl}>` },
            { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
          ],
        },
      },
    }),
  );
}
