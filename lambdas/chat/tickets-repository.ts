// Secondary adapter: single-use WebSocket connect tickets (only their hash is stored).
import { createHash } from 'node:crypto';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { dynamo } from '../shared/dynamo-client.ts';
import { readEnv } from '../shared/env.ts';
import type { Session } from '../shared/caller.ts';

const env = /* @__PURE__ */ readEnv({ MAIN_TABLE_NAME: {} });
const TableName = env.MAIN_TABLE_NAME;

const ticketKey = (ticket: string) => ({
  pk: `TICKET#${createHash('sha256').update(ticket).digest('base64url')}`,
  sk: 'TICKET',
});

/** A ticket stands for the session that asked for it: the connection inherits its expiry and revocation. */
export async function saveTicket(ticket: string, session: Session, expiresAt: number): Promise<void> {
  await dynamo().send(
    new PutCommand({
      TableName,
      Item: {
        ...ticketKey(ticket),
        userId: session.userId,
        sessionId: session.id,
        sessionStartedAt: session.startedAt,
        sessionExpiresAt: session.expiresAt,
        expiresAt,
      },
    }),
  );
}

/** Takes the ticket out in the same request that reads it: a second use finds nothing. */
export async function redeemTicket(ticket: string, nowSeconds: number): Promise<Session | undefined> {
  try {
    const result = await dynamo().send(
      new DeleteCommand({
        TableName,
        Key: ticketKey(ticket),
        // TTL deletion lags: an expired ticket can still be stored.
        ConditionExpression: 'attribute_exists(pk) AND expiresAt > :now',
        ExpressionAttributeValues: { ':now': nowSeconds },
        ReturnValues: 'ALL_OLD',
      }),
    );
    const item = result.Attributes;
    if (!item) return undefined;
    return {
      userId: String(item.userId),
      id: String(item.sessionId),
      startedAt: Number(item.sessionStartedAt),
      expiresAt: Number(item.sessionExpiresAt),
    };
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}
