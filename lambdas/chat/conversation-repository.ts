// Secondary adapter: owns the keys of a room's conversation state (its counts, its last message,
// whether it waits for an admin) and of its members' read markers. Both live in the room's partition.
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  batchLookup,
  conditionHolds,
  dynamo,
  firstConditionHolds,
  itemKey,
  type Lookup,
} from '../shared/dynamo-client.ts';
import { readEnv } from '../shared/env.ts';
import type { Conversation, Counts, LastMessage, ReadMarker, Side, WaitingRoom } from './conversation.ts';

const env = /* @__PURE__ */ readEnv({ MAIN_TABLE_NAME: {} });
const TableName = env.MAIN_TABLE_NAME;

const stateKey = (roomId: string) => ({ pk: `ROOM#${roomId}`, sk: 'STATE' });
const markerKey = (roomId: string, userId: string) => ({ pk: `ROOM#${roomId}`, sk: `READ#${userId}` });
// What the admins wrote to a customer that they haven't read, across all their rooms; and how many rooms wait.
const unreadTotalKey = (customerId: string) => ({ pk: `USER#${customerId}`, sk: 'UNREAD' });
const WAITING_TOTAL_KEY = { pk: 'INBOX', sk: 'COUNT' };
// Only a room waiting for an admin carries these: the inbox index holds nothing else.
const INBOX = 'INBOX';
const inboxSortKey = (waitingSince: string, roomId: string) => `${waitingSince}#${roomId}`;
// A waiting room is also filed under its order's assignee (the lookup index): the inbox by assignee.
// The room's state keeps that partition (inboxPartition), set by each assignment, which a message
// that starts a wait copies; a room never assigned since falls back on the order as read.
const waitingPartition = (assigneeId: string | null | undefined) => `WAITING#${assigneeId ?? 'NONE'}`;

const NO_COUNTS: Counts = { fromCustomer: 0, fromAdmins: 0 };

function conversationOf(item: Record<string, unknown> | undefined): Conversation {
  if (!item) {
    return { version: 0, counts: NO_COUNTS, lastMessage: null, readUpTo: { customer: null, admins: null } };
  }
  return {
    // An item holding only the assignee's partition (an assignment before the first message) is version 0.
    version: Number(item.version ?? 0),
    counts: { fromCustomer: Number(item.fromCustomer ?? 0), fromAdmins: Number(item.fromAdmins ?? 0) },
    lastMessage: (item.lastMessage as LastMessage | undefined) ?? null,
    readUpTo: {
      customer: (item.customerReadUpTo as string | undefined) ?? null,
      admins: (item.adminsReadUpTo as string | undefined) ?? null,
    },
  };
}

const markerOf = (item: Record<string, unknown> | undefined): ReadMarker | null =>
  item
    ? {
        messageId: String(item.messageId),
        counts: { fromCustomer: Number(item.fromCustomer ?? 0), fromAdmins: Number(item.fromAdmins ?? 0) },
      }
    : null;

/** The room's conversation, read consistently: a message's counts are decided from it. */
export async function getConversation(roomId: string): Promise<Conversation> {
  const result = await dynamo().send(new GetCommand({ TableName, Key: stateKey(roomId), ConsistentRead: true }));
  return conversationOf(result.Item);
}

/**
 * A transaction item moving the conversation on by one message, which holds only if nobody moved it
 * since `before` was read (its version): so each message's counts are exact, and two racing senders
 * are told apart (one retries). A customer's message puts the room in the admins' inbox (keeping the
 * time it began to wait); an admin's takes it out.
 */
export function appendParams(
  roomId: string,
  before: Conversation,
  after: { counts: Counts; lastMessage: LastMessage },
  customerId: string,
  assigneeId: string | null = null,
) {
  // The inbox names the customer as they last wrote (the only writer of a waiting room's last message).
  const waits = after.lastMessage.side === 'customer';
  return {
    Update: {
      TableName,
      Key: stateKey(roomId),
      UpdateExpression: [
        'SET entity = :entity, roomId = :roomId, version = :next, fromCustomer = :fromCustomer,',
        'fromAdmins = :fromAdmins, lastMessage = :last, customerId = :customerId',
        waits
          ? ', customerName = :customerName, waitingSince = if_not_exists(waitingSince, :at), gsi6pk = :inbox, gsi6sk = if_not_exists(gsi6sk, :inboxSk), gsi8pk = if_not_exists(inboxPartition, :waitingFor), gsi8sk = if_not_exists(gsi8sk, :inboxSk)'
          : ' REMOVE waitingSince, gsi6pk, gsi6sk, gsi8pk, gsi8sk',
      ].join(' '),
      ConditionExpression: before.version === 0 ? 'attribute_not_exists(version)' : 'version = :version',
      ExpressionAttributeValues: {
        ':entity': 'Conversation',
        ':roomId': roomId,
        ':next': before.version + 1,
        ':fromCustomer': after.counts.fromCustomer,
        ':fromAdmins': after.counts.fromAdmins,
        ':last': after.lastMessage,
        ':customerId': customerId,
        ...(before.version === 0 ? {} : { ':version': before.version }),
        ...(waits
          ? {
              ':customerName': after.lastMessage.senderName,
              ':at': after.lastMessage.createdAt,
              ':inbox': INBOX,
              ':inboxSk': inboxSortKey(after.lastMessage.createdAt, roomId),
              ':waitingFor': waitingPartition(assigneeId),
            }
          : {}),
      },
    },
  };
}

/**
 * Transaction items keeping the totals with a message: the customer's unread total rises with an
 * admin's message; the count of waiting rooms rises when a customer's message starts a wait and
 * falls when an admin's ends one. Counters (ADD): racing messages never lose a count.
 */
export function totalsParams(before: Conversation, side: Side, customerId: string) {
  const add = (Key: { pk: string; sk: string }, by: number) => ({ Update: addToTotal(Key, by) });
  const waited = before.lastMessage?.side === 'customer';
  return [
    ...(side === 'admins' ? [add(unreadTotalKey(customerId), 1)] : []),
    ...(side === 'customer' && !waited ? [add(WAITING_TOTAL_KEY, 1)] : []),
    ...(side === 'admins' && waited ? [add(WAITING_TOTAL_KEY, -1)] : []),
  ];
}

/** Adds `by` to a total (a counter: ADD never loses a racing change). */
const addToTotal = (Key: { pk: string; sk: string }, by: number) => ({
  TableName,
  Key,
  UpdateExpression: 'SET entity = :entity ADD #total :by',
  ExpressionAttributeNames: { '#total': 'total' },
  ExpressionAttributeValues: { ':entity': 'Total', ':by': by },
});

/** A closed room waits for nobody: it leaves the inbox (and the waiting count). False when it wasn't in it. */
export async function stopWaiting(roomId: string): Promise<boolean> {
  return firstConditionHolds(
    dynamo().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName,
              Key: stateKey(roomId),
              UpdateExpression: 'REMOVE waitingSince, gsi6pk, gsi6sk, gsi8pk, gsi8sk',
              ConditionExpression: 'attribute_exists(gsi6pk)',
            },
          },
          { Update: addToTotal(WAITING_TOTAL_KEY, -1) },
        ],
      }),
    ),
  );
}

/** A customer read `count` more of the admins' messages: their unread total falls with it. */
export async function lowerUnreadTotal(customerId: string, count: number): Promise<void> {
  await dynamo().send(new UpdateCommand(addToTotal(unreadTotalKey(customerId), -count)));
}

/**
 * The caller's total for the lists, for a shared BatchGetItem: a customer's unread messages across
 * their rooms, an admin's rooms waiting for an answer. Never below 0 (messages from before the
 * totals were kept were never counted in).
 */
export function totalLookup(userId: string, isAdmin: boolean): Lookup<number> {
  const key = isAdmin ? WAITING_TOTAL_KEY : unreadTotalKey(userId);
  return {
    tableName: TableName,
    keys: [key],
    read: (found) => Math.max(0, Number(found.get(itemKey(key))?.total ?? 0)),
  };
}

/**
 * Moves a member's marker to `messageId`, never back (message ids sort in the order they were
 * written): the counts it stood at before, or undefined when it already stood there or further.
 */
export async function moveMarker(roomId: string, userId: string, marker: ReadMarker): Promise<Counts | undefined> {
  try {
    const result = await dynamo().send(
      new UpdateCommand({
        TableName,
        Key: markerKey(roomId, userId),
        UpdateExpression: 'SET messageId = :id, fromCustomer = :fromCustomer, fromAdmins = :fromAdmins',
        ConditionExpression: 'attribute_not_exists(pk) OR messageId < :id',
        ExpressionAttributeValues: {
          ':id': marker.messageId,
          ':fromCustomer': marker.counts.fromCustomer,
          ':fromAdmins': marker.counts.fromAdmins,
        },
        ReturnValues: 'UPDATED_OLD',
      }),
    );
    // A first marker had no counts: nothing was read before it.
    return {
      fromCustomer: Number(result.Attributes?.fromCustomer ?? 0),
      fromAdmins: Number(result.Attributes?.fromAdmins ?? 0),
    };
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}

/**
 * Moves a side's receipt (what the customer, or any admin, has read up to) forward only. False when
 * it stood there or further already.
 */
export async function moveReceipt(roomId: string, side: Side, messageId: string): Promise<boolean> {
  const attribute = side === 'customer' ? 'customerReadUpTo' : 'adminsReadUpTo';
  return conditionHolds(
    dynamo().send(
      new UpdateCommand({
        TableName,
        Key: stateKey(roomId),
        UpdateExpression: 'SET #receipt = :id',
        // Only a conversation that has messages has receipts.
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#receipt) OR #receipt < :id)',
        ExpressionAttributeNames: { '#receipt': attribute },
        ExpressionAttributeValues: { ':id': messageId },
      }),
    ),
  );
}

/**
 * Each room's conversation and the user's marker in it: one BatchGetItem per 50 rooms (a page of
 * orders).
 */
export async function conversationsWithMarkers(roomIds: readonly string[], userId: string) {
  return (await batchLookup([conversationsLookup(roomIds, userId)] as const))[0];
}

/** As conversationsWithMarkers, for a shared BatchGetItem. */
export function conversationsLookup(
  roomIds: readonly string[],
  userId: string,
): Lookup<Map<string, { conversation: Conversation; marker: ReadMarker | null }>> {
  return {
    tableName: TableName,
    keys: roomIds.flatMap((roomId) => [stateKey(roomId), markerKey(roomId, userId)]),
    read: (found) => conversationsFrom(found, roomIds, userId),
  };
}

function conversationsFrom(found: Map<string, Record<string, unknown>>, roomIds: readonly string[], userId: string) {
  return new Map(
    roomIds.map((roomId) => {
      const state = stateKey(roomId);
      const marker = markerKey(roomId, userId);
      return [
        roomId,
        {
          conversation: conversationOf(found.get(itemKey(state))),
          marker: markerOf(found.get(itemKey(marker))),
        },
      ];
    }),
  );
}

/**
 * A room's conversation and several members' markers in it (the e-mail dispatcher's recipients),
 * for a shared BatchGetItem (eventually consistent: an e-mail minutes later needs no more).
 */
export function conversationLookup(
  roomId: string,
  userIds: readonly string[],
): Lookup<{ conversation: Conversation; markers: Map<string, ReadMarker | null> }> {
  return {
    tableName: TableName,
    keys: [stateKey(roomId), ...userIds.map((userId) => markerKey(roomId, userId))],
    read: (found) => ({
      conversation: conversationOf(found.get(itemKey(stateKey(roomId)))),
      markers: new Map(userIds.map((userId) => [userId, markerOf(found.get(itemKey(markerKey(roomId, userId))))])),
    }),
  };
}

/**
 * Files the room under its order's assignee (undefined: nobody) as of the order's `version`: kept
 * on the room's state for the message that next starts a wait, and moved at once if it waits now.
 * An assignment older than the one recorded changes nothing, so a late write can't undo a newer one.
 */
export async function fileUnderAssignee(roomId: string, assigneeId: string | undefined, version: number) {
  const partition = waitingPartition(assigneeId);
  const values = { ':partition': partition, ':version': version };
  let waits: boolean;
  try {
    const recorded = await dynamo().send(
      new UpdateCommand({
        TableName,
        Key: stateKey(roomId),
        UpdateExpression: 'SET inboxPartition = :partition, assignedAtVersion = :version',
        ConditionExpression: 'attribute_not_exists(assignedAtVersion) OR assignedAtVersion <= :version',
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    waits = recorded.Attributes?.gsi6pk !== undefined && recorded.Attributes.gsi8pk !== partition;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return;
    throw error;
  }
  // A room waiting now moves at once (the condition: unless a newer assignment came in between, or
  // an answer ended the wait). One that starts waiting later copies the partition itself.
  if (!waits) return;
  await conditionHolds(
    dynamo().send(
      new UpdateCommand({
        TableName,
        Key: stateKey(roomId),
        UpdateExpression: 'SET gsi8pk = :partition',
        ConditionExpression: 'attribute_exists(gsi6pk) AND assignedAtVersion = :version',
        ExpressionAttributeValues: values,
      }),
    ),
  );
}

/**
 * For a room that began waiting before waiting rooms were filed by assignee: the write that files it
 * under its recorded assignee (nobody, for a room never assigned since).
 */
export function lookupBackfill(item: Record<string, unknown>) {
  if (item.entity !== 'Conversation' || item.gsi6pk === undefined || item.gsi8pk !== undefined) return undefined;
  return {
    TableName,
    Key: stateKey(String(item.roomId)),
    UpdateExpression: 'SET gsi8pk = if_not_exists(inboxPartition, :none), gsi8sk = gsi6sk',
    ConditionExpression: 'attribute_exists(gsi6pk) AND attribute_not_exists(gsi8pk)',
    ExpressionAttributeValues: { ':none': waitingPartition(undefined) },
  };
}

/** Which rooms an inbox page shows: every waiting room, or those of one assignee's orders (null: nobody's). */
export type InboxScope = { assigneeId?: string | null };

export const inboxPartitionOf = (scope: InboxScope) =>
  scope.assigneeId === undefined ? INBOX : waitingPartition(scope.assigneeId);

export function inboxParams(limit: number, startKey: Record<string, unknown> | undefined, scope: InboxScope = {}) {
  const byAssignee = scope.assigneeId !== undefined;
  return {
    TableName,
    IndexName: byAssignee ? 'lookup' : 'inbox',
    KeyConditionExpression: byAssignee ? 'gsi8pk = :inbox' : 'gsi6pk = :inbox',
    ExpressionAttributeValues: { ':inbox': inboxPartitionOf(scope) },
    // Oldest wait first.
    ScanIndexForward: true,
    Limit: limit,
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}

/** A page of the rooms waiting for an admin, oldest wait first: one Query of the inbox index. */
export async function inboxPage(limit: number, startKey: Record<string, unknown> | undefined, scope: InboxScope = {}) {
  const result = await dynamo().send(new QueryCommand(inboxParams(limit, startKey, scope)));
  const items: WaitingRoom[] = (result.Items ?? []).map((item) => ({
    roomId: String(item.roomId),
    customer: { id: String(item.customerId), name: String(item.customerName) },
    waitingSince: String(item.waitingSince),
    lastMessage: item.lastMessage as LastMessage,
  }));
  return { items, lastKey: result.LastEvaluatedKey };
}
