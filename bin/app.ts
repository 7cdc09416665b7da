/**
 * The CDK app: `-c stage=dev|prod` picks the stage config. Three stacks:
 * stateful (tables, user pool), the CLOUDFRONT WebACL in us-east-1, and the
 * stateless API stack in the deployment region. cdk-nag's AwsSolutions
 * checks run on every synth.
 */
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { stageConfig } from '../lib/config.ts';
import { buildOrderChat } from '../lib/order-chat.ts';

const app = new App();
const config = stageConfig(app.node.tryGetContext('stage') as string | undefined);
buildOrderChat(app, config, {
  account: process.env.CDK_DEFAULT_ACCOUNT,
  region: (app.node.tryGetContext('region') as string | undefined) ?? process.env.CDK_DEFAULT_REGION ?? 'eu-west-1',
});
Tags.of(app).add('project', 'order-chat');
Tags.of(app).add('stage', config.stage);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
