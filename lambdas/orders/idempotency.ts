/**
 * Secondary adapter: the Idempotency-Key records of POST /orders. The first request with a key
 * claims it for the order it is about to write — one conditional Put of a small item, kept 24 h —
 * and a later request with the same key finds that claim instead: the same body then answers with
 * that order (writing it if the first request died before it could), another body is a 422.
 * There is no "in progress" state to wait out: a claim names the order's id and creation time,
 * so whichever request writes the order writes the same one.
 */
import { createHash } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { dynamo } from '../shared/dynamo-client.ts';
import { readEnv } from '../shared/env.ts';

const env = /* @__PURE__ */ readEnv({ IDEMPOTENCY_TABLE_NAME: {} });
const TableName = env.IDEMPOTENCY_TABLE_NAME;

/** How long a key is remembered (the table's TTL deletes records some time after). */
export const KEY_RETENTION_SECONDS = 24 * 3600;

/** What a key was first used for: the order placed with it, and a digest of the request. */
export interface KeyClaim {
  orderId: string;
  createdAt: string;
  requestDigest: string;
}

/** JSON with every object's keys in one order: the same request, whatever order its keys came in. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export const digestOf = (request: unknown): string =>
  createHash('sha256').update(canonicalJson(request)).digest('base64url');

/** Keys are the client's strings, scoped to the user: two users may pick the same one. */
const recordId = (userId: string, key: string) => `ORDER#${userId}#${digestOf(key)}`;

/**
 * Claims `key` for `claim`; answers undefined when it was free (or its record had expired), and
 * the claim it already holds otherwise.
 */
export async function claimKey(userId: string, key: string, claim: KeyClaim): Promise<KeyClaim | undefined> {
  const now = Math.floor(Date.now() / 1000);
  try {
    await dynamo().send(
      new PutCommand({
        TableName,
        Item: { id: recordId(userId, key), ...claim, expiration: now + KEY_RETENTION_SECONDS },
        ConditionExpression: 'attribute_not_exists(id) OR expiration < :now',
        ExpressionAttributeValues: { ':now': now },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return undefined;
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException) || !error.Item) throw error;
    const held = error.Item as Partial<Record<keyof KeyClaim, { S?: string }>>;
    return {
      orderId: held.orderId?.S ?? '',
      createdAt: held.createdAt?.S ?? '',
      requestDigest: held.requestDigest?.S ?? '',
    };
  }
}
