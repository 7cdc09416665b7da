/** Creates the tables of lambdas/tables.ts in DynamoDB Local; existing ones get any index they lack. */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
} from '@aws-sdk/client-dynamodb';
import type { IndexDefinition, TableDefinition } from '#lambdas/tables.ts';
import { emulatorClientConfig } from './aws.ts';
import type { LocalCredentials } from './credentials.ts';

export function createTableInput(tableName: string, table: TableDefinition) {
  const attributes = new Set<string>([table.partitionKey, ...(table.sortKey ? [table.sortKey] : [])]);
  for (const index of Object.values(table.indexes)) {
    attributes.add(index.partitionKey);
    if (index.sortKey) attributes.add(index.sortKey);
  }
  const keySchema = (pk: string, sk?: string) => [
    { AttributeName: pk, KeyType: 'HASH' as const },
    ...(sk ? [{ AttributeName: sk, KeyType: 'RANGE' as const }] : []),
  ];
  const indexes = Object.entries(table.indexes);
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [...attributes].map((name): AttributeDefinition => ({
      AttributeName: name,
      AttributeType: 'S',
    })),
    KeySchema: keySchema(table.partitionKey, table.sortKey),
    ...(indexes.length
      ? {
          GlobalSecondaryIndexes: indexes.map(([indexName, index]: [string, IndexDefinition]) => ({
            IndexName: indexName,
            KeySchema: keySchema(index.partitionKey, index.sortKey),
            Projection:
              index.projection?.length === 0
                ? { ProjectionType: 'KEYS_ONLY' as const }
                : index.projection
                  ? { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...index.projection] }
                  : { ProjectionType: 'ALL' as const },
          })),
        }
      : {}),
  };
}

/**
 * A data folder from an older version of the project may lack an index declared since, or hold
 * one of another projection: (re)create it, so `npm start` on kept data never meets a table of the
 * wrong shape. DynamoDB fills a new index from the items that carry its keys.
 */
async function addMissingIndexes(client: DynamoDBClient, name: string, table: TableDefinition): Promise<void> {
  const description = (await client.send(new DescribeTableCommand({ TableName: name }))).Table;
  const present = new Map((description?.GlobalSecondaryIndexes ?? []).map((index) => [index.IndexName, index]));
  const wanted = createTableInput(name, table);
  const shape = (projection: { ProjectionType?: string; NonKeyAttributes?: string[] } | undefined) =>
    JSON.stringify([projection?.ProjectionType, [...(projection?.NonKeyAttributes ?? [])].sort()]);
  for (const index of wanted.GlobalSecondaryIndexes ?? []) {
    const existing = present.get(index.IndexName);
    if (existing && shape(existing.Projection) === shape(index.Projection)) continue;
    if (existing) {
      await client.send(
        new UpdateTableCommand({
          TableName: name,
          GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: index.IndexName } }],
        }),
      );
    }
    const names = new Set(index.KeySchema!.map((k) => k.AttributeName!));
    await client.send(
      new UpdateTableCommand({
        TableName: name,
        AttributeDefinitions: wanted.AttributeDefinitions.filter((d) => names.has(d.AttributeName!)),
        GlobalSecondaryIndexUpdates: [{ Create: index }],
      }),
    );
  }
}

export async function createTables(
  endpoint: string,
  definitions: Record<string, TableDefinition>,
  tableName: (key: string) => string,
  credentials: LocalCredentials,
): Promise<void> {
  const client = new DynamoDBClient(emulatorClientConfig(endpoint, credentials));
  try {
    const existing = new Set((await client.send(new ListTablesCommand({}))).TableNames ?? []);
    for (const [key, table] of Object.entries(definitions)) {
      const name = tableName(key);
      if (existing.has(name)) {
        await addMissingIndexes(client, name, table);
        continue;
      }
      await client.send(new CreateTableCommand(createTableInput(name, table)));
      if (table.ttlAttribute) {
        await client.send(
          new UpdateTimeToLiveCommand({
            TableName: name,
            TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true },
          }),
        );
      }
    }
  } finally {
    client.destroy();
  }
}
