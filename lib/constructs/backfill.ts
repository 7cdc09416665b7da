/**
 * After each deploy that changes it, the backfill runs once (a CDK trigger: a custom resource that
 * invokes it and fails the deploy if it fails): items written by an earlier release get what this
 * one's indexes read (lambdas/maintenance/backfill.ts). A stage already done costs one read.
 */
import { Duration } from 'aws-cdk-lib';
import * as triggers from 'aws-cdk-lib/triggers';
import { Construct } from 'constructs';
import { timeoutOf } from '#lambdas/routes.ts';
import { OrderChatFunction, type FunctionContext } from './order-chat-function.ts';

export class Backfill extends Construct {
  readonly function: OrderChatFunction;

  constructor(scope: Construct, id: string, props: { context: FunctionContext }) {
    super(scope, id);
    this.function = new OrderChatFunction(this, 'Function', { handler: 'jobs/backfill', context: props.context });
    new triggers.Trigger(this, 'AfterDeploy', {
      handler: this.function,
      timeout: Duration.seconds(timeoutOf('jobs/backfill') + 60),
      invocationType: triggers.InvocationType.REQUEST_RESPONSE,
    });
  }
}
