/**
 * The CLOUDFRONT-scope WebACL. CloudFront WebACLs must live in us-east-1,
 * so this small stack does, and the API stack references it across regions.
 */
import { ArnFormat, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config.ts';
import { EDGE_LIMIT_RESPONSE, EDGE_LIMITS, type EdgeLimit } from '../edge-limits.ts';

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

const TOO_MANY_REQUESTS_BODY = 'TooManyRequests';

/** A match of one method and one exact path, as the viewer sent them. */
const requestIs = (limit: EdgeLimit): wafv2.CfnWebACL.StatementProperty => ({
  andStatement: {
    statements: [
      {
        byteMatchStatement: {
          fieldToMatch: { method: {} },
          positionalConstraint: 'EXACTLY',
          searchString: limit.method,
          textTransformations: [{ priority: 0, type: 'NONE' }],
        },
      },
      {
        byteMatchStatement: {
          fieldToMatch: { uriPath: {} },
          positionalConstraint: 'EXACTLY',
          searchString: limit.path,
          textTransformations: [{ priority: 0, type: 'NONE' }],
        },
      },
    ],
  },
});

/** A per-address limit of lib/edge-limits.ts: a rate-based rule scoped to its request, answering 429. */
const edgeLimitRule = (limit: EdgeLimit, priority: number): wafv2.CfnWebACL.RuleProperty => ({
  name: limit.name,
  priority,
  action: {
    block: {
      customResponse: {
        responseCode: EDGE_LIMIT_RESPONSE.status,
        customResponseBodyKey: TOO_MANY_REQUESTS_BODY,
        responseHeaders: [{ name: 'retry-after', value: String(limit.windowSeconds) }],
      },
    },
  },
  statement: {
    rateBasedStatement: {
      aggregateKeyType: 'IP',
      limit: limit.limit,
      evaluationWindowSec: limit.windowSeconds,
      scopeDownStatement: requestIs(limit),
    },
  },
  visibilityConfig: visibility(limit.name),
});

export class WafStack extends Stack {
  readonly webAclArn: string;

  constructor(scope: Construct, id: string, props: StackProps & { config: StageConfig }) {
    super(scope, id, props);
    const webAcl = new wafv2.CfnWebACL(this, 'EdgeWebAcl', {
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('OrderChatEdge'),
      customResponseBodies: {
        [TOO_MANY_REQUESTS_BODY]: { contentType: 'APPLICATION_JSON', content: EDGE_LIMIT_RESPONSE.body },
      },
      rules: [
        {
          name: 'RateLimitPerIp',
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { aggregateKeyType: 'IP', limit: props.config.wafRateLimitPer5Min } },
          visibilityConfig: visibility('RateLimitPerIp'),
        },
        managedRuleGroup('AWSManagedRulesAmazonIpReputationList', 1),
        // Order specifications may be up to 16 KB; the common set blocks bodies over 8 KB. Its body
        // rules for HTML and file paths would refuse an order, a name or a room's summary that merely
        // mentions `<b>` or `../`: every text route takes JSON that nothing renders as HTML (the web
        // app escapes all of it under a CSP without inline scripts; chat goes over WebSocket frames,
        // which WAF never sees), so they count instead of blocking.
        managedRuleGroup('AWSManagedRulesCommonRuleSet', 2, [
          'SizeRestrictions_BODY',
          'CrossSiteScripting_BODY',
          'GenericLFI_BODY',
        ]),
        managedRuleGroup('AWSManagedRulesKnownBadInputsRuleSet', 3),
        ...EDGE_LIMITS.map((limit, index) => edgeLimitRule(limit, 4 + index)),
      ],
    });
    this.webAclArn = webAcl.attrArn;

    // What the WebACL blocked and why, kept as long as the stage's other logs. WAF's log group must be
    // named aws-waf-logs-…; credentials are redacted (a ticket in a query string is spent by then).
    const logGroupName = `aws-waf-logs-order-chat-${props.config.stage}`;
    const wafLogs = new logs.LogGroup(this, 'EdgeWebAclLogs', {
      logGroupName,
      retention: props.config.logRetentionDays as logs.RetentionDays,
      removalPolicy: props.config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const logging = new wafv2.CfnLoggingConfiguration(this, 'EdgeWebAclLogging', {
      resourceArn: webAcl.attrArn,
      // WAF takes the log group's ARN without the ':*' CloudFormation's Arn attribute ends with.
      logDestinationConfigs: [
        this.formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      redactedFields: [{ singleHeader: { Name: 'authorization' } }, { singleHeader: { Name: 'cookie' } }],
    });
    logging.node.addDependency(wafLogs);
  }
}
