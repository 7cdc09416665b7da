/** Stateful: the DynamoDB tables of lambdas/tables.ts. */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { tables as definitions, type IndexDefinition, type TableKey } from '#lambdas/tables.ts';
import type { StageConfig } from '../config.ts';

export class DataTables extends Construct {
  readonly tables: Record<TableKey, dynamodb.TableV2>;

  constructor(scope: Construct, id: string, config: StageConfig) {
    super(scope, id);
    const attribute = (name: string) => ({ name, type: dynamodb.AttributeType.STRING });
    this.tables = Object.fromEntries(
      Object.entries(definitions).map(([key, definition]) => {
        const indexes = Object.entries(definition.indexes as Record<string, IndexDefinition>);
        const table = new dynamodb.TableV2(this, `${key[0]!.toUpperCase()}${key.slice(1)}Table`, {
          partitionKey: attribute(definition.partitionKey),
          ...('sortKey' in definition ? { sortKey: attribute(definition.sortKey) } : {}),
          billing: dynamodb.Billing.onDemand(),
          encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
          pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: !('shortLived' in definition) },
          deletionProtection: config.retainData,
          removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
          ...(definition.ttlAttribute ? { timeToLiveAttribute: definition.ttlAttribute } : {}),
          globalSecondaryIndexes: indexes.map(([indexName, index]) => ({
            indexName,
            partitionKey: attribute(index.partitionKey),
            ...(index.sortKey ? { sortKey: attribute(index.sortKey) } : {}),
            ...(index.projection?.length === 0
              ? { projectionType: dynamodb.ProjectionType.KEYS_ONLY }
              : index.projection
                ? { projectionType: dynamodb.ProjectionType.INCLUDE, nonKeyAttributes: [...index.projection] }
                : {}),
          })),
        });
        return [key, table];
      }),
    ) as Record<TableKey, dynamodb.TableV2>;
  }
}
