/** Stateful: tables and the user pool. Kept apart so the stateless stack can be replaced freely. */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config.ts';
import { DataTables } from '../constructs/data.ts';
import { Identity } from '../constructs/identity.ts';

export class StatefulStack extends Stack {
  readonly data: DataTables;
  readonly identity: Identity;

  constructor(scope: Construct, id: string, props: StackProps & { config: StageConfig }) {
    super(scope, id, props);
    this.data = new DataTables(this, 'Data', props.config);
    this.identity = new Identity(this, 'Identity', props.config);
    // Outputs live where their resources do (re-exporting an import is a cfn-lint warning, W6001).
    new CfnOutput(this, 'UserPoolId', { value: this.identity.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.identity.userPoolClient.userPoolClientId });
    new CfnOutput(this, 'MainTableName', { value: this.data.tables.main.tableName });
  }
}
