/** Stateful: tables and the user pool. Kept apart so the stateless stack can be replaced freely. */
import { Stack, type StackProps } from 'aws-cdk-lib';
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
  }
}
