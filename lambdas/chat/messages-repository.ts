// Secondary adapter: owns every key and expression of chat messages (one partition per room).
import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { dynamo } from '../shared/dynamo-client.ts';
import { readEnv } from '../shared/env.ts';
import { roomOpenCondition } from '../orders/rooms.ts';
import { jsonBytes, type ChatMessage } from './message.ts';
import { appendParams, totalsParams } from './conversation-repository.ts';
import { notifyLaterParams } from '../notifications/schedule.ts';
import type { Conversation, Counts, LastMessage } from './conversation.ts';
import { sendParams } from './attachments-repository.ts';
import type { Attachment } from './attachment.ts';

const env = /* @__PURE__ */ readEnv({ MAIN_TABLE_NAME: {} });
const TableName = env.MAIN_TABLE_NAME;

const roomPartition = (roomId: string) => `ROOM#${roomId}`;
const messageKey = (roomId: string, id: string) => ({ pk: roomPartition(roomId), sk: `MSG#${id}` });
const dedupeKey = (roomId: string, senderId: string, clientMessageId: string) => ({
  pk: roomPartition(roomId),
  sk: `CMID#${senderId}#${clientMessageId}`,
});

function fromItem(item: Record<string, unknown>): ChatMessage {
  const { id, roomId, content, createdAt, clientMessageId, sender, attachments } = item as unknown as ChatMessage;
  return { id, roomId, content, createdAt, clientMessageId, sender, ...(attachments ? { attachments } : {}) };
}

/** A message as stored (also how `npm run bench` fills a room), with the conversation's counts as of it. */
export const messageItem = (message: ChatMessage, counts?: Counts) => ({
  ...messageKey(message.roomId, message.id),
  entity: 'ChatMessage',
  ...message,
  ...(counts ? { counts } : {}),
});

export type SaveOutcome =
  { saved: true } | { saved: false; reason: 'closed' | 'duplicate' | 'raced' | 'attachmentTaken' };

/** How a message moves its room's conversation on: read before, and what it becomes. */
export interface ConversationMove {
  before: Conversation;
  after: { counts: Counts; lastMessage: LastMessage };
  customerId: string;
  /** The order's assignee as read (a room never filed under one since is filed under them). */
  assigneeId?: string | null;
}

/**
 * One transaction: the room must still be open, the conversation is as it was read (so the counts
 * stored with the message are exact), the message is new, and its clientMessageId (per sender and
 * room) has not been used. The other side's e-mail for when they are away is scheduled with it, so
 * a stored message is never one nobody is told of.
 */
export function saveMessageParams(message: ChatMessage, move: ConversationMove, files: readonly Attachment[] = []) {
  return {
    // The SDK's own retry after a timeout reuses this token, and DynamoDB applies a
    // transaction once per token (10 min): a retry can never store the message twice.
    ClientRequestToken: message.id,
    TransactItems: [
      // The room's state lives on its order: a message is stored only while the room is open.
      roomOpenCondition(message.roomId),
      appendParams(message.roomId, move.before, move.after, move.customerId, move.assigneeId ?? null),
      {
        Put: {
          TableName,
          Item: messageItem(message, move.after.counts),
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
      // After those: the reasons above are read by position.
      ...totalsParams(move.before, move.after.lastMessage.side, move.customerId),
      notifyLaterParams(
        message.roomId,
        move.after.lastMessage.side === 'customer' ? 'admins' : 'customer',
        'message',
        new Date(message.createdAt),
      ),
      // Last: each file is sent once, by this message (read by position from the end).
      ...files.map((file) => sendParams(file, message.id, message.createdAt)),
    ],
  };
}

/** `raced`: another message moved the conversation on since it was read, or was being stored (read it again, and retry). */
export async function saveMessage(
  message: ChatMessage,
  move: ConversationMove,
  files: readonly Attachment[] = [],
): Promise<SaveOutcome> {
  try {
    await dynamo().send(new TransactWriteCommand(saveMessageParams(message, move, files)));
    return { saved: true };
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const codes = (error.CancellationReasons ?? []).map((reason) => reason.Code);
    if (codes[0] === 'ConditionalCheckFailed') return { saved: false, reason: 'closed' };
    if (codes[3] === 'ConditionalCheckFailed') return { saved: false, reason: 'duplicate' };
    if (files.length && codes.slice(-files.length).includes('ConditionalCheckFailed'))
      return { saved: false, reason: 'attachmentTaken' };
    // Another message moved the conversation on, or its transaction held the item at that moment.
    if (codes[1] === 'ConditionalCheckFailed' || codes.includes('TransactionConflict')) {
      return { saved: false, reason: 'raced' };
    }
    throw error;
  }
}

/**
 * The conversation's counts as of a message of the room: undefined when the room has no such
 * message, null for one stored before read state existed (it counts as read).
 */
export async function countsAt(roomId: string, id: string): Promise<Counts | null | undefined> {
  const result = await dynamo().send(
    new GetCommand({
      TableName,
      Key: messageKey(roomId, id),
      ProjectionExpression: '#counts, pk',
      ExpressionAttributeNames: { '#counts': 'counts' },
      // A message just acknowledged is read at once.
      ConsistentRead: true,
    }),
  );
  if (!result.Item) return undefined;
  return (result.Item.counts as Counts | undefined) ?? null;
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

// Message sort keys are MSG#<ulid>; the room's other items (CMID#…) sort outside [MSG#, MSG$).
const FIRST_MESSAGE = 'MSG#';
const PAST_LAST_MESSAGE = 'MSG$';

/**
 * One Query of a page of messages, newest first (latest, or before `before`) or oldest first
 * (after `after`). The key condition stays within the messages, so no item outside them is read;
 * BETWEEN includes its bound, which the caller drops (one more item is asked for it).
 */
export function pageParams(
  roomId: string,
  direction: { before?: string; after?: string },
  limit: number,
  startKey?: Record<string, unknown>,
) {
  const newestFirst = direction.after === undefined;
  const bound = direction.after ?? direction.before;
  return {
    TableName,
    KeyConditionExpression: bound ? 'pk = :pk AND sk BETWEEN :from AND :to' : 'pk = :pk AND begins_with(sk, :msg)',
    ExpressionAttributeValues: {
      ':pk': roomPartition(roomId),
      ...(direction.after
        ? { ':from': `MSG#${direction.after}`, ':to': PAST_LAST_MESSAGE }
        : direction.before
          ? { ':from': FIRST_MESSAGE, ':to': `MSG#${direction.before}` }
          : { ':msg': FIRST_MESSAGE }),
    },
    ScanIndexForward: !newestFirst,
    Limit: limit + (bound ? 1 : 0),
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}

/**
 * A page of at most `limit` messages whose JSON takes at most `maxBytes`, returned oldest first,
 * and whether more lie beyond it. DynamoDB stops a Query at 1 MB: the page follows
 * LastEvaluatedKey until it is full, so no message is ever out of reach whatever its size. A
 * message never exceeds a page on its own (4,000 characters is at most ~13 KB of JSON), so every
 * page holds at least one.
 */
export async function messagePage(
  roomId: string,
  direction: { before?: string; after?: string },
  limit: number,
  maxBytes: number,
) {
  const bound = direction.after ?? direction.before;
  const page: ChatMessage[] = [];
  let bytes = 0;
  let hasMore = false;
  let startKey: Record<string, unknown> | undefined;
  reading: do {
    // One more than the page holds tells whether another page exists.
    const result = await dynamo().send(
      new QueryCommand(pageParams(roomId, direction, limit + 1 - page.length, startKey)),
    );
    for (const item of result.Items ?? []) {
      const message = fromItem(item);
      if (message.id === bound) continue;
      const size = jsonBytes(message) + 1;
      if (page.length === limit || bytes + size > maxBytes) {
        hasMore = true;
        break reading;
      }
      page.push(message);
      bytes += size;
    }
    startKey = result.LastEvaluatedKey;
  } while (startKey);
  return { items: direction.after === undefined ? page.reverse() : page, hasMore };
}
