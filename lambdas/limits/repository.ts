// Secondary adapter: owns the keys of per-user rate counters (one item per user, kind and window).
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionHolds, dynamo } from '../shared/dynamo-client.ts';
import { readEnv } from '../shared/env.ts';

const env = /* @__PURE__ */ readEnv({ MAIN_TABLE_NAME: {} });
const TableName = env.MAIN_TABLE_NAME;

export function countParams(userId: string, kind: string, windowStart: number, limit: number, expiresAt: number) {
  return {
    TableName,
    Key: counterKey(userId, kind, windowStart),
    UpdateExpression: 'ADD #n :one SET expiresAt = :expiresAt',
    ConditionExpression: 'attribute_not_exists(#n) OR #n < :limit',
    ExpressionAttributeNames: { '#n': 'n' },
    ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':expiresAt': expiresAt },
  };
}

/** Counts one use in the window; resolves false (and counts nothing) when the window is full. */
export async function countUse(
  userId: string,
  kind: string,
  windowStart: number,
  limit: number,
  expiresAt: number,
): Promise<boolean> {
  return conditionHolds(dynamo().send(new UpdateCommand(countParams(userId, kind, windowStart, limit, expiresAt))));
}

const counterKey = (subject: string, kind: string, windowStart: number) => ({
  pk: `LIMIT#${subject}`,
  sk: `${kind}#${windowStart}`,
});

/** What a window has counted so far (an eventually consistent read: a lag of a moment lets one more through). */
export async function countSoFar(subject: string, kind: string, windowStart: number): Promise<number> {
  const result = await dynamo().send(
    new GetCommand({
      TableName,
      Key: counterKey(subject, kind, windowStart),
      ProjectionExpression: '#n',
      ExpressionAttributeNames: { '#n': 'n' },
    }),
  );
  return Number(result.Item?.n ?? 0);
}

/** Counts one event in the window, whatever the count (failures are counted, never refused). */
export async function countEvent(subject: string, kind: string, windowStart: number, expiresAt: number): Promise<void> {
  await dynamo().send(
    new UpdateCommand({
      TableName,
      Key: counterKey(subject, kind, windowStart),
      UpdateExpression: 'ADD #n :one SET expiresAt = :expiresAt',
      ExpressionAttributeNames: { '#n': 'n' },
      ExpressionAttributeValues: { ':one': 1, ':expiresAt': expiresAt },
    }),
  );
}
