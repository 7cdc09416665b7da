// Secondary adapter: single-use WebSocket connect tickets (only their hash is stored).
import { createHash } from 'node:crypto';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { dynamo } from '../shared/clients.ts';
import { readEnv } from '../shared/env.ts';

const env = readEnv({ MAIN_TABLE_NAME: z.string().min(1) });
const TableName = env.MAIN_TABLE_NAME;

const ticketKey = (ticket: string) => ({
  pk: `TICKET#${createHash('sha256').update(ticket).digest('base64url')}`,
  sk: 'TICKET',
});

export async function saveTicket(ticket: string, userId: string, expiresAt: number): Promise<void> {
  await dynamo().send(new PutCommand({ TableName, Item: { ...ticketKey(ticket), userId, expiresAt } }));
}

/** Takes the ticket out in the same request that reads it: a second use finds nothing. */
export async function redeemTicket(ticket: string, nowSeconds: number): Promise<string | undefined> {
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
    return result.Attributes ? String(result.Attributes.userId) : undefined;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}
