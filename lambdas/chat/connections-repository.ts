// Secondary adapter: owns every key of the connections table (connections and their room memberships).
import {
  BatchWriteCommand,
  DeleteCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { dynamo, queryEveryPage } from '../shared/dynamo-client.ts';
import { readEnv } from '../shared/env.ts';
import type { Role } from '../shared/caller.ts';

const env = /* @__PURE__ */ readEnv({ CONNECTIONS_TABLE_NAME: {} });
const TableName = env.CONNECTIONS_TABLE_NAME;

/** API Gateway closes a connection after 2 h; a day on top lets TTL sweep abandoned items. */
export const CONNECTION_TTL_SECONDS = 2 * 3600 + 24 * 3600;
const nowSeconds = () => Math.floor(Date.now() / 1000);

export interface Connection {
  connectionId: string;
  userId: string;
  role: Role;
  connectedAt: string;
  /** The session the connection was opened with, and when its token expires (epoch seconds). */
  sessionId: string;
  sessionExpiresAt: number;
}

const connectionKey = (connectionId: string) => ({ pk: `CONN#${connectionId}`, sk: 'META' });
// Only the connection item carries these, so the index holds one entry per live connection.
const userIndexKeys = (userId: string, connectionId: string) => ({
  gsi1pk: `USER#${userId}`,
  gsi1sk: `CONN#${connectionId}`,
});
const ADMINS = 'ADMINS';
const adminIndexKeys = (connectionId: string) => ({ gsi2pk: ADMINS, gsi2sk: `CONN#${connectionId}` });
// A membership is stored twice: under the room (fan-out reads it) and under the connection ($disconnect reads it).
const memberKey = (roomId: string, connectionId: string) => ({ pk: `ROOM#${roomId}`, sk: `CONN#${connectionId}` });
const mirrorKey = (roomId: string, connectionId: string) => ({ pk: `CONN#${connectionId}`, sk: `ROOM#${roomId}` });

export function putConnectionParams(connection: Connection, now: number) {
  return {
    TableName,
    Item: {
      ...connectionKey(connection.connectionId),
      ...userIndexKeys(connection.userId, connection.connectionId),
      ...(connection.role === 'ADMIN' ? adminIndexKeys(connection.connectionId) : {}),
      ...connection,
      expiresAt: now + CONNECTION_TTL_SECONDS,
    },
  };
}

export async function saveConnection(connection: Connection): Promise<void> {
  await dynamo().send(new PutCommand(putConnectionParams(connection, nowSeconds())));
}

/** How long a left membership is remembered, so a joinRoom sent before the leave can't revive it. */
const LEFT_MEMBERSHIP_SECONDS = 5 * 60;

/**
 * A membership's changes are ordered by when API Gateway received the frame that asked for them
 * (`requestTimeEpoch`), not by when they run: frames of one connection run concurrently, so a
 * leaveRoom and the joinRoom sent right after it may land in either order. Each write holds only
 * if nothing newer was written (on a tie, membership wins: a client that gets a room's frames after
 * leaving ignores them, one that joined and hears nothing is broken).
 */
const newerWins = (comparison: '<' | '<=') => ({
  ConditionExpression: `attribute_not_exists(pk) OR changedAt ${comparison} :at`,
});

/** Both copies of a membership, written together when neither holds a newer change. */
async function writeMembership(
  roomId: string,
  connectionId: string,
  attributes: Record<string, unknown>,
  changedAt: number,
  comparison: '<' | '<=',
): Promise<boolean> {
  const condition = { ...newerWins(comparison), ExpressionAttributeValues: { ':at': changedAt } };
  const item = { ...attributes, roomId, connectionId, changedAt };
  try {
    await dynamo().send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName, Item: { ...memberKey(roomId, connectionId), ...item }, ...condition } },
          { Put: { TableName, Item: { ...mirrorKey(roomId, connectionId), ...item }, ...condition } },
        ],
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof TransactionCanceledException && conditionFailed(error)) return false;
    throw error;
  }
}

const conditionFailed = (error: TransactionCanceledException) =>
  (error.CancellationReasons ?? []).some((reason) => reason.Code === 'ConditionalCheckFailed');

/**
 * Joining twice is one membership: the keys are the same. A membership lasts as long
 * as the session's token: fan-out skips it after that (and TTL sweeps it), so a
 * connection whose session expired hears nothing more. False when a leave received after
 * this join already ran.
 */
export async function joinRoom(
  connection: Pick<Connection, 'connectionId' | 'userId' | 'role' | 'sessionExpiresAt'> & { name: string },
  roomId: string,
  receivedAt: number,
): Promise<boolean> {
  const attributes = {
    userId: connection.userId,
    // Who is in the room is shown by name (presence).
    name: connection.name,
    role: connection.role,
    expiresAt: Math.min(connection.sessionExpiresAt, nowSeconds() + CONNECTION_TTL_SECONDS),
  };
  return writeMembership(roomId, connection.connectionId, attributes, receivedAt, '<=');
}

/** Leaves a room: the membership becomes a short-lived marker that fan-out skips. */
export async function leaveRoom(connectionId: string, roomId: string, receivedAt: number): Promise<boolean> {
  const attributes = { leftAt: receivedAt, expiresAt: nowSeconds() + LEFT_MEMBERSHIP_SECONDS };
  return writeMembership(roomId, connectionId, attributes, receivedAt, '<');
}

export function roomMembersParams(roomId: string, now: number, startKey?: Record<string, unknown>) {
  return {
    TableName,
    KeyConditionExpression: 'pk = :room',
    // TTL deletion lags by up to days: expired memberships are still readable. Left ones are markers.
    FilterExpression: 'expiresAt > :now AND attribute_not_exists(leftAt)',
    ExpressionAttributeValues: { ':room': `ROOM#${roomId}`, ':now': now },
    ProjectionExpression: 'connectionId',
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}

/** The connection ids of every page of a Query (one request a page). */
async function connectionIdsOfEveryPage(
  query: (startKey: Record<string, unknown> | undefined) => QueryCommandInput,
): Promise<string[]> {
  return (await queryEveryPage(query)).map((item) => String(item.connectionId));
}

/** Connection ids joined to a room: a Query on the room's partition, never a Scan. */
export async function roomMembers(roomId: string): Promise<string[]> {
  const now = nowSeconds();
  return connectionIdsOfEveryPage((startKey) => roomMembersParams(roomId, now, startKey));
}

/** Someone joined to a room on at least one live connection. */
export interface PresentMember {
  userId: string;
  name: string;
  role: string;
  /** Their connections joined to the room. */
  connections: number;
}

/**
 * Who is in a room now (joined on a live connection), each person once, and the connections to tell:
 * the room's partition, one Query a page.
 */
export async function presentMembers(roomId: string): Promise<{ members: PresentMember[]; connectionIds: string[] }> {
  const now = nowSeconds();
  const memberships = await queryEveryPage((startKey) => ({
    ...roomMembersParams(roomId, now, startKey),
    ProjectionExpression: 'connectionId, userId, #name, #role',
    ExpressionAttributeNames: { '#name': 'name', '#role': 'role' },
  }));
  const present = new Map<string, PresentMember>();
  for (const item of memberships) {
    // Memberships made before names were kept show no name.
    const seen = present.get(String(item.userId));
    present.set(String(item.userId), {
      userId: String(item.userId),
      name: String(item.name ?? ''),
      role: String(item.role),
      connections: (seen?.connections ?? 0) + 1,
    });
  }
  return { members: [...present.values()], connectionIds: memberships.map((item) => String(item.connectionId)) };
}

/**
 * One user's connections on the user index, every page of them (one Query each), shaped by
 * `query` (a projection, a filter, a count) and handed to `take`.
 */
async function eachPageOfUser(
  userId: string,
  query: {
    ProjectionExpression?: string;
    FilterExpression?: string;
    Select?: 'COUNT';
    values?: Record<string, unknown>;
  },
  take: (page: { Items?: Record<string, unknown>[]; Count?: number }) => void,
): Promise<void> {
  const { values, ...shape } = query;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo().send(
      new QueryCommand({
        TableName,
        IndexName: 'byUser',
        KeyConditionExpression: 'gsi1pk = :user',
        ExpressionAttributeValues: { ':user': userIndexKeys(userId, '').gsi1pk, ...values },
        ...shape,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    take(page);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

/** A user's open connections with their sessions: one Query on the user index. */
export async function connectionsOfUser(userId: string): Promise<{ connectionId: string; sessionId: string }[]> {
  const found: { connectionId: string; sessionId: string }[] = [];
  await eachPageOfUser(userId, { ProjectionExpression: 'connectionId, sessionId' }, (page) => {
    for (const item of page.Items ?? []) {
      found.push({ connectionId: String(item.connectionId), sessionId: String(item.sessionId) });
    }
  });
  return found;
}

/**
 * How many connections a user has whose session is still live: one Query of the user index. A
 * connection whose $disconnect never ran (API Gateway's is best-effort) stops counting when its
 * session's token expires, so a user is never locked out by stale items.
 */
export async function countLiveConnections(userId: string, now = nowSeconds()): Promise<number> {
  let count = 0;
  await eachPageOfUser(
    userId,
    { FilterExpression: 'sessionExpiresAt > :now', Select: 'COUNT', values: { ':now': now } },
    (page) => (count += page.Count ?? 0),
  );
  return count;
}

/** The rooms a connection is joined to: one Query of its own partition (a handful of small items). */
export async function roomsOfConnection(connectionId: string): Promise<string[]> {
  const page = await dynamo().send(
    new QueryCommand({
      TableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :room)',
      FilterExpression: 'attribute_not_exists(leftAt)',
      ExpressionAttributeValues: { ':pk': connectionKey(connectionId).pk, ':room': 'ROOM#' },
      ProjectionExpression: 'sk',
    }),
  );
  return (page.Items ?? []).map((item) => String(item.sk).slice('ROOM#'.length));
}

/**
 * Forgets a connection and every membership it had ($disconnect, or a 410 during fan-out): the
 * rooms it was still joined to.
 */
export async function deleteConnection(connectionId: string): Promise<string[]> {
  const page = await dynamo().send(
    new QueryCommand({
      TableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': connectionKey(connectionId).pk },
      ProjectionExpression: 'pk, sk, leftAt',
    }),
  );
  const joined = (page.Items ?? [])
    .filter((item) => String(item.sk).startsWith('ROOM#') && item.leftAt === undefined)
    .map((item) => String(item.sk).slice('ROOM#'.length));
  const keys = (page.Items ?? []).flatMap((item) => {
    const sk = String(item.sk);
    if (!sk.startsWith('ROOM#')) return [{ pk: item.pk, sk }];
    return [{ pk: item.pk, sk }, memberKey(sk.slice('ROOM#'.length), connectionId)];
  });
  if (keys.length === 0) {
    await dynamo().send(new DeleteCommand({ TableName, Key: connectionKey(connectionId) }));
    return joined;
  }
  for (let i = 0; i < keys.length; i += 25) {
    let requests: Record<string, unknown>[] | undefined = keys
      .slice(i, i + 25)
      .map((Key) => ({ DeleteRequest: { Key } }));
    for (let attempt = 0; requests?.length && attempt < 5; attempt++) {
      const result = await dynamo().send(new BatchWriteCommand({ RequestItems: { [TableName]: requests } }));
      requests = result.UnprocessedItems?.[TableName] as Record<string, unknown>[] | undefined;
      if (requests?.length) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
    }
  }
  return joined;
}

/**
 * Every admin's live connection: one Query of the admins index a page. A connection whose
 * $disconnect never ran drops out when its session's token expires (a post finds it gone sooner).
 */
export async function adminConnections(now = nowSeconds()): Promise<string[]> {
  return connectionIdsOfEveryPage((startKey) => ({
    TableName,
    IndexName: 'admins',
    KeyConditionExpression: 'gsi2pk = :admins',
    FilterExpression: 'sessionExpiresAt > :now',
    ExpressionAttributeValues: { ':admins': ADMINS, ':now': now },
    ProjectionExpression: 'connectionId',
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  }));
}
