/**
 * Each file uploaded to the attachments bucket is checked before anyone can send it: S3's "Object
 * Created" event for the `uploads/` prefix, through EventBridge (the bucket lives in the stateful
 * stack; a rule here needs no notification resource there), runs the check function. EventBridge
 * delivers at least once and retries a failed run for up to an hour; the check is idempotent.
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { UPLOADS_PREFIX } from '#lambdas/chat/attachment.ts';
import { OrderChatFunction, type FunctionContext } from './order-chat-function.ts';

export class AttachmentChecks extends Construct {
  readonly function: OrderChatFunction;

  constructor(scope: Construct, id: string, props: { context: FunctionContext; bucketName: string }) {
    super(scope, id);
    this.function = new OrderChatFunction(this, 'JobsCheckAttachment', {
      handler: 'jobs/check-attachment',
      context: props.context,
    });
    new events.Rule(this, 'OnUpload', {
      description: 'Checks each file uploaded for chat',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: { bucket: { name: [props.bucketName] }, object: { key: [{ prefix: UPLOADS_PREFIX }] } },
      },
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 8, maxEventAge: Duration.hours(1) })],
    });
  }
}
