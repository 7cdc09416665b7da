/** Builds every stack of one stage into an app; used by bin/app.ts and the infrastructure tests. */
import type { App } from 'aws-cdk-lib';
import { stackIds, type StageConfig } from './config.ts';
import { applyNagSuppressions } from './nag-suppressions.ts';
import { ApiStack } from './stacks/api-stack.ts';
import { StatefulStack } from './stacks/stateful-stack.ts';
import { WafStack } from './stacks/waf-stack.ts';

export function buildOrderChat(app: App, config: StageConfig, env: { account?: string | undefined; region: string }) {
  const ids = stackIds(config.stage);
  const waf = new WafStack(app, ids.waf, {
    config,
    env: { account: env.account, region: 'us-east-1' },
    crossRegionReferences: true,
  });
  const stateful = new StatefulStack(app, ids.stateful, { config, env });
  const api = new ApiStack(app, ids.api, {
    config,
    env,
    crossRegionReferences: true,
    data: stateful.data,
    identity: stateful.identity,
    attachments: stateful.attachments.bucket,
    webAclArn: waf.webAclArn,
  });
  api.addStackDependency(waf);
  applyNagSuppressions({ stateful, waf, api });
  return { stateful, waf, api };
}
