/**
 * Every cdk-nag (AwsSolutions) finding we accept, each with its reason and
 * scoped as narrowly as the finding allows. Anything not listed here fails
 * the synth.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { wsRoutes } from '#lambdas/routes.ts';
import { tables, type TableKey } from '#lambdas/tables.ts';
import type { ApiStack } from './stacks/api-stack.ts';
import type { StatefulStack } from './stacks/stateful-stack.ts';
import type { WafStack } from './stacks/waf-stack.ts';

const acknowledge = (scope: IConstruct, id: string, reason: string) =>
  Validations.of(scope).acknowledge({ id: `AwsSolutions-${id}`, reason });

export function applyNagSuppressions({
  stateful,
  api,
}: {
  stateful: StatefulStack;
  waf: WafStack;
  api: ApiStack;
}): void {
  const userPool = stateful.identity.userPool;
  acknowledge(
    userPool,
    'COG2',
    'MFA is optional: each user may turn on an authenticator app (TOTP), and the API then asks every sign-in for its code. Requiring it would make every customer install an app before placing a first order; SMS is off (cost, SNS sandbox).',
  );
  acknowledge(
    userPool,
    'COG8',
    "The Plus feature plan is a per-user cost. Brute force is limited where the client's address is seen: the CloudFront WebACL's per-address sign-in and sign-up rules (lib/edge-limits.ts), 10 failed sign-ins per address per 15 minutes in the login function, and the password policy. The pool's own WebACL sees only Lambda's addresses (our functions are its only legitimate callers), so its rule is a ceiling against direct calls, not a per-user limit.",
  );

  for (const [key, table] of Object.entries(stateful.data.tables)) {
    if ('shortLived' in tables[key as TableKey]) {
      acknowledge(
        table,
        'DDB3',
        `Every ${key} item expires within hours (TTL); point-in-time recovery would cost without anything worth restoring.`,
      );
    }
  }

  for (const routeKey of Object.keys(wsRoutes)) {
    if (routeKey === '$connect') continue;
    const routeConstruct = api.webSocketApi.api.node.tryFindChild(`${routeKey}-Route`);
    if (routeConstruct) {
      acknowledge(
        routeConstruct,
        'APIG4',
        'WebSocket APIs authorize on $connect only; every later frame runs with the identity the $connect authorizer stored.',
      );
    }
  }

  // The bucket is the stateful stack's: cdk-nag names its ARN by the export the API stack imports.
  const bucket = stateful.attachments.bucket;
  const attachmentsBucketArn = renderNagId(stateful.resolve(stateful.exportValue(bucket.bucketArn)));
  for (const fn of [
    ...api.httpApi.functions,
    ...api.webSocketApi.functions,
    api.notifications.dispatcher,
    api.backfill,
    api.attachmentChecks,
  ]) {
    acknowledge(
      fn.role!,
      'IAM5[Resource::*]',
      'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions.',
    );
    for (const grant of fn.grants.attachments ?? []) {
      const prefix = grant.split(':')[1]!;
      acknowledge(
        fn.role!,
        `IAM5[Resource::${attachmentsBucketArn}/${prefix}/*]`,
        `Each file's key is made when it is uploaded; the grant is limited to the bucket's ${prefix}/ prefix.`,
      );
    }
    for (const arn of fn.connectionsArns) {
      acknowledge(
        fn.role!,
        `IAM5[Resource::${nagResourceId(fn, arn)}]`,
        'Connection ids are only known at run time; the grant is limited to @connections of this WebSocket stage.',
      );
    }
  }

  const logsRole = api.webSocketApi.node.tryFindChild('ApiGatewayLogsRole');
  if (logsRole) {
    const { account, region, partition } = api;
    acknowledge(
      logsRole,
      `IAM5[Resource::${nagResourceId(api, `arn:${partition}:logs:${region}:${account}:*`)}]`,
      "API Gateway's account-wide logging role writes the log groups of every API in this account and region; their names are API Gateway's.",
    );
  }

  for (const secret of [
    api.node.findChild('OriginVerifySecret'),
    api.node.findChild('CursorSecret'),
    api.node.findChild('UnsubscribeSecret'),
  ]) {
    acknowledge(
      secret,
      'SMG4',
      'Rotated by redeploying with a new value: the origin secret must change in CloudFront and the functions together, rotating the cursor key only invalidates open page cursors, and the unsubscribe key is kept as the previous version for the links of e-mails already sent.',
    );
  }

  const edge = api.edge;
  acknowledge(
    edge.node.findChild('AccessLogBucket'),
    'S1',
    'This bucket holds the CloudFront access logs; logging it to itself would loop.',
  );
  const webApp = api.webApp;
  acknowledge(
    webApp.bucket,
    'S1',
    'Reached only through CloudFront (origin access control), whose standard logs record every request for the app.',
  );
  const deployment = webApp.deployment!;
  // aws-cdk-lib's BucketDeployment: one singleton handler per stack, copying the app from the CDK asset bucket.
  const handler = api.node.children.find((child) => child.node.id.startsWith('Custom::CDKBucketDeployment'))!;
  acknowledge(handler, 'L1', "BucketDeployment's handler and its runtime are aws-cdk-lib's; they move with it.");
  acknowledge(
    deployment.handlerRole,
    'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    "BucketDeployment's handler writes only its own logs; the managed policy is aws-cdk-lib's choice.",
  );
  const policy = deployment.handlerRole.node.findChild('DefaultPolicy') as iam.Policy;
  const statements = (api.resolve(policy.document.toJSON()) as { Statement: { Action: unknown; Resource: unknown }[] })
    .Statement;
  const wildcards = statements.flatMap((statement) => [
    ...[statement.Action].flat().map((action) => `Action::${String(action)}`),
    ...[statement.Resource].flat().map((resource) => `Resource::${renderNagId(resource)}`),
  ]);
  for (const finding of new Set(wildcards.filter((id) => id.includes('*')))) {
    acknowledge(
      deployment.handlerRole,
      `IAM5[${finding}]`,
      "aws-cdk-lib's BucketDeployment grants: read the CDK asset bucket's objects, sync them into the app's bucket (deleting what a deploy no longer has), and invalidate the distribution's /app/* (CloudFront invalidations have no narrower resource in that construct).",
    );
  }

  acknowledge(
    edge.distribution,
    'CFR1',
    'Customers may be anywhere; the WebACL rate rule and managed rule groups protect the APIs.',
  );
  acknowledge(
    edge.distribution,
    'CFR4',
    'The default *.cloudfront.net certificate cannot pin a minimum TLS version; a custom domain with its ACM certificate does (TLSv1.2_2021).',
  );
}

/** How cdk-nag names a resolved value in a finding id: tokens become <LogicalId>, <LogicalId.Attr>, <AWS::Pseudo>. */
function renderNagId(value: unknown): string {
  if (typeof value === 'string') return value;
  const node = value as Record<string, unknown>;
  if ('Ref' in node) return `<${String(node.Ref)}>`;
  if ('Fn::GetAtt' in node) return `<${(node['Fn::GetAtt'] as string[]).join('.')}>`;
  if ('Fn::Sub' in node && typeof node['Fn::Sub'] === 'string')
    return node['Fn::Sub'].replace(/\$\{([^}]+)\}/g, '<$1>');
  // A value of another stack: cdk-nag names it by the export it is imported from.
  if ('Fn::ImportValue' in node) return renderNagId(node['Fn::ImportValue']);
  if ('Fn::Join' in node) {
    const [separator, parts] = node['Fn::Join'] as [string, unknown[]];
    return parts.map(renderNagId).join(separator);
  }
  return JSON.stringify(value);
}

/** How cdk-nag names a resource in a finding id. */
function nagResourceId(scope: IConstruct, arn: string): string {
  return renderNagId(Stack.of(scope).resolve(arn));
}
