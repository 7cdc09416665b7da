// Secondary adapter: owns the keys of pending notifications (one per room and side, due at a time),
// parked ones, what each member was last e-mailed about a room, and the admins' roster.
import { DeleteCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { ulid } from 'ulid';
import type { Side } from '../chat/conversation.ts';
import { batchLookup, conditionHolds, dynamo, itemKey, queryEveryPage, type Lookup } from '../shared/dynamo-client.ts';
import { readEnv } from '../shared/env.ts';
import {
  preferencesOf as withDefaults,
  type MailedRecord,
  type NotificationPreferences,
  type PendingNotification,
  type Reason,
  type Topic,
} from './notification.ts';

const env = /* @__PURE__ */ readEnv({ MAIN_TABLE_NAME: {} });
const TableName = env.MAIN_TABLE_NAME;

const pendingKey = (roomId: string, side: Side) => ({ pk: `ROOM#${roomId}`, sk: `NOTIFY#${side}` });
const mailedKey = (roomId: string, userId: string) => ({ pk: `ROOM#${roomId}`, sk: `MAILED#${userId}` });
const rosterKey = (userId: string) => ({ pk: 'ADMINS', sk: `USER#${userId}` });
// Only pending notifications carry these (gsi7pk DUE; parked ones PARKED): the index holds nothing else.
const DUE = 'DUE';
const PARKED = 'PARKED';
const dueSortKey = (dueAt: string, roomId: string, side: Side) => `${dueAt}#${roomId}#${side}`;

/**
 * Something happened in a room that `side` may need to hear of: its pending notification gets the
 * reason, and is due `delaySeconds` after its first event (a later event never puts it off). An
 * Update, so it can join the transaction that stores the event (a message), and is never lost apart
 * from it.
 */
export function scheduleParams(
  roomId: string,
  side: Side,
  reasons: readonly Reason[],
  now: Date,
  delaySeconds: number,
) {
  const dueAt = new Date(now.getTime() + delaySeconds * 1000).toISOString();
  return {
    TableName,
    Key: pendingKey(roomId, side),
    UpdateExpression: [
      'SET entity = :entity, roomId = :roomId, side = :side, notificationId = if_not_exists(notificationId, :id),',
      'dueAt = if_not_exists(dueAt, :dueAt), gsi7pk = :due, gsi7sk = if_not_exists(gsi7sk, :dueSk),',
      'attempts = if_not_exists(attempts, :zero) ADD reasons :reasons, version :one',
    ].join(' '),
    ExpressionAttributeValues: {
      ':entity': 'PendingNotification',
      ':roomId': roomId,
      ':side': side,
      ':id': ulid(),
      ':dueAt': dueAt,
      ':due': DUE,
      ':dueSk': dueSortKey(dueAt, roomId, side),
      ':zero': 0,
      ':reasons': new Set(reasons),
      ':one': 1,
    },
  };
}

export async function schedule(
  roomId: string,
  side: Side,
  reasons: readonly Reason[],
  delaySeconds: number,
): Promise<void> {
  await dynamo().send(new UpdateCommand(scheduleParams(roomId, side, reasons, new Date(), delaySeconds)));
}

const pendingOf = (item: Record<string, unknown>): PendingNotification => ({
  roomId: String(item.roomId),
  side: item.side as Side,
  id: String(item.notificationId),
  version: Number(item.version),
  reasons: [...((item.reasons as Set<Reason> | undefined) ?? [])],
  dueAt: String(item.dueAt),
  attempts: Number(item.attempts ?? 0),
});

/** A due entry of the index: which room and side, and the sort key it was due under (keys only). */
export interface DueEntry {
  roomId: string;
  side: Side;
  dueSortKey: string;
}

/**
 * The notifications due by `now`, earliest first: one Query of the sparse `pending` index, which
 * holds only what is pending — the work is proportional to it, never a Scan.
 */
export async function duePage(now: Date, limit: number): Promise<DueEntry[]> {
  const result = await dynamo().send(
    new QueryCommand({
      TableName,
      IndexName: 'pending',
      // Sort keys are `<dueAt>#…`: everything due at or before now sorts below `<now>$`.
      KeyConditionExpression: 'gsi7pk = :due AND gsi7sk < :bound',
      ExpressionAttributeValues: { ':due': DUE, ':bound': `${now.toISOString()}$` },
      Limit: limit,
    }),
  );
  return (result.Items ?? []).map((item) => ({
    roomId: String(item.pk).slice('ROOM#'.length),
    side: String(item.sk).slice('NOTIFY#'.length) as Side,
    dueSortKey: String(item.gsi7sk),
  }));
}

/**
 * Takes a due notification for `seconds` (it is due again then, if its holder dies): undefined
 * when another run took it, or it moved, since it was read; else the notification, as claimed.
 */
export async function claim(entry: DueEntry, now: Date, seconds: number): Promise<PendingNotification | undefined> {
  const dueAt = new Date(now.getTime() + seconds * 1000).toISOString();
  try {
    const result = await dynamo().send(
      new UpdateCommand({
        TableName,
        Key: pendingKey(entry.roomId, entry.side),
        UpdateExpression: 'SET dueAt = :dueAt, gsi7sk = :dueSk',
        ConditionExpression: 'gsi7sk = :seen',
        ExpressionAttributeValues: {
          ':dueAt': dueAt,
          ':dueSk': dueSortKey(dueAt, entry.roomId, entry.side),
          ':seen': entry.dueSortKey,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return pendingOf(result.Attributes!);
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}

/** Due again at `at` (a retry after a failure, or a member's next allowed e-mail). */
export async function postpone(pending: PendingNotification, at: Date, attempts: number): Promise<void> {
  const dueAt = at.toISOString();
  await conditionHolds(
    dynamo().send(
      new UpdateCommand({
        TableName,
        Key: pendingKey(pending.roomId, pending.side),
        UpdateExpression: 'SET dueAt = :dueAt, gsi7sk = :dueSk, attempts = :attempts',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: {
          ':dueAt': dueAt,
          ':dueSk': dueSortKey(dueAt, pending.roomId, pending.side),
          ':attempts': attempts,
        },
      }),
    ),
  );
}

/**
 * Done: gone, unless an event was scheduled on it meanwhile (its version moved): then it stays due,
 * and the next run tells of that event.
 */
export async function complete(pending: PendingNotification): Promise<boolean> {
  return conditionHolds(
    dynamo().send(
      new DeleteCommand({
        TableName,
        Key: pendingKey(pending.roomId, pending.side),
        ConditionExpression: 'version = :version',
        ExpressionAttributeValues: { ':version': pending.version },
      }),
    ),
  );
}

/**
 * Failed too often: a copy is parked (the `pending` index's PARKED partition, where an operator
 * finds it and the alarm counts it) and the pending one goes, so the room's next events start a
 * notification of their own. False when an event was scheduled on it meanwhile (it stays, and is
 * tried again).
 */
export async function park(pending: PendingNotification, failure: string, now: Date): Promise<boolean> {
  const parkedAt = now.toISOString();
  try {
    await dynamo().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName,
              Item: {
                pk: `ROOM#${pending.roomId}`,
                sk: `PARKED#${pending.side}#${pending.id}#${pending.version}`,
                entity: 'ParkedNotification',
                ...pending,
                notificationId: pending.id,
                reasons: new Set(pending.reasons),
                failure,
                parkedAt,
                gsi7pk: PARKED,
                gsi7sk: dueSortKey(parkedAt, pending.roomId, pending.side),
              },
            },
          },
          {
            Delete: {
              TableName,
              Key: pendingKey(pending.roomId, pending.side),
              ConditionExpression: 'version = :version',
              ExpressionAttributeValues: { ':version': pending.version },
            },
          },
        ],
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof TransactionCanceledException) return false;
    throw error;
  }
}

/** What each member was last e-mailed about the room: for a shared BatchGetItem. */
export function mailedLookup(roomId: string, userIds: readonly string[]): Lookup<Map<string, MailedRecord>> {
  return {
    tableName: TableName,
    keys: userIds.map((userId) => mailedKey(roomId, userId)),
    read: (found) => {
      const mailed = new Map<string, MailedRecord>();
      for (const userId of userIds) {
        const item = found.get(itemKey(mailedKey(roomId, userId)));
        if (item) mailed.set(userId, mailedOf(item));
      }
      return mailed;
    },
  };
}

const mailedOf = (item: Record<string, unknown>): MailedRecord => ({
  key: String(item.key),
  sentAt: String(item.sentAt),
  upTo: (item.upTo as string | null | undefined) ?? null,
  status: (item.status as string | null | undefined) ?? null,
  closed: Boolean(item.closed),
});

export async function recordMailed(roomId: string, userId: string, record: MailedRecord): Promise<void> {
  await dynamo().send(
    new PutCommand({ TableName, Item: { ...mailedKey(roomId, userId), entity: 'MailedRecord', ...record } }),
  );
}

/**
 * The admins' roster, kept with each role change: who the dispatcher e-mails as an admin (each is
 * checked against their profile when e-mailed, so an entry left behind by a failure sends nothing).
 */
export async function setRoster(userId: string, isAdmin: boolean): Promise<void> {
  if (isAdmin) {
    await dynamo().send(new PutCommand({ TableName, Item: { ...rosterKey(userId), entity: 'AdminRoster', userId } }));
  } else {
    await dynamo().send(new DeleteCommand({ TableName, Key: rosterKey(userId) }));
  }
}

/** Every admin on the roster: the ADMINS partition, one Query a page. */
export async function rosterIds(): Promise<string[]> {
  const items = await queryEveryPage((startKey) => ({
    TableName,
    KeyConditionExpression: 'pk = :admins',
    ExpressionAttributeValues: { ':admins': 'ADMINS' },
    ProjectionExpression: 'userId',
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  }));
  return items.map((item) => String(item.userId));
}

const preferencesKey = (userId: string) => ({ pk: `USER#${userId}`, sk: 'NOTIFICATIONS' });

const storedPreferences = (item: Record<string, unknown> | undefined): Partial<NotificationPreferences> =>
  item
    ? Object.fromEntries(
        (['messages', 'statusChanges', 'newOrders'] as const)
          .filter((topic) => typeof item[topic] === 'boolean')
          .map((topic) => [topic, item[topic] as boolean]),
      )
    : {};

/**
 * Each user's preferences (an item of their own, not the profile: the profile is read on every
 * request and stays under 1 KB), for a shared BatchGetItem.
 */
export function preferencesLookup(userIds: readonly string[]): Lookup<Map<string, NotificationPreferences>> {
  return {
    tableName: TableName,
    keys: userIds.map(preferencesKey),
    read: (found) =>
      new Map(
        userIds.map((userId) => [userId, withDefaults(storedPreferences(found.get(itemKey(preferencesKey(userId)))))]),
      ),
  };
}

/** Each user's preferences: one BatchGetItem. */
export async function preferencesOf(userIds: readonly string[]): Promise<Map<string, NotificationPreferences>> {
  return (await batchLookup([preferencesLookup(userIds)] as const))[0];
}

/** Sets the topics given, keeps the others: the preferences as they are now. */
export async function updatePreferences(
  userId: string,
  change: Partial<NotificationPreferences>,
  now: string,
): Promise<NotificationPreferences> {
  const topics = Object.entries(change).filter(([, on]) => on !== undefined) as [Topic, boolean][];
  const result = await dynamo().send(
    new UpdateCommand({
      TableName,
      Key: preferencesKey(userId),
      UpdateExpression: `SET entity = :entity, updatedAt = :now${topics.map(([topic]) => `, #${topic} = :${topic}`).join('')}`,
      ...(topics.length
        ? { ExpressionAttributeNames: Object.fromEntries(topics.map(([topic]) => [`#${topic}`, topic])) }
        : {}),
      ExpressionAttributeValues: {
        ':entity': 'NotificationPreferences',
        ':now': now,
        ...Object.fromEntries(topics.map(([topic, on]) => [`:${topic}`, on])),
      },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return withDefaults(storedPreferences(result.Attributes));
}
