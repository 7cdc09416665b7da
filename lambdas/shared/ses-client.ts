// The SES client of a container (see aws-calls.ts): e-mails the functions send themselves.
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { CALL_LIMITS, withDeadline } from './aws-calls.ts';

let sesClient: SESv2Client | undefined;

export function ses(): SESv2Client {
  sesClient ??= withDeadline(new SESv2Client({ ...CALL_LIMITS }));
  return sesClient;
}
