/**
 * The web app's files in a private bucket that only CloudFront reads (origin access control), at
 * /app on the same distribution as both APIs: the app and the API share an origin and need no
 * CORS. Each deploy uploads the build (web/build.ts) and invalidates /app/* at the edge.
 */
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { APP_PATH } from '../../web/build.ts';
import { placeholderFolder, webAppFolder } from '../bundles.ts';
import { WS_STAGE_NAME } from './websocket-api.ts';

export class WebApp extends Construct {
  readonly bucket: s3.Bucket;
  deployment: s3deploy.BucketDeployment | undefined;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    // Nothing here that a deploy doesn't write again: it goes with the stack.
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });
  }

  /** Uploads the app once the distribution that serves it exists (its cache is invalidated on each deploy). */
  deploy(distribution: cloudfront.IDistribution, logRetentionDays: number): s3deploy.BucketDeployment {
    const files = Stack.of(this).bundlingRequired ? webAppFolder() : placeholderFolder();
    this.deployment = new s3deploy.BucketDeployment(this, 'Files', {
      sources: [
        s3deploy.Source.asset(files),
        // The WebSocket API is on the app's own host, at its stage's path (see Edge).
        s3deploy.Source.jsonData('config.json', { webSocketUrl: `/${WS_STAGE_NAME}` }),
      ],
      destinationBucket: this.bucket,
      destinationKeyPrefix: `${APP_PATH.slice(1)}/`,
      // Asked for again each time (a 304 when unchanged); the scripts' names change with their content.
      cacheControl: [s3deploy.CacheControl.noCache()],
      distribution,
      distributionPaths: [`${APP_PATH}/*`],
      memoryLimit: 256,
      // CDK's upload function would otherwise log to a group that never expires.
      logGroup: new logs.LogGroup(this, 'DeployLogs', {
        retention: logRetentionDays as logs.RetentionDays,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
    });
    return this.deployment;
  }
}
