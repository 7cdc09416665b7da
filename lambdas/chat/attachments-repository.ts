// Secondary adapter: owns every key and expression of attachment records (in their room's partition)
// and of each user's daily upload allowance.
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { batchGetAll, conditionHolds, dynamo, firstConditionHolds } from '../shared/dynamo-client.ts';
import { readEnv } from '../shared/env.ts';
import type { Attachment, AttachmentStatus } from './attachment.ts';

const env = /* @__PURE__ */ readEnv({ MAIN_TABLE_NAME: {} });
const TableName = env.MAIN_TABLE_NAME;

// Beside the room's messages (MSG#…), outside their key range: no page of messages reads one.
const attachmentKey = (roomId: string, id: string) => ({ pk: `ROOM#${roomId}`, sk: `ATTACHMENT#${id}` });
const allowanceKey = (userId: string, dayStart: number) => ({ pk: `LIMIT#${userId}`, sk: `attachments#${dayStart}` });

const FIELDS = [
  'id',
  'roomId',
  'uploaderId',
  'name',
  'type',
  'size',
  'status',
  'reason',
  'createdAt',
  'messageId',
  'sentAt',
] as const;

function fromItem(item: Record<string, unknown>): Attachment {
  return Object.fromEntries(FIELDS.map((field) => [field, item[field] ?? null])) as unknown as Attachment;
}

/** An upload's day allowance: at most `count` files and `bytes` in it, counted when asked for. */
export interface Allowance {
  dayStart: number;
  count: number;
  bytes: number;
  /** When the counter goes (TTL, epoch seconds). */
  expiresAt: number;
}

/**
 * One transaction: the uploader's day counter takes the file (while it stays within the allowance)
 * and the record is written. An upload is never counted unrecorded, nor recorded uncounted.
 * False: the allowance is used up.
 */
export async function createAttachment(
  attachment: Attachment,
  allowance: Allowance,
  /** When the record goes if the file is never sent (TTL, epoch seconds). */
  unsentExpiresAt: number,
): Promise<boolean> {
  return firstConditionHolds(
    dynamo().send(
      new TransactWriteCommand({
        ClientRequestToken: attachment.id,
        TransactItems: [
          {
            Update: {
              TableName,
              Key: allowanceKey(attachment.uploaderId, allowance.dayStart),
              UpdateExpression: 'ADD #n :one, #bytes :size SET expiresAt = :expiresAt',
              ConditionExpression:
                '(attribute_not_exists(#n) OR #n < :count) AND (attribute_not_exists(#bytes) OR #bytes <= :room)',
              ExpressionAttributeNames: { '#n': 'n', '#bytes': 'bytes' },
              ExpressionAttributeValues: {
                ':one': 1,
                ':size': attachment.size,
                ':count': allowance.count,
                ':room': allowance.bytes - attachment.size,
                ':expiresAt': allowance.expiresAt,
              },
            },
          },
          {
            Put: {
              TableName,
              Item: {
                ...attachmentKey(attachment.roomId, attachment.id),
                entity: 'Attachment',
                ...attachment,
                // An upload never sent goes with its file (TTL); sending it removes this.
                expiresAt: unsentExpiresAt,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    ),
  );
}

export async function getAttachment(roomId: string, id: string): Promise<Attachment | undefined> {
  const result = await dynamo().send(
    new GetCommand({ TableName, Key: attachmentKey(roomId, id), ConsistentRead: true }),
  );
  return result.Item ? fromItem(result.Item) : undefined;
}

/** Some of a room's attachments, read consistently (a file verified a moment ago reads verified). */
export async function getAttachments(roomId: string, ids: readonly string[]): Promise<Map<string, Attachment>> {
  const found = await batchGetAll(
    TableName,
    ids.map((id) => attachmentKey(roomId, id)),
    { consistent: true },
  );
  return new Map([...found.values()].map((item) => [String(item.id), fromItem(item)]));
}

/** The check's verdict on a pending upload; false when it was checked already (events come at least once). */
export async function recordCheck(
  roomId: string,
  id: string,
  outcome: { status: Extract<AttachmentStatus, 'verified' | 'rejected'>; reason: string | null },
): Promise<boolean> {
  return conditionHolds(
    dynamo().send(
      new UpdateCommand({
        TableName,
        Key: attachmentKey(roomId, id),
        UpdateExpression: 'SET #status = :status, reason = :reason',
        ConditionExpression: '#status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': outcome.status, ':reason': outcome.reason, ':pending': 'pending' },
      }),
    ),
  );
}

/**
 * For the message's own transaction: the file is sent in it, once (it must be verified and unsent),
 * and is kept from then on (no TTL).
 */
export function sendParams(attachment: Attachment, messageId: string, sentAt: string) {
  return {
    Update: {
      TableName,
      Key: attachmentKey(attachment.roomId, attachment.id),
      UpdateExpression: 'SET #status = :sent, messageId = :messageId, sentAt = :sentAt REMOVE expiresAt',
      ConditionExpression: '#status = :verified AND uploaderId = :uploader',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':sent': 'sent',
        ':verified': 'verified',
        ':messageId': messageId,
        ':sentAt': sentAt,
        ':uploader': attachment.uploaderId,
      },
    },
  };
}
