// Secondary adapter: owns every key and expression of chat messages (one partition per room).
import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { dynamo } from '../shared/dynamo-client.ts';
import { readEnv } from '../shared/env.ts';
import { roomOpenCondition } from '../orders/rooms.ts';
import type { ChatMessage } from './message.ts';

const env = /* @__PURE__ */ readEnv({ MAIN_TABLE_NAME: {} });
const TableName = env.MAIN_TABLE_NAME;

const roomPartition = (roomId: string) => `ROOM#${roomId}`;
const messageKey = (roomId: string, id: string) => ({ pk: roomPartition(roomId), sk: `MSG#${id}` });
const dedupeKey = (roomId: string, senderId: string, clientMessageId: string) => ({
  pk: roomPartition(roomId),
  sk: `CMID#${senderId}#${clientMessageId}`,
});

function fromItem(item: Record<string, unknown>): ChatMessage {
  const { id, roomId, content, createdAt, clientMessageId, sender } = item as unknown as ChatMessage;
  return { id, roomId, content, createdAt, clientMessageId, sender };
}

/** A message as stored (also how `npm run bench` fills a room). */
export const messageItem = (message: ChatMessage) => ({
  ...messageKey(message.roomId, message.id),
  entity: 'ChatMessage',
  ...message,
});

export type SaveOutcome = { saved: true } | { saved: false; reason: 'closed' | 'duplicate' };

/**
 * One transaction: the room must still be open, the message is new, and its
 * clientMessageId (per sender and room) has not been used.
 */
export function saveMessageParams(message: ChatMessage) {
  return {
    // The SDK's own retry after a timeout reuses this token, and DynamoDB applies a
    // transaction once per token (10 min): a retry can never store the message twice.
    ClientRequestToken: message.id,
    TransactItems: [
      // The room's state lives on its order: a message is stored only while the room is open.
      roomOpenCondition(message.roomId),
      {
        Put: {
          TableName,
          Item: messageItem(message),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      ...(message.clientMessageId
        ? [
            {
              Put: {
                TableName,
                Item: {
                  ...dedupeKey(message.roomId, message.sender.id, message.clientMessageId),
                  messageId: message.id,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ]
        : []),
    ],
  };
}

export async function saveMessage(message: ChatMessage): Promise<SaveOutcome> {
  try {
    await dynamo().send(new TransactWriteCommand(saveMessageParams(message)));
    return { saved: true };
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const codes = (error.CancellationReasons ?? []).map((reason) => reason.Code);
    if (codes[0] === 'ConditionalCheckFailed') return { saved: false, reason: 'closed' };
    if (codes[2] === 'ConditionalCheckFailed') return { saved: false, reason: 'duplicate' };
    throw error;
  }
}

export async function findByClientMessageId(roomId: string, senderId: string, clientMessageId: string) {
  const dedupe = await dynamo().send(
    new GetCommand({ TableName, Key: dedupeKey(roomId, senderId, clientMessageId), ConsistentRead: true }),
  );
  if (!dedupe.Item) return undefined;
  const message = await dynamo().send(
    new GetCommand({ TableName, Key: messageKey(roomId, String(dedupe.Item.messageId)), ConsistentRead: true }),
  );
  return message.Item ? fromItem(message.Item) : undefined;
}

/** A page of messages, returned oldest first, plus whether more lie beyond it. */
export function pageParams(roomId: string, direction: { before?: string; after?: string }, limit: number) {
  const newestFirst = direction.after === undefined;
  const bound = direction.after ?? direction.before;
  return {
    TableName,
    KeyConditionExpression: bound
      ? `pk = :pk AND sk ${direction.after ? '>' : '<'} :bound`
      : 'pk = :pk AND begins_with(sk, :msg)',
    ExpressionAttributeValues: {
      ':pk': roomPartition(roomId),
      ...(bound ? { ':bound': `MSG#${bound}` } : { ':msg': 'MSG#' }),
    },
    ScanIndexForward: !newestFirst,
    // One more than asked tells whether another page exists.
    Limit: limit + 1,
  };
}

export async function messagePage(roomId: string, direction: { before?: string; after?: string }, limit: number) {
  const params = pageParams(roomId, direction, limit);
  const result = await dynamo().send(new QueryCommand(params));
  // `sk < MSG#x` also reaches the CMID# items below MSG#; keep messages only.
  const items = (result.Items ?? []).filter((item) => String(item.sk).startsWith('MSG#')).map(fromItem);
  const hasMore = items.length > limit;
  const page = items.slice(0, limit);
  const oldestFirst = direction.after === undefined ? page.reverse() : page;
  return { items: oldestFirst, hasMore };
}
