/**
 * CloudFront in front of both APIs, because AWS WAF cannot be attached to
 * HTTP or WebSocket APIs. CloudFront adds a secret origin-verify header; the
 * handler chain and the $connect authorizer refuse requests without it, so
 * the execute-api URLs can't be used to go around the WebACL.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { APP_PATH, appContentSecurityPolicy } from '../../web/build.ts';
import { Construct } from 'constructs';
import { ORIGIN_VERIFY_HEADER } from '#lambdas/shared/origin-verify.ts';
import type { StageConfig } from '../config.ts';
import { WS_STAGE_NAME } from './websocket-api.ts';

export interface EdgeProps {
  config: StageConfig;
  /** Where CloudFront sends API traffic: the execute-api hosts, or the custom domain's origin hosts. */
  httpOriginHost: string;
  webSocketOriginHost: string;
  originVerifySecret: secretsmanager.ISecret;
  /** ARN of the CLOUDFRONT-scope WebACL (created in us-east-1). */
  webAclArn: string;
  /** The web app's files, served at /app (see WebApp). */
  webAppBucket: s3.IBucket;
  /** The attachments bucket's origin: the app's CSP admits its images and uploads, nothing more of it. */
  attachmentsOrigin: string;
}

export class Edge extends Construct {
  readonly distribution: cloudfront.Distribution;

  constructor(scope: Construct, id: string, props: EdgeProps) {
    super(scope, id);
    const domain = props.config.customDomain;
    const customHeaders = { [ORIGIN_VERIFY_HEADER]: props.originVerifySecret.secretValue.unsafeUnwrap() };
    const apiOrigin = (host: string) =>
      new origins.HttpOrigin(host, {
        protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
        originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
        customHeaders,
        readTimeout: Duration.seconds(30),
      });

    const securityHeaders = {
      strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
      contentTypeOptions: { override: true },
      frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
      referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      xssProtection: { protection: false, override: true },
    };
    const responseHeadersPolicy = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      securityHeadersBehavior: securityHeaders,
    });

    const logBucket = new s3.Bucket(this, 'AccessLogBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // CloudFront standard logging writes with ACLs.
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(props.config.logRetentionDays) }],
      removalPolicy: props.config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      autoDeleteObjects: !props.config.retainData,
    });

    const passThrough = {
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy,
    };
    // The web app: its bucket, read by CloudFront alone, with the app's CSP; /app/ is its index.html.
    const app: cloudfront.BehaviorOptions = {
      origin: origins.S3BucketOrigin.withOriginAccessControl(props.webAppBucket),
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
      responseHeadersPolicy: new cloudfront.ResponseHeadersPolicy(this, 'AppHeaders', {
        securityHeadersBehavior: {
          ...securityHeaders,
          contentSecurityPolicy: {
            contentSecurityPolicy: appContentSecurityPolicy(undefined, props.attachmentsOrigin),
            override: true,
          },
        },
      }),
      functionAssociations: [
        {
          eventType: cloudfront.FunctionEventType.VIEWER_REQUEST,
          function: new cloudfront.Function(this, 'AppIndex', {
            runtime: cloudfront.FunctionRuntime.JS_2_0,
            comment: `${APP_PATH} and ${APP_PATH}/ are the web app's index.html`,
            code: cloudfront.FunctionCode.fromInline(
              `function handler(event) {
  var request = event.request;
  if (request.uri === '${APP_PATH}') {
    return { statusCode: 301, statusDescription: 'Moved Permanently', headers: { location: { value: '${APP_PATH}/' } } };
  }
  if (request.uri === '${APP_PATH}/') request.uri = '${APP_PATH}/index.html';
  return request;
}`,
            ),
          }),
        },
      ],
    };
    // API Gateway checks no Origin on a WebSocket upgrade: this does, at the edge, before the ticket is
    // read. The local gateway refuses the same origins in the same place (local/ws-gateway/upgrade.ts).
    const webSocket: cloudfront.BehaviorOptions = {
      origin: apiOrigin(props.webSocketOriginHost),
      ...passThrough,
      functionAssociations: [
        {
          eventType: cloudfront.FunctionEventType.VIEWER_REQUEST,
          function: new cloudfront.Function(this, 'WebSocketOrigin', {
            runtime: cloudfront.FunctionRuntime.JS_2_0,
            comment: 'Refuses WebSocket upgrades from browser origins other than this site and the CORS allow-list',
            code: cloudfront.FunctionCode.fromInline(webSocketOriginCheck(props.config.corsOrigins)),
          }),
        },
      ],
    };
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `Order Chat ${props.config.stage}: WAF in front of the HTTP and WebSocket APIs and the web app`,
      defaultBehavior: { origin: apiOrigin(props.httpOriginHost), ...passThrough },
      additionalBehaviors: {
        [`/${WS_STAGE_NAME}`]: webSocket,
        [APP_PATH]: app,
        [`${APP_PATH}/*`]: app,
      },
      ...(domain
        ? {
            domainNames: [domain.name],
            certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', domain.cloudFrontCertificateArn),
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
      webAclId: props.webAclArn,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket,
      logIncludesCookies: false,
    });
  }
}

/**
 * A CloudFront Function (viewer request): an upgrade whose Origin is neither this site's own
 * (`https://` + the Host the viewer asked for) nor in `allowed` gets 403; clients that send no
 * Origin are not browsers and pass (their ticket is their credential).
 */
export function webSocketOriginCheck(allowed: readonly string[]): string {
  return `var ALLOWED = ${JSON.stringify(allowed)};
function handler(event) {
  var request = event.request;
  var origin = request.headers.origin && request.headers.origin.value;
  if (!origin) return request;
  var host = request.headers.host && request.headers.host.value;
  if (origin === 'https://' + host || ALLOWED.indexOf(origin) !== -1) return request;
  return { statusCode: 403, statusDescription: 'Forbidden' };
}`;
}
