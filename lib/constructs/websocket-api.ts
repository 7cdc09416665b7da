/**
 * The WebSocket API: the Lambda REQUEST authorizer on $connect, every route
 * of the route table, stage throttling, and access logs that never record
 * query strings (they carry tokens and tickets).
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigatewayv1 from 'aws-cdk-lib/aws-apigateway';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  timeoutOf,
  wsAuthorizer,
  wsRouteSelectionExpression,
  wsRoutes,
  type FunctionName,
  type WsRoute,
} from '#lambdas/routes.ts';
import { ORIGIN_VERIFY_HEADER } from '#lambdas/shared/origin-verify.ts';
import { functionId } from './http-api.ts';
import { OrderChatFunction, type FunctionContext } from './order-chat-function.ts';
import { originHosts, type CustomDomain, type StageConfig } from '../config.ts';

/** The stage name is also the path CloudFront forwards (`wss://<domain>/ws`). */
export const WS_STAGE_NAME = 'ws';

export const WS_ACCESS_LOG_FORMAT = {
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  eventType: '$context.eventType',
  routeKey: '$context.routeKey',
  status: '$context.status',
  connectionId: '$context.connectionId',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
};

export class WebSocketApi extends Construct {
  readonly api: apigw.WebSocketApi;
  readonly stage: apigw.WebSocketStage;
  readonly functions: OrderChatFunction[] = [];
  private readonly customDomain: CustomDomain | undefined;

  constructor(scope: Construct, id: string, props: { config: StageConfig }) {
    super(scope, id);
    const { config } = props;
    this.api = new apigw.WebSocketApi(this, 'Api', { routeSelectionExpression: wsRouteSelectionExpression });
    // With a custom domain, CloudFront reaches the API through it: nothing needs execute-api.
    // (WebSocketApiProps has no such option; the CloudFormation property does.)
    if (config.customDomain) (this.api.node.defaultChild as apigw.CfnApi).disableExecuteApiEndpoint = true;
    this.customDomain = config.customDomain;
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: config.logRetentionDays as logs.RetentionDays,
      removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const stage = new apigw.WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: WS_STAGE_NAME,
      autoDeploy: true,
      throttle: config.throttle,
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(WS_ACCESS_LOG_FORMAT)),
      },
    });
    this.stage = stage;
    if (config.apiGatewayLogsRole === 'create') stage.node.addDependency(this.accountLogsRole());
  }

  /**
   * WebSocket (unlike HTTP API) access logging needs the account's API Gateway CloudWatch role
   * (`AWS::ApiGateway::Account`), which a fresh account or region doesn't have: the stage would
   * fail with "CloudWatch Logs role ARN must be set in account settings". The setting is
   * account-wide, so both are retained when the stack goes, and deploying over an existing role
   * just points the setting at this equivalent one.
   */
  private accountLogsRole(): apigatewayv1.CfnAccount {
    const { account, region, partition } = Stack.of(this);
    // AWS's documented trust policy, as its CloudFormation example and CDK's own role write it: no
    // condition (one API Gateway doesn't send would make AWS::ApiGateway::Account fail and roll back).
    const role = new iam.Role(this, 'ApiGatewayLogsRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description: 'API Gateway writes access and execution logs of every API in this account and region',
      inlinePolicies: {
        logs: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: [
                'logs:CreateLogGroup',
                'logs:CreateLogStream',
                'logs:DescribeLogGroups',
                'logs:DescribeLogStreams',
                'logs:PutLogEvents',
                'logs:GetLogEvents',
                'logs:FilterLogEvents',
              ],
              resources: [`arn:${partition}:logs:${region}:${account}:*`],
            }),
          ],
        }),
      },
    });
    role.applyRemovalPolicy(RemovalPolicy.RETAIN);
    const setting = new apigatewayv1.CfnAccount(this, 'ApiGatewayAccount', { cloudWatchRoleArn: role.roleArn });
    setting.applyRemovalPolicy(RemovalPolicy.RETAIN);
    return setting;
  }

  /**
   * The management API base URL handlers post to: `https://{apiId}.execute-api.{region}.amazonaws.com/ws`,
   * or with a custom domain (execute-api off) its origin host and the stage's mapping, `https://origin-ws.<name>/ws`.
   */
  get callbackUrl(): string {
    return this.customDomain ? `https://${originHosts(this.customDomain).ws}/${WS_STAGE_NAME}` : this.stage.callbackUrl;
  }

  /**
   * POST (send), GET (describe) and DELETE (disconnect) on @connections of this stage only. A
   * function in another stack names the API by that stack's parameter (`apiId`), not ours.
   */
  manageConnectionsArns(apiId: string = this.api.apiId): string[] {
    return ['POST', 'GET', 'DELETE'].map((method) =>
      Stack.of(this).formatArn({
        service: 'execute-api',
        resource: apiId,
        resourceName: `${WS_STAGE_NAME}/${method}/@connections/*`,
      }),
    );
  }

  grantManageConnections(grantee: OrderChatFunction, apiId?: string): void {
    grantee.connectionsArns = this.manageConnectionsArns(apiId);
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['execute-api:ManageConnections'],
      resourceArns: grantee.connectionsArns,
    });
  }

  /** Functions need the callback URL in their environment, so routes are added once that exists. */
  addRoutes(functionContext: FunctionContext): void {
    const make = (route: { handler: FunctionName }) => {
      const fn = new OrderChatFunction(this, functionId(route.handler), {
        handler: route.handler,
        context: functionContext,
      });
      if (fn.grants.manageConnections) this.grantManageConnections(fn);
      this.functions.push(fn);
      return fn;
    };
    const authorizerFn = make(wsAuthorizer);
    // Every request through CloudFront carries the origin header, so API Gateway itself turns away
    // direct execute-api connections (401) before the authorizer runs; token or ticket it reads itself.
    const authorizer = new WebSocketLambdaAuthorizer('ConnectAuthorizer', authorizerFn, {
      identitySource: [...wsAuthorizer.identitySource, `route.request.header.${ORIGIN_VERIFY_HEADER}`],
    });
    for (const [routeKey, route] of Object.entries(wsRoutes) as [string, WsRoute][]) {
      const fn = make(route);
      this.api.addRoute(routeKey, {
        // The route table's timeout, as offline and on HTTP routes: CDK's default (29 s) would outlive
        // the function, which stops one second after it.
        integration: new WebSocketLambdaIntegration(`${functionId(route.handler)}Integration`, fn, {
          timeout: Duration.seconds(timeoutOf(route.handler)),
        }),
        ...(routeKey === '$connect' ? { authorizer } : {}),
        ...(route.twoWay ? { returnResponse: true } : {}),
      });
    }
  }
}
