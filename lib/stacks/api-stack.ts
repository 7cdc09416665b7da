/**
 * Stateless: functions, both APIs, CloudFront with the WAF, alarms and the dashboard. The
 * per-route resources (about nine a function with its alarms) live in nested stacks — one per
 * API and one for alarms — so each template stays far under CloudFormation's 500 resources as
 * routes are added, while the stage still deploys as one stack with one set of outputs.
 * (Nested stacks take references as parameters: no exports that would pin a value in place.)
 */
import { CfnOutput, CfnParameter, NestedStack, Stack, type StackProps } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { originHosts, type StageConfig } from '../config.ts';
import type { DataTables } from '../constructs/data.ts';
import { Edge } from '../constructs/edge.ts';
import { OriginDomains } from '../constructs/origin-domains.ts';
import { HttpApi } from '../constructs/http-api.ts';
import type { Identity } from '../constructs/identity.ts';
import { Observability } from '../constructs/observability.ts';
import type { FunctionContext } from '../constructs/order-chat-function.ts';
import { WebApp } from '../constructs/web-app.ts';
import { WebSocketApi, WS_STAGE_NAME } from '../constructs/websocket-api.ts';
import { APP_PATH } from '../../web/build.ts';

export interface ApiStackProps extends StackProps {
  config: StageConfig;
  data: DataTables;
  identity: Identity;
  webAclArn: string;
}

export class ApiStack extends Stack {
  readonly httpApi: HttpApi;
  readonly webSocketApi: WebSocketApi;
  readonly edge: Edge;
  readonly webApp: WebApp;
  readonly observability: Observability;
  /** The nested stacks, each a template of its own. */
  readonly parts: { webSocket: NestedStack; http: NestedStack; alarms: NestedStack };

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const secret = (secretId: string, description: string) =>
      new secretsmanager.Secret(this, secretId, {
        description,
        generateSecretString: { excludePunctuation: true, passwordLength: 48 },
      });
    const originVerifySecret = secret(
      'OriginVerifySecret',
      'Header value CloudFront adds so the APIs can refuse direct calls',
    );
    const cursorSecret = secret('CursorSecret', 'HMAC key that makes pagination cursors tamper-evident');

    // Routes are added below, once the callback URL exists for the functions' environment.
    this.parts = {
      webSocket: new NestedStack(this, 'WebSocket', { description: 'The WebSocket API and its functions' }),
      http: new NestedStack(this, 'Http', { description: 'The HTTP API and its functions' }),
      alarms: new NestedStack(this, 'Alarms', { description: 'Alarms, their topic and the dashboard' }),
    };
    this.webSocketApi = new WebSocketApi(this.parts.webSocket, 'WebSocketApi', { config: props.config });
    const functionContext: FunctionContext = {
      config: props.config,
      tables: props.data.tables,
      userPool: props.identity.userPool,
      userPoolClient: props.identity.userPoolClient,
      // Read from Secrets Manager by the functions the route table gives them to (lambdas/shared/secrets.ts).
      secrets: { ORIGIN_VERIFY_SECRET: originVerifySecret, CURSOR_SECRET: cursorSecret },
      environment: { WS_CALLBACK_URL: this.webSocketApi.callbackUrl },
    };
    // Named by us, so the grant (and its cdk-nag acknowledgement) reads the same in every synth.
    const webSocketApiId = new CfnParameter(this.parts.http, 'WebSocketApiId', {
      description: 'The WebSocket API whose @connections the HTTP functions post to',
    }).valueAsString;
    this.parts.http.setParameter('WebSocketApiId', this.webSocketApi.api.apiId);
    this.httpApi = new HttpApi(this.parts.http, 'HttpApi', {
      functionContext,
      grantManageConnections: (fn) => this.webSocketApi.grantManageConnections(fn, webSocketApiId),
    });
    this.webSocketApi.addRoutes(functionContext);

    const { customDomain } = props.config;
    const originDomains = customDomain
      ? new OriginDomains(this, 'OriginDomains', {
          domain: customDomain,
          httpStage: this.httpApi.stage,
          webSocketStage: this.webSocketApi.stage,
          webSocketStageName: WS_STAGE_NAME,
        })
      : undefined;
    this.webApp = new WebApp(this, 'WebApp');
    const executeApi = (apiId: string) => `${apiId}.execute-api.${this.region}.${this.urlSuffix}`;
    this.edge = new Edge(this, 'Edge', {
      config: props.config,
      httpOriginHost: customDomain ? originHosts(customDomain).http : executeApi(this.httpApi.api.apiId),
      webSocketOriginHost: customDomain ? originHosts(customDomain).ws : executeApi(this.webSocketApi.api.apiId),
      originVerifySecret,
      webAclArn: props.webAclArn,
      webAppBucket: this.webApp.bucket,
    });
    this.webApp.deploy(this.edge.distribution, props.config.logRetentionDays);
    if (customDomain) originDomains!.aliasDistribution(customDomain, this.edge.distribution);

    this.observability = new Observability(this.parts.alarms, 'Observability', {
      config: props.config,
      httpApi: this.httpApi.api,
      webSocketApi: this.webSocketApi.api,
      webSocketStageName: WS_STAGE_NAME,
      functions: [...this.httpApi.functions, ...this.webSocketApi.functions],
      tables: props.data.tables,
    });

    const domain = customDomain?.name ?? this.edge.distribution.distributionDomainName;
    new CfnOutput(this, 'ApiUrl', { value: `https://${domain}`, description: 'Public HTTPS base URL' });
    new CfnOutput(this, 'WebSocketUrl', { value: `wss://${domain}/${WS_STAGE_NAME}`, description: 'Public WSS URL' });
    new CfnOutput(this, 'AppUrl', { value: `https://${domain}${APP_PATH}/`, description: 'The web app' });
    new CfnOutput(this, 'Region', { value: this.region });
  }
}
