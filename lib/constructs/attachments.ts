/**
 * The files sent in chat: a private bucket that browsers reach only through presigned requests
 * signed by the functions (a POST for an upload, a GET for a download), encrypted, TLS only, its
 * access logged. Unsent uploads (`uploads/`) expire a day after they land; sent files (`files/`)
 * after the stage's retention. Every new object is announced to EventBridge, whose rule (in the
 * API stack: AttachmentChecks) has it checked.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { FILES_PREFIX, UPLOADS_PREFIX } from '#lambdas/chat/attachment.ts';
import { ATTACHMENTS_CORS } from '../attachments-cors.ts';
import type { StageConfig } from '../config.ts';

export class AttachmentsBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, config: StageConfig) {
    super(scope, id);
    const removal = config.retainData
      ? { removalPolicy: RemovalPolicy.RETAIN }
      : { removalPolicy: RemovalPolicy.DESTROY, autoDeleteObjects: true };
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // No ACLs: S3's logging service writes under the bucket policy below.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(config.logRetentionDays) }],
      ...removal,
    });
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        { id: 'UnsentUploads', prefix: UPLOADS_PREFIX, expiration: Duration.days(1) },
        { id: 'SentFiles', prefix: FILES_PREFIX, expiration: Duration.days(config.attachments.retentionDays) },
        { id: 'IncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      cors: [
        {
          allowedMethods: ATTACHMENTS_CORS.allowedMethods.map((method) => method as s3.HttpMethods),
          // The web app's origin: the stage's domain, else its CloudFront distribution's (not known
          // to this stack, which the API stack depends on), and the stage's development origins.
          allowedOrigins: [
            config.customDomain ? `https://${config.customDomain.name}` : 'https://*.cloudfront.net',
            ...config.corsOrigins,
          ],
          allowedHeaders: ['*'],
          exposedHeaders: [...ATTACHMENTS_CORS.exposedHeaders],
          maxAge: ATTACHMENTS_CORS.maxAgeSeconds,
        },
      ],
      ...removal,
    });
    // Server access logs, delivered under a bucket policy (AWS's recommendation over the log
    // delivery group's ACL): only for this bucket, of this account.
    const bucketResource = this.bucket.node.defaultChild as s3.CfnBucket;
    bucketResource.loggingConfiguration = {
      destinationBucketName: this.accessLogs.bucketName,
      logFilePrefix: 'attachments/',
    };
    this.accessLogs.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [this.accessLogs.arnForObjects('attachments/*')],
        conditions: {
          ArnLike: { 'aws:SourceArn': this.bucket.bucketArn },
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
        },
      }),
    );
    // Every event to EventBridge, set on the bucket itself: CDK's eventBridgeEnabled would add a
    // custom resource (a function with a managed policy) to do what CloudFormation does natively.
    bucketResource.notificationConfiguration = {
      eventBridgeConfiguration: { eventBridgeEnabled: true },
    };
  }
}
