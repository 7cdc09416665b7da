/**
 * The CDK app: `-c stage=dev|prod` picks the stage config (lib/config.ts
 * `deploymentTarget` lists what else the command line sets). Three stacks:
 * stateful (tables, user pool), the CLOUDFRONT WebACL in us-east-1, and the
 * stateless API stack in the deployment region (with nested stacks for the HTTP API, the WebSocket
 * API and the alarms, each under CloudFormation's resource limit). cdk-nag's AwsSolutions
 * checks run on every synth.
 */
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { deploymentTarget } from '../lib/config.ts';
import { buildOrderChat } from '../lib/order-chat.ts';

const app = new App();
const { config, region, regionSource } = deploymentTarget((key) => app.node.tryGetContext(key));
// stderr, so `cdk synth` output stays a template.
console.error(
  `Order Chat ${config.stage}: region ${region} (${regionSource}); WebACL in us-east-1; ` +
    `alarms to ${config.alarmEmail ?? 'nobody (set -c alarmEmail=… or ALARM_EMAIL)'}`,
);
buildOrderChat(app, config, { account: process.env.CDK_DEFAULT_ACCOUNT, region });
Tags.of(app).add('project', 'order-chat');
Tags.of(app).add('stage', config.stage);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
