/**
 * House defaults for every Lambda function in one place: newest Node.js
 * runtime, arm64, its bundle from lib/bundles.ts, X-Ray, Powertools env,
 * a log group with the stage's retention, and least-privilege grants: every
 * setting comes from the function's entry in the route table's `functions`.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { SecretName } from '#lambdas/shared/secrets.ts';
import { Construct } from 'constructs';
import { timeoutOf, type FunctionName, type Permissions } from '#lambdas/routes.ts';
import { tables as tableDefinitions, type TableKey } from '#lambdas/tables.ts';
import type { StageConfig } from '../config.ts';
import { bundleFolder, placeholderFolder } from '../bundles.ts';
import { functionGrants, tableActions } from '../grants.ts';

/** The From of the e-mails a stage sends: its sender, named (as Cognito's codes are: lib/constructs/identity.ts). */
export const senderOf = (address: string) => `Order Chat <${address}>`;

export interface FunctionContext {
  config: StageConfig;
  tables: Record<TableKey, dynamodb.ITableV2>;
  userPool: cognito.IUserPool;
  userPoolClient: cognito.IUserPoolClient;
  /** Environment every function gets (no secrets: those are read at run time, see `secrets`). */
  environment: Record<string, string>;
  /** The stage's secrets, granted to the functions whose route-table entry names them. */
  secrets: Record<SecretName, secretsmanager.ISecret>;
  /** Chat attachments' bucket: each function may do in it what its `attachments` grants say. */
  attachments: s3.IBucket;
}

export interface OrderChatFunctionProps {
  /** Its module under lambdas/handlers and its entry in the route table's `functions`. */
  handler: FunctionName;
  context: FunctionContext;
}

export class OrderChatFunction extends lambda.Function {
  /** What it may do in AWS; execute-api:ManageConnections is granted by the WebSocket API that owns it. */
  readonly grants: Permissions;
  /** The @connections ARNs it was granted execute-api:ManageConnections on, if any. */
  connectionsArns: string[] = [];

  constructor(scope: Construct, id: string, props: OrderChatFunctionProps) {
    const { config } = props.context;
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      retention: config.logRetentionDays as logs.RetentionDays,
      removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    // Our own role instead of AWSLambdaBasicExecutionRole: it may write to its own log group only.
    const role = new iam.Role(scope, `${id}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(role);
    const grants = functionGrants(props.handler);
    super(scope, id, {
      role,
      // `cdk synth` bundles the stacks it is asked for; the others (and in-process test synths) skip it.
      code: lambda.Code.fromAsset(Stack.of(scope).bundlingRequired ? bundleFolder(props.handler) : placeholderFolder()),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 1024,
      // One second more than the integration timeout, so the gateway answers 503 before Lambda fails.
      timeout: Duration.seconds(timeoutOf(props.handler) + 1),
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: config.serviceName,
        POWERTOOLS_LOG_LEVEL: config.logLevel,
        USER_POOL_ID: props.context.userPool.userPoolId,
        USER_POOL_CLIENT_ID: props.context.userPoolClient.userPoolClientId,
        // Table names are not privileges: every function knows them, so module-scope
        // configuration never fails; IAM below grants access only where the route table says.
        ...Object.fromEntries(
          Object.entries(tableDefinitions).map(([key, definition]) => [
            definition.envVar,
            props.context.tables[key as TableKey].tableName,
          ]),
        ),
        ...props.context.environment,
        // Who its own e-mails come from: the stage's verified sender (none configured: it sends none).
        ...(grants.sendsEmail && config.emailFrom ? { EMAIL_FROM: senderOf(config.emailFrom) } : {}),
        // Where to read each secret it may read; never the value.
        ...Object.fromEntries(
          (grants.secrets ?? []).map((name) => [`${name}_ARN`, props.context.secrets[name].secretArn]),
        ),
      },
    });
    this.grants = grants;
    this.grantFromRouteTable(this.grants, props.context);
  }

  private grantFromRouteTable(permissions: Permissions, context: FunctionContext) {
    for (const [key, access] of Object.entries(permissions.tables ?? {})) {
      const table = context.tables[key as TableKey];
      // Named indexes instead of grantReadData's table/index/*: no wildcard, and only what exists.
      const indexArns = Object.keys(tableDefinitions[key as TableKey].indexes).map(
        (indexName) => `${table.tableArn}/index/${indexName}`,
      );
      this.addToRolePolicy(
        new iam.PolicyStatement({
          actions: [...tableActions(access)],
          resources: [table.tableArn, ...indexArns],
        }),
      );
    }
    for (const key of permissions.scans ?? []) {
      this.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['dynamodb:Scan'], resources: [context.tables[key].tableArn] }),
      );
    }
    for (const name of permissions.secrets ?? []) context.secrets[name].grantRead(this);
    const sender = context.config.emailFrom;
    if (permissions.sendsEmail && sender) {
      // SES authorizes a send on the identity it comes from: the address, or the domain verified for it.
      const identity = (name: string) =>
        Stack.of(this).formatArn({ service: 'ses', resource: 'identity', resourceName: name });
      this.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['ses:SendEmail'],
          resources: [identity(sender), identity(sender.split('@')[1]!)],
        }),
      );
    }
    // One statement per action, on the key prefixes granted (a presigned URL acts with these).
    const byAction = new Map<string, string[]>();
    for (const grant of permissions.attachments ?? []) {
      const [action, prefix] = grant.split(':') as [string, string];
      byAction.set(action, [...(byAction.get(action) ?? []), context.attachments.arnForObjects(`${prefix}/*`)]);
    }
    for (const [action, resources] of byAction) {
      this.addToRolePolicy(new iam.PolicyStatement({ actions: [`s3:${action}`], resources }));
    }
    if (permissions.cognito?.length) {
      this.addToRolePolicy(
        new iam.PolicyStatement({
          actions: permissions.cognito.map((action) => `cognito-idp:${action}`),
          resources: [context.userPool.userPoolArn],
        }),
      );
    }
  }
}
