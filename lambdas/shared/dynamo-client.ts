// The DynamoDB clients of a container (see aws-calls.ts).
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
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
