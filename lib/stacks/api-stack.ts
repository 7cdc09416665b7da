/**
 * Stateless: functions, both APIs, CloudFront with the WAF, alarms and the dashboard. The
 * per-route resources (about nine a function with its alarms) live in nested stacks — one per
 * API and one for alarms — so each template stays far under CloudFormation's 500 resources as
 * routes are added, while the stage still deploys as one stack with one set of outputs.
 * (Nested stacks take references as parameters: no exports that would pin a value in place.)
 */
import { CfnOutput, CfnParameter, NestedStack, Stack, type StackProps } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { originHosts, type StageConfig } from '../config.ts';
import type { DataTables } from '../constructs/data.ts';
import { Edge } from '../constructs/edge.ts';
import { OriginDomains } from '../constructs/origin-domains.ts';
import { HttpApi } from '../constructs/http-api.ts';
import type { Identity } from '../constructs/identity.ts';
import { Notifications } from '../constructs/notifications.ts';
import { Backfill } from '../constructs/backfill.ts';
import { AttachmentChecks } from '../constructs/attachment-checks.ts';
import type { OrderChatFunction } from '../constructs/order-chat-function.ts';
import { Observability } from '../constructs/observability.ts';
import type { FunctionContext } from '../constructs/order-chat-function.ts';
import { WebApp } from '../constructs/web-app.ts';
import { WebSocketApi, WS_STAGE_NAME } from '../constructs/websocket-api.ts';
import { APP_PATH } from '../../web/build.ts';

export interface ApiStackProps extends StackProps {
  config: StageConfig;
  data: DataTables;
  identity: Identity;
  attachments: s3.IBucket;
  webAclArn: string;
}

export class ApiStack extends Stack {
  readonly httpApi: HttpApi;
  readonly webSocketApi: WebSocketApi;
  readonly edge: Edge;
  readonly webApp: WebApp;
  readonly observability: Observability;
  readonly notifications: Notifications;
  /** Fills in what data from an earlier release lacks, after each deploy. */
  readonly backfill: OrderChatFunction;
  /** Chat attachments' bucket (the stateful stack's). */
  readonly attachmentsBucket: s3.IBucket;
  /** Checks each uploaded file (S3's Object Created events, through EventBridge). */
  readonly attachmentChecks: OrderChatFunction;
  /**
   * The nested stacks, each a template of its own: the WebSocket API, the HTTP API (with its stage
   * and authorizers), one per tag of HTTP routes (`httpAuth`, `httpOrders`, …: the routes, their
   * functions and integrations), and the alarms.
   */
  readonly parts: Record<string, NestedStack>;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    this.attachmentsBucket = props.attachments;
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
    const unsubscribeSecret = secret('UnsubscribeSecret', "HMAC key of the notification e-mails' unsubscribe links");

    // Routes are added below, once the callback URL exists for the functions' environment.
    const webSocket = new NestedStack(this, 'WebSocket', { description: 'The WebSocket API and its functions' });
    const http = new NestedStack(this, 'Http', { description: 'The HTTP API, its stage and authorizers' });
    const alarms = new NestedStack(this, 'Alarms', { description: 'Alarms, their topic and the dashboard' });
    this.webSocketApi = new WebSocketApi(webSocket, 'WebSocketApi', { config: props.config });
    const functionContext: FunctionContext = {
      config: props.config,
      tables: props.data.tables,
      userPool: props.identity.userPool,
      userPoolClient: props.identity.userPoolClient,
      // Read from Secrets Manager by the functions the route table gives them to (lambdas/shared/secrets.ts).
      secrets: {
        ORIGIN_VERIFY_SECRET: originVerifySecret,
        CURSOR_SECRET: cursorSecret,
        UNSUBSCRIBE_SECRET: unsubscribeSecret,
      },
      attachments: props.attachments,
      environment: {
        ATTACHMENTS_BUCKET: props.attachments.bucketName,
        ATTACHMENT_MAX_BYTES: String(props.config.attachments.maxBytes),
        ATTACHMENT_RETENTION_DAYS: String(props.config.attachments.retentionDays),
        WS_CALLBACK_URL: this.webSocketApi.callbackUrl,
        // When a message, a status change or a new order is e-mailed to whoever is away.
        NOTIFY_DELAY_SECONDS: String(props.config.notifications.delaySeconds),
        NOTIFY_GAP_SECONDS: String(props.config.notifications.minGapSeconds),
        NOTIFY_RETRY_SECONDS: String(props.config.notifications.retrySeconds),
      },
    };
    // A nested stack per tag of HTTP routes: a template holds at most 500 resources, and each route
    // brings about seven (its function, role, policy, log group, permission, integration, route).
    const routeGroups = new Map<string, NestedStack>();
    const groupOf = (tag: string) => {
      let group = routeGroups.get(tag);
      if (!group) {
        group = new NestedStack(this, `Http${tag}`, {
          description: `The HTTP API's ${tag} routes and their functions`,
        });
        routeGroups.set(tag, group);
      }
      return group;
    };
    // Named by us, so the grant (and its cdk-nag acknowledgement) reads the same in every synth; made
    // only in the nested stacks whose functions post to @connections (an unused parameter is a lint).
    const webSocketApiIds = new Map<NestedStack, string>();
    const webSocketApiIdIn = (stack: NestedStack) => {
      let id = webSocketApiIds.get(stack);
      if (id === undefined) {
        id = new CfnParameter(stack, 'WebSocketApiId', {
          description: 'The WebSocket API whose @connections the HTTP functions post to',
        }).valueAsString;
        stack.setParameter('WebSocketApiId', this.webSocketApi.api.apiId);
        webSocketApiIds.set(stack, id);
      }
      return id;
    };
    this.httpApi = new HttpApi(http, 'HttpApi', {
      functionContext,
      grantManageConnections: (fn) =>
        this.webSocketApi.grantManageConnections(fn, webSocketApiIdIn(Stack.of(fn) as NestedStack)),
      scopeOf: (route) => groupOf(route.tag),
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
      // Presigned URLs name the bucket's regional host (the SDK's virtual-hosted style).
      attachmentsOrigin: `https://${props.attachments.bucketRegionalDomainName}`,
    });
    this.webApp.deploy(this.edge.distribution, props.config.logRetentionDays);
    if (customDomain) originDomains!.aliasDistribution(customDomain, this.edge.distribution);

    const domain = customDomain?.name ?? this.edge.distribution.distributionDomainName;
    const jobs = new NestedStack(this, 'Jobs', {
      description: 'Work off the routes: the notification e-mails, the backfill after a deploy, the checks of uploads',
    });
    this.notifications = new Notifications(jobs, 'Notifications', {
      context: functionContext,
      appUrl: `https://${domain}${APP_PATH}/`,
    });
    this.backfill = new Backfill(jobs, 'Backfill', { context: functionContext }).function;
    this.attachmentChecks = new AttachmentChecks(jobs, 'AttachmentChecks', {
      context: functionContext,
      bucketName: props.attachments.bucketName,
    }).function;
    // It tells an uploader the verdict on their open sockets.
    this.webSocketApi.grantManageConnections(this.attachmentChecks, webSocketApiIdIn(jobs));

    this.observability = new Observability(alarms, 'Observability', {
      config: props.config,
      httpApi: this.httpApi.api,
      webSocketApi: this.webSocketApi.api,
      webSocketStageName: WS_STAGE_NAME,
      functions: [
        ...this.httpApi.functions,
        ...this.webSocketApi.functions,
        this.notifications.dispatcher,
        this.backfill,
        this.attachmentChecks,
      ],
      parkedNotifications: this.notifications.parked,
      tables: props.data.tables,
    });

    this.parts = {
      webSocket,
      http,
      ...Object.fromEntries([...routeGroups].map(([tag, group]) => [`http${tag}`, group])),
      jobs,
      alarms,
    };

    new CfnOutput(this, 'ApiUrl', { value: `https://${domain}`, description: 'Public HTTPS base URL' });
    new CfnOutput(this, 'WebSocketUrl', { value: `wss://${domain}/${WS_STAGE_NAME}`, description: 'Public WSS URL' });
    new CfnOutput(this, 'AppUrl', { value: `https://${domain}${APP_PATH}/`, description: 'The web app' });
    new CfnOutput(this, 'Region', { value: this.region });
  }
}
