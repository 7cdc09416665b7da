/**
 * The CLOUDFRONT-scope WebACL. CloudFront WebACLs must live in us-east-1,
 * so this small stack does, and the API stack references it across regions.
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config.ts';

const visibility = (metricName: string) => ({
  cloudWatchMetricsEnabled: true,
  metricName,
  sampledRequestsEnabled: true,
});

const managedRuleGroup = (
  name: string,
  priority: number,
  excludedRules: string[] = [],
): wafv2.CfnWebACL.RuleProperty => ({
  name,
  priority,
  overrideAction: { none: {} },
  statement: {
    managedRuleGroupStatement: {
      vendorName: 'AWS',
      name,
      ruleActionOverrides: excludedRules.map((rule) => ({ name: rule, actionToUse: { count: {} } })),
    },
  },
  visibilityConfig: visibility(name),
});

export class WafStack extends Stack {
  readonly webAclArn: string;

  constructor(scope: Construct, id: string, props: StackProps & { config: StageConfig }) {
    super(scope, id, props);
    const webAcl = new wafv2.CfnWebACL(this, 'EdgeWebAcl', {
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('OrderChatEdge'),
      rules: [
        {
          name: 'RateLimitPerIp',
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { aggregateKeyType: 'IP', limit: props.config.wafRateLimitPer5Min } },
          visibilityConfig: visibility('RateLimitPerIp'),
        },
        managedRuleGroup('AWSManagedRulesAmazonIpReputationList', 1),
        // Order specifications may be up to 16 KB; the common set blocks bodies over 8 KB.
        managedRuleGroup('AWSManagedRulesCommonRuleSet', 2, ['SizeRestrictions_BODY']),
        managedRuleGroup('AWSManagedRulesKnownBadInputsRuleSet', 3),
      ],
    });
    this.webAclArn = webAcl.attrArn;
  }
}
