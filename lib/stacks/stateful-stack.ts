/** Stateful: tables, the user pool and the attachments' bucket. Kept apart so the stateless stack can be replaced freely. */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config.ts';
import { DataTables } from '../constructs/data.ts';
import { Identity } from '../constructs/identity.ts';
import { AttachmentsBucket } from '../constructs/attachments.ts';

export class StatefulStack extends Stack {
  readonly data: DataTables;
  readonly identity: Identity;
  readonly attachments: AttachmentsBucket;

  constructor(scope: Construct, id: string, props: StackProps & { config: StageConfig }) {
    super(scope, id, props);
    this.data = new DataTables(this, 'Data', props.config);
    this.identity = new Identity(this, 'Identity', props.config);
    this.attachments = new AttachmentsBucket(this, 'Attachments', props.config);
    // Outputs live where their resources do (re-exporting an import is a cfn-lint warning, W6001).
    new CfnOutput(this, 'UserPoolId', { value: this.identity.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.identity.userPoolClient.userPoolClientId });
    new CfnOutput(this, 'MainTableName', { value: this.data.tables.main.tableName });
    new CfnOutput(this, 'AttachmentsBucketName', { value: this.attachments.bucket.bucketName });
  }
}
