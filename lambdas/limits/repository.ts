// Secondary adapter: owns the keys of per-user rate counters (one item per user, kind and window).
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionHolds, dynamo } from '../shared/dynamo-client.ts';
import { readEnv } from '../shared/env.ts';

const env = /* @__PURE__ */ readEnv({ MAIN_TABLE_NAME: {} });
const TableName = env.MAIN_TABLE_NAME;

export function countParams(userId: string, kind: string, windowStart: number, limit: number, expiresAt: number) {
  return {
    TableName,
    Key: { pk: `LIMIT#${userId}`, sk: `${kind}#${windowStart}` },
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
