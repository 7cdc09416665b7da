// The DynamoDB clients of a container (see aws-calls.ts).
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  QueryCommand,
  type BatchGetCommandOutput,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { CALL_LIMITS, withDeadline } from './aws-calls.ts';

let dynamoClient: DynamoDBClient | undefined;
let documentClient: DynamoDBDocumentClient | undefined;

/** The plain client under the document client (the local runtime meters and guards it). */
export function dynamoRaw(): DynamoDBClient {
  dynamoClient ??= withDeadline(new DynamoDBClient({ ...CALL_LIMITS }));
  return dynamoClient;
}

export function dynamo(): DynamoDBDocumentClient {
  documentClient ??= DynamoDBDocumentClient.from(dynamoRaw(), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return documentClient;
}

/** A conditional write: true when it was made, false when its condition did not hold; any other failure is thrown. */
export async function conditionHolds(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/**
 * A transaction whose first item is its condition: true when it was made, false when that condition did not
 * hold; any other failure (another item's condition, a conflict) is thrown.
 */
export async function firstConditionHolds(transaction: Promise<unknown>): Promise<boolean> {
  try {
    await transaction;
    return true;
  } catch (error) {
    if (
      error instanceof TransactionCanceledException &&
      error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed'
    )
      return false;
    throw error;
  }
}

/** The items of every page of a Query (one request a page: DynamoDB stops each at 1 MB). */
export async function queryEveryPage(
  query: (startKey: Record<string, unknown> | undefined) => QueryCommandInput,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo().send(new QueryCommand(query(startKey)));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** BatchGetItem takes at most 100 keys a request. */
const BATCH_KEYS = 100;

/**
 * Every item of `keys` that exists in one table, by `pk|sk`: one BatchGetItem per 100 keys, the keys
 * DynamoDB left unprocessed (throttling, its 16 MB answer) asked again with a growing wait.
 */
export async function batchGetAll(
  tableName: string,
  keys: readonly { pk: string; sk: string }[],
  options: { consistent?: boolean } = {},
): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  await Promise.all(
    Array.from({ length: Math.ceil(keys.length / BATCH_KEYS) }, async (_, i) => {
      let pending: Record<string, unknown>[] | undefined = keys.slice(i * BATCH_KEYS, (i + 1) * BATCH_KEYS);
      for (let attempt = 0; pending?.length; attempt++) {
        if (attempt === 5) throw new Error('DynamoDB left keys unprocessed five times');
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
        const result: BatchGetCommandOutput = await dynamo().send(
          new BatchGetCommand({
            RequestItems: { [tableName]: { Keys: pending, ...(options.consistent ? { ConsistentRead: true } : {}) } },
          }),
        );
        for (const item of result.Responses?.[tableName] ?? [])
          found.set(itemKey(item as { pk: string; sk: string }), item);
        pending = result.UnprocessedKeys?.[tableName]?.Keys;
      }
    }),
  );
  return found;
}

/**
 * What one repository wants from a BatchGetItem shared with others: its keys, and how it reads its
 * items from the answer. Several lookups of one table go in one request, each repository still the
 * only owner of its keys.
 */
export interface Lookup<T> {
  tableName: string;
  keys: { pk: string; sk: string }[];
  read: (found: Map<string, Record<string, unknown>>) => T;
}

/** The lookups' items (of one table), all in one BatchGetItem per 100 keys, each read by its own lookup. */
export async function batchLookup<L extends readonly Lookup<unknown>[]>(
  lookups: L,
): Promise<{ [I in keyof L]: L[I] extends Lookup<infer T> ? T : never }> {
  const tableName = lookups[0]!.tableName;
  if (lookups.some((lookup) => lookup.keys.length > 0 && lookup.tableName !== tableName))
    throw new Error('One table per batchLookup');
  const found = await batchGetAll(
    tableName,
    lookups.flatMap((lookup) => lookup.keys),
  );
  return lookups.map((lookup) => lookup.read(found)) as { [I in keyof L]: L[I] extends Lookup<infer T> ? T : never };
}

/** How batchGetAll names an item. */
export const itemKey = (key: { pk: unknown; sk: unknown }) => `${String(key.pk)}|${String(key.sk)}`;
