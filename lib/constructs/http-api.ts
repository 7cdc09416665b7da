/**
 * The HTTP API: one function and one route per entry of the route table,
 * the Cognito JWT authorizer on every route that is not public and the
 * origin gate (routes.ts `httpOriginGate`) on the public ones, stage
 * throttling, JSON access logs and CORS from the stage config.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import {
  HttpJwtAuthorizer,
  HttpLambdaAuthorizer,
  HttpLambdaResponseType,
} from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { httpCors, httpOriginGate, httpRoutes, splitRouteKey, timeoutOf, type HttpRoute } from '#lambdas/routes.ts';
import { OrderChatFunction, type FunctionContext } from './order-chat-function.ts';

export const HTTP_ACCESS_LOG_FORMAT = {
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
};

/** Function construct ids from handler names: 'http/users-me-get' → 'HttpUsersMeGet'. */
export function functionId(handler: string): string {
  return handler
    .split(/[/-]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

export interface HttpApiProps {
  functionContext: FunctionContext;
  /** Grants execute-api:ManageConnections where the route table asks for it. */
  grantManageConnections: (fn: OrderChatFunction) => void;
  /**
   * Where a route, its function and its integration live (a nested stack per group of routes, so
   * that no template outgrows CloudFormation's limit); the API, its stage and authorizers stay here.
   */
  scopeOf: (route: HttpRoute) => Construct;
}

export class HttpApi extends Construct {
  readonly api: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly functions: OrderChatFunction[] = [];

  constructor(scope: Construct, id: string, props: HttpApiProps) {
    super(scope, id);
    const { config, userPool, userPoolClient } = props.functionContext;

    this.api = new apigw.HttpApi(this, 'Api', {
      createDefaultStage: false,
      // With a custom domain, CloudFront reaches the API through it: nothing needs execute-api.
      disableExecuteApiEndpoint: config.customDomain !== undefined,
      corsPreflight: {
        allowOrigins: config.corsOrigins,
        allowMethods: [apigw.CorsHttpMethod.ANY],
        allowHeaders: [...httpCors.allowHeaders],
        exposeHeaders: [...httpCors.exposeHeaders],
        maxAge: Duration.seconds(httpCors.maxAgeSeconds),
      },
    });

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: config.logRetentionDays as logs.RetentionDays,
      removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.stage = new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: config.throttle,
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(HTTP_ACCESS_LOG_FORMAT)),
      },
    });

    const region = Stack.of(this).region;
    const authorizer = new HttpJwtAuthorizer(
      'CognitoJwt',
      `https://cognito-idp.${region}.amazonaws.com/${userPool.userPoolId}`,
      { jwtAudience: [userPoolClient.userPoolClientId], identitySource: ['$request.header.Authorization'] },
    );

    const gateFn = new OrderChatFunction(this, functionId(httpOriginGate.handler), {
      handler: httpOriginGate.handler,
      context: props.functionContext,
    });
    this.functions.push(gateFn);
    const originGate = new HttpLambdaAuthorizer('OriginGate', gateFn, {
      identitySource: [...httpOriginGate.identitySource],
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      resultsCacheTtl: Duration.seconds(httpOriginGate.resultsCacheTtlSeconds),
    });

    // One function per handler module; several routes may share one (e.g. the docs routes).
    const byHandler = new Map<HttpRoute['handler'], { fn: OrderChatFunction; integration: HttpLambdaIntegration }>();
    for (const [routeKey, route] of Object.entries(httpRoutes) as [string, HttpRoute][]) {
      const { method, path } = splitRouteKey(routeKey);
      const scope = props.scopeOf(route);
      let shared = byHandler.get(route.handler);
      if (!shared) {
        const fn = new OrderChatFunction(scope, functionId(route.handler), {
          handler: route.handler,
          context: props.functionContext,
        });
        if (fn.grants.manageConnections) props.grantManageConnections(fn);
        this.functions.push(fn);
        const integration = new HttpLambdaIntegration(`${functionId(route.handler)}Integration`, fn, {
          timeout: Duration.seconds(timeoutOf(route.handler)),
        });
        shared = { fn, integration };
        byHandler.set(route.handler, shared);
      }
      // The route in its group's scope; the authorizers bind where the API is (aws-cdk-lib's HttpRoute).
      new apigw.HttpRoute(scope, `${method}${path}`, {
        httpApi: this.api,
        routeKey: apigw.HttpRouteKey.with(path, apigw.HttpMethod[method]),
        integration: shared.integration,
        authorizer: route.access === 'public' ? originGate : authorizer,
      });
    }
  }
}
