// Secondary adapter: owns every key, index and expression of orders and their history.
import { GetCommand, QueryCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import { dynamo } from '../shared/dynamo-client.ts';
import { readEnv } from '../shared/env.ts';
import type { Order, OrderEvent, OrderStatus } from './order.ts';

const env = readEnv({ MAIN_TABLE_NAME: z.string().min(1) });
const TableName = env.MAIN_TABLE_NAME;

const orderKey = (id: string) => ({ pk: `ORDER#${id}`, sk: 'ORDER' });
const historyKey = (id: string, version: number) => ({
  pk: `ORDER#${id}`,
  sk: `HISTORY#${String(version).padStart(10, '0')}`,
});

/** Which orders a list shows: everybody's or one owner's, optionally one status. */
export interface OrderScope {
  ownerId?: string;
  status?: OrderStatus;
}

const INDEXES = {
  all: { name: 'byCollection', pk: 'gsi1pk', sk: 'gsi1sk' },
  owner: { name: 'byOwner', pk: 'gsi2pk', sk: 'gsi2sk' },
  status: { name: 'byStatus', pk: 'gsi3pk', sk: 'gsi3sk' },
  ownerStatus: { name: 'byOwnerStatus', pk: 'gsi4pk', sk: 'gsi4sk' },
} as const;

function indexFor(scope: OrderScope) {
  if (scope.ownerId && scope.status) return { ...INDEXES.ownerStatus, value: `OWNER#${scope.ownerId}#${scope.status}` };
  if (scope.ownerId) return { ...INDEXES.owner, value: `OWNER#${scope.ownerId}` };
  if (scope.status) return { ...INDEXES.status, value: `ORDERS#${scope.status}` };
  return { ...INDEXES.all, value: 'ORDERS' };
}

/** The partition a scope reads; cursors are bound to it. */
export const scopePartition = (scope: OrderScope) => indexFor(scope).value;

function toItem(order: Order) {
  const listed = `${order.createdAt}#${order.id}`;
  return {
    ...orderKey(order.id),
    entity: 'Order',
    ...order,
    gsi1pk: 'ORDERS',
    gsi1sk: listed,
    gsi2pk: `OWNER#${order.userId}`,
    gsi2sk: listed,
    gsi3pk: `ORDERS#${order.status}`,
    gsi3sk: listed,
    gsi4pk: `OWNER#${order.userId}#${order.status}`,
    gsi4sk: listed,
  };
}

function fromItem(item: Record<string, unknown>): Order {
  const { id, userId, description, specifications, quantity, metadata, status, version, createdAt, updatedAt, room } =
    item as unknown as Order;
  return { id, userId, description, specifications, quantity, metadata, status, version, createdAt, updatedAt, room };
}

function historyItem(orderId: string, event: OrderEvent) {
  return { ...historyKey(orderId, event.version), entity: 'OrderEvent', orderId, ...event };
}

/** Another writer got there first. */
export class VersionConflict extends Error {}

/**
 * The order and its history event, in one transaction: the order only if
 * nobody changed it since `expectedVersion` was read (absent: only if new).
 */
export function saveParams(order: Order, event: OrderEvent, expectedVersion?: number): TransactWriteCommandInput {
  return {
    TransactItems: [
      {
        Put: {
          TableName,
          Item: toItem(order),
          ...(expectedVersion === undefined
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: 'version = :expected',
                ExpressionAttributeValues: { ':expected': expectedVersion },
              }),
        },
      },
      { Put: { TableName, Item: historyItem(order.id, event), ConditionExpression: 'attribute_not_exists(pk)' } },
    ],
  };
}

export async function saveOrder(order: Order, event: OrderEvent, expectedVersion?: number): Promise<void> {
  try {
    await dynamo().send(new TransactWriteCommand(saveParams(order, event, expectedVersion)));
  } catch (error) {
    const reasons = error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : [];
    if (reasons.some((reason) => reason.Code === 'ConditionalCheckFailed')) throw new VersionConflict();
    throw error;
  }
}

/** A ConditionCheck for another module's transaction: it fails once the order's room is closed. */
export function roomOpenCondition(orderId: string) {
  return {
    ConditionCheck: {
      TableName,
      Key: orderKey(orderId),
      ConditionExpression: '#room.#isOpen = :open',
      ExpressionAttributeNames: { '#room': 'room', '#isOpen': 'isOpen' },
      ExpressionAttributeValues: { ':open': true },
    },
  };
}

export async function getOrder(id: string): Promise<Order | undefined> {
  const result = await dynamo().send(new GetCommand({ TableName, Key: orderKey(id), ConsistentRead: true }));
  return result.Item ? fromItem(result.Item) : undefined;
}

export function listParams(scope: OrderScope, limit: number, startKey: Record<string, unknown> | undefined) {
  const index = indexFor(scope);
  return {
    TableName,
    IndexName: index.name,
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': index.pk },
    ExpressionAttributeValues: { ':pk': index.value },
    ScanIndexForward: false,
    Limit: limit,
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}

export async function listOrders(scope: OrderScope, limit: number, startKey: Record<string, unknown> | undefined) {
  const result = await dynamo().send(new QueryCommand(listParams(scope, limit, startKey)));
  return { items: (result.Items ?? []).map(fromItem), lastKey: result.LastEvaluatedKey };
}

/**
 * The order and every event of it, oldest first, in one Query of its partition (one per 1 MB
 * page): the partition holds only the order and its history, and HISTORY# sorts before ORDER.
 */
export async function orderWithHistory(id: string): Promise<{ order: Order | undefined; events: OrderEvent[] }> {
  const key = orderKey(id);
  const events: OrderEvent[] = [];
  let order: Order | undefined;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo().send(
      new QueryCommand({
        TableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': key.pk },
        // As consistent as the read every other order use case starts with.
        ConsistentRead: true,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      if (item.sk === key.sk) {
        order = fromItem(item);
        continue;
      }
      if (!String(item.sk).startsWith('HISTORY#')) continue;
      const { version, type, at, by, changes } = item as unknown as OrderEvent;
      events.push({ version, type, at, by, changes });
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return { order, events };
}
