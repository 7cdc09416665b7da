// Secondary adapter: owns every key, index and expression of orders and their history.
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { dynamo, itemKey, type Lookup } from '../shared/dynamo-client.ts';
import { readEnv } from '../shared/env.ts';
import type { ORDER_LIST_ATTRIBUTES } from '../tables.ts';
import type { Order, OrderEvent, OrderNote, OrderStatus, OrderSummary } from './order.ts';

const env = /* @__PURE__ */ readEnv({ MAIN_TABLE_NAME: {} });
const TableName = env.MAIN_TABLE_NAME;

const orderKey = (id: string) => ({ pk: `ORDER#${id}`, sk: 'ORDER' });
const historyKey = (id: string, version: number) => ({
  pk: `ORDER#${id}`,
  sk: `HISTORY#${String(version).padStart(10, '0')}`,
});

/**
 * Which orders a list shows: everybody's, one owner's or one assignee's (null: nobody's),
 * optionally one status and a range of creation times. Which combinations exist is the
 * domain's rule (order-filters.ts); each is one index partition.
 */
export interface OrderScope {
  ownerId?: string;
  assigneeId?: string | null;
  status?: OrderStatus;
  /** ISO times, both ends included. */
  createdFrom?: string;
  createdTo?: string;
}

const INDEXES = {
  all: { name: 'allOrders', pk: 'gsi5pk', sk: 'gsi5sk' },
  owner: { name: 'byOwner', pk: 'gsi2pk', sk: 'gsi2sk' },
  status: { name: 'byStatus', pk: 'gsi3pk', sk: 'gsi3sk' },
  ownerStatus: { name: 'byOwnerStatus', pk: 'gsi4pk', sk: 'gsi4sk' },
  assignee: { name: 'lookup', pk: 'gsi8pk', sk: 'gsi8sk' },
} as const;

const ownerStatusPartition = (ownerId: string, status: OrderStatus) => `OWNER#${ownerId}#${status}`;
const assigneePartition = (assigneeId: string | null | undefined) => `ASSIGNEE#${assigneeId ?? 'NONE'}`;

function indexFor(scope: OrderScope) {
  if (scope.assigneeId !== undefined) {
    // Sorted by status, then newest first: a status is a prefix of the sort key.
    return {
      ...INDEXES.assignee,
      value: assigneePartition(scope.assigneeId),
      prefix: scope.status ? `${scope.status}#` : '',
    };
  }
  if (scope.ownerId && scope.status) {
    return { ...INDEXES.ownerStatus, value: ownerStatusPartition(scope.ownerId, scope.status), prefix: '' };
  }
  if (scope.ownerId) return { ...INDEXES.owner, value: `OWNER#${scope.ownerId}`, prefix: '' };
  if (scope.status) return { ...INDEXES.status, value: `ORDERS#${scope.status}`, prefix: '' };
  return { ...INDEXES.all, value: 'ORDERS', prefix: '' };
}

/** What a scope lists; cursors are bound to it (the partition, the status prefix and the dates). */
export const scopePartition = (scope: OrderScope) => {
  const index = indexFor(scope);
  return [index.value, index.prefix, scope.createdFrom ?? '', scope.createdTo ?? ''].join('|');
};

/**
 * The key condition of a scope: its partition, and the sort keys of its status and dates.
 * Sort keys are `[<status>#]<createdAt>#<id>`; `~` sorts after every id character.
 */
function keyCondition(scope: OrderScope) {
  const index = indexFor(scope);
  const names = { '#pk': index.pk, '#sk': index.sk };
  const values: Record<string, string> = { ':pk': index.value };
  if (scope.createdFrom !== undefined || scope.createdTo !== undefined) {
    values[':from'] = `${index.prefix}${scope.createdFrom ?? ''}`;
    values[':to'] = `${index.prefix}${scope.createdTo ?? '9999'}~`;
    return { index, names, values, expression: '#pk = :pk AND #sk BETWEEN :from AND :to' };
  }
  if (index.prefix) {
    values[':prefix'] = index.prefix;
    return { index, names, values, expression: '#pk = :pk AND begins_with(#sk, :prefix)' };
  }
  return { index, names: { '#pk': index.pk }, values, expression: '#pk = :pk' };
}

const withoutAssignee = ({ assignee: _assignee, ...order }: Order) => order;

/** An order as stored (also how `npm run bench` fills the table). */
export function toItem(order: Order) {
  const listed = `${order.createdAt}#${order.id}`;
  return {
    ...orderKey(order.id),
    entity: 'Order',
    ...withoutAssignee(order),
    // The room's state for the list indexes (ORDER_LIST_ATTRIBUTES hold no maps): one flat value.
    roomOpen: order.room.isOpen,
    // DynamoDB keeps a map's keys in no particular order: the order they were entered in, kept beside.
    specificationKeys: Object.keys(order.specifications),
    gsi5pk: 'ORDERS',
    gsi5sk: listed,
    gsi2pk: `OWNER#${order.userId}`,
    gsi2sk: listed,
    gsi3pk: `ORDERS#${order.status}`,
    gsi3sk: listed,
    gsi4pk: ownerStatusPartition(order.userId, order.status),
    gsi4sk: listed,
    gsi8pk: assigneePartition(order.assignee?.id),
    gsi8sk: `${order.status}#${listed}`,
    // Flat, so the lookup index can hold them (a map can't be projected in part).
    ...(order.assignee ? { assigneeId: order.assignee.id, assigneeName: order.assignee.name } : {}),
  };
}

type ListedItem = Record<(typeof ORDER_LIST_ATTRIBUTES)[number], unknown> & { room?: { isOpen: boolean } };

/** An order as the list indexes hold it. */
function summaryOf(item: Record<string, unknown>): OrderSummary {
  const { id, userId, description, quantity, status, createdAt, roomOpen, room } = item as ListedItem;
  return {
    id,
    userId,
    description,
    quantity,
    status,
    createdAt,
    // Items written before roomOpen existed carry the room itself.
    roomOpen: roomOpen ?? room?.isOpen ?? true,
  } as OrderSummary;
}

function fromItem(item: Record<string, unknown>): Order {
  const {
    id,
    userId,
    description,
    specifications,
    quantity,
    metadata,
    status,
    version,
    createdAt,
    updatedAt,
    room,
    cancellation,
    assigneeId,
    assigneeName,
  } = item as unknown as Order & { assigneeId?: string; assigneeName?: string };
  const ordered = inEnteredOrder(specifications, (item as { specificationKeys?: string[] }).specificationKeys);
  return {
    id,
    userId,
    description,
    specifications: ordered,
    quantity,
    metadata,
    status,
    version,
    createdAt,
    updatedAt,
    room,
    ...(cancellation ? { cancellation } : {}),
    ...(assigneeId ? { assignee: { id: assigneeId, name: assigneeName ?? '' } } : {}),
  };
}

/** The map with its keys as entered (items written before the keys were kept come back as stored). */
function inEnteredOrder(map: Order['specifications'], keys: string[] | undefined): Order['specifications'] {
  if (!keys) return map;
  const entries = keys.filter((key) => Object.hasOwn(map, key)).map((key) => [key, map[key]!] as const);
  const rest = Object.entries(map).filter(([key]) => !keys.includes(key));
  return Object.fromEntries([...entries, ...rest]);
}

function historyItem(orderId: string, event: OrderEvent) {
  return { ...historyKey(orderId, event.version), entity: 'OrderEvent', orderId, ...event };
}

/** Another writer got there first. */
export class VersionConflict extends Error {}

/**
 * A new order: one conditional write, no transaction. Its CREATED event is not stored: the order
 * itself says who placed it and when, and its first version is the current one with every later
 * edit undone (order.ts, placedEvent).
 */
export async function insertOrder(order: Order): Promise<void> {
  try {
    await dynamo().send(
      new PutCommand({ TableName, Item: toItem(order), ConditionExpression: 'attribute_not_exists(pk)' }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw new VersionConflict();
    throw error;
  }
}

/** What a change is based on: the order as read, and the event that made it (none for version 1). */
export interface StoredOrder {
  order: Order;
  lastEvent: OrderEvent | undefined;
}

/**
 * A change without a transaction (one costs twice the write units): the order carries the event
 * that made its current version, so the two are one atomic write. The event before it is first
 * written to the history (an idempotent Put: a retry, or a rival writer, writes the same thing),
 * then the order, on the condition that it is still at the version read. A failure between the
 * two leaves that event in both places, which a reader takes once.
 */
export async function saveChange(based: StoredOrder, order: Order, event: OrderEvent): Promise<void> {
  if (based.lastEvent) {
    await dynamo().send(new PutCommand({ TableName, Item: historyItem(order.id, based.lastEvent) }));
  }
  try {
    await dynamo().send(new PutCommand(changeParams(order, event, based.order.version)));
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw new VersionConflict();
    throw error;
  }
}

export function changeParams(order: Order, event: OrderEvent, expectedVersion: number) {
  return {
    TableName,
    Item: { ...toItem(order), lastEvent: event },
    ConditionExpression: 'version = :expected',
    ExpressionAttributeValues: { ':expected': expectedVersion },
  };
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

/** The order and the event that made its current version, read consistently. */
export async function getStoredOrder(id: string): Promise<StoredOrder | undefined> {
  const result = await dynamo().send(new GetCommand({ TableName, Key: orderKey(id), ConsistentRead: true }));
  if (!result.Item) return undefined;
  return { order: fromItem(result.Item), lastEvent: result.Item.lastEvent as OrderEvent | undefined };
}

export async function getOrder(id: string): Promise<Order | undefined> {
  return (await getStoredOrder(id))?.order;
}

/**
 * For an order written before the lookup index existed (no gsi8pk): the write that files it under
 * its assignee (nobody, then) as toItem does. Conditional, so it never overwrites a real change.
 */
export function lookupBackfill(item: Record<string, unknown>) {
  if (item.entity !== 'Order' || item.gsi8pk !== undefined || item.sk !== 'ORDER') return undefined;
  const { gsi8pk, gsi8sk } = toItem(fromItem(item));
  return {
    TableName,
    Key: orderKey(String(item.id)),
    UpdateExpression: 'SET gsi8pk = :pk, gsi8sk = :sk',
    ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(gsi8pk)',
    ExpressionAttributeValues: { ':pk': gsi8pk, ':sk': gsi8sk },
  };
}

/** Orders by id, for another module's BatchGetItem (batchLookup): what lists show beyond their index. */
export function ordersLookup(ids: readonly string[]): Lookup<Map<string, Order>> {
  return {
    tableName: TableName,
    keys: ids.map(orderKey),
    read: (found) => {
      const orders = new Map<string, Order>();
      for (const id of ids) {
        const item = found.get(itemKey(orderKey(id)));
        if (item) orders.set(id, fromItem(item));
      }
      return orders;
    },
  };
}

// Notes sort after the order item (sk ORDER), outside the history's key range (HISTORY#… to ORDER),
// so no history read ever meets one; their count is an item of its own beside them.
const NOTE_PREFIX = 'ORDER#NOTE#';
const noteKey = (orderId: string, noteId: string) => ({ pk: orderKey(orderId).pk, sk: `${NOTE_PREFIX}${noteId}` });
const noteCountKey = (orderId: string) => ({ pk: orderKey(orderId).pk, sk: 'ORDER#NOTES' });

/** What stopped a note from being written. */
export type NoteRefusal = 'noOrder' | 'full';

/**
 * A note, its order's note count raised within `maxNotes`, on the condition that the order
 * exists: one transaction, so a note is never stored uncounted nor counted unstored.
 */
export async function insertNote(orderId: string, note: OrderNote, maxNotes: number): Promise<NoteRefusal | undefined> {
  try {
    await dynamo().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            ConditionCheck: {
              TableName,
              Key: orderKey(orderId),
              ConditionExpression: 'attribute_exists(pk)',
            },
          },
          {
            Update: {
              TableName,
              Key: noteCountKey(orderId),
              UpdateExpression: 'ADD notes :one',
              ConditionExpression: 'attribute_not_exists(notes) OR notes < :max',
              ExpressionAttributeValues: { ':one': 1, ':max': maxNotes },
            },
          },
          { Put: { TableName, Item: { ...noteKey(orderId, note.id), entity: 'OrderNote', orderId, ...note } } },
        ],
      }),
    );
    return undefined;
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const [order, count] = error.CancellationReasons ?? [];
    if (order?.Code === 'ConditionalCheckFailed') return 'noOrder';
    if (count?.Code === 'ConditionalCheckFailed') return 'full';
    throw error;
  }
}

export function notesParams(orderId: string, limit: number, startKey: Record<string, unknown> | undefined) {
  return {
    TableName,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :notes)',
    ExpressionAttributeValues: { ':pk': orderKey(orderId).pk, ':notes': NOTE_PREFIX },
    ScanIndexForward: false,
    Limit: limit,
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}

/** A page of an order's notes, newest first (a note is at most a few KB: a page never nears 1 MB). */
export async function notesPage(orderId: string, limit: number, startKey: Record<string, unknown> | undefined) {
  const result = await dynamo().send(new QueryCommand(notesParams(orderId, limit, startKey)));
  const items = (result.Items ?? []).map((item) => {
    const { id, text, at, by } = item as unknown as OrderNote;
    return { id, text, at, by };
  });
  return { items, lastKey: result.LastEvaluatedKey };
}

export function listParams(scope: OrderScope, limit: number, startKey: Record<string, unknown> | undefined) {
  const { index, names, values, expression } = keyCondition(scope);
  return {
    TableName,
    IndexName: index.name,
    KeyConditionExpression: expression,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ScanIndexForward: false,
    Limit: limit,
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}

/**
 * A page of order summaries: one Query of the scope's index partition. Summaries are small (the
 * index holds ORDER_LIST_ATTRIBUTES only, ~1 KB at most), so 100 of them never reach DynamoDB's
 * 1 MB stop; should one, the page follows LastEvaluatedKey until it is full.
 */
export async function listOrders(scope: OrderScope, limit: number, startKey: Record<string, unknown> | undefined) {
  const items: OrderSummary[] = [];
  let lastKey = startKey;
  do {
    const result = await dynamo().send(new QueryCommand(listParams(scope, limit - items.length, lastKey)));
    items.push(...(result.Items ?? []).map(summaryOf));
    lastKey = result.LastEvaluatedKey;
  } while (lastKey && items.length < limit);
  return { items, lastKey };
}

const HISTORY_START = 'HISTORY#';

/**
 * One Query of an order's partition, newest first: the order item (sk ORDER, which sorts after its
 * history and carries its newest event) and its history, or only the history before a version.
 * BETWEEN includes its upper bound: the caller drops that event (one more item is asked for it).
 */
export function historyPageParams(
  id: string,
  before: number | undefined,
  limit: number,
  startKey?: Record<string, unknown>,
) {
  return {
    TableName,
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: {
      ':pk': orderKey(id).pk,
      ':from': HISTORY_START,
      ':to': before === undefined ? orderKey(id).sk : historyKey(id, before).sk,
    },
    ScanIndexForward: false,
    // As consistent as the read every other order use case starts with.
    ConsistentRead: true,
    Limit: limit + (before === undefined ? 0 : 1),
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}

/** An event as the history holds it: the same fields whether it came from a history item or the order. */
const eventOf = (item: Record<string, unknown>): OrderEvent => {
  const { version, type, at, by, changes } = item as unknown as OrderEvent;
  return { version, type, at, by, changes };
};

/**
 * A page of an order's events, newest first: at most `limit`, whose sizes (`sizeOf`) add up to at
 * most `maxBytes`, following LastEvaluatedKey past DynamoDB's 1 MB stop. Without `before` the same
 * Query also reads the order (its first item), so the newest page costs one request.
 */
export async function historyPage(
  id: string,
  before: number | undefined,
  limit: number,
  maxBytes: number,
  sizeOf: (event: OrderEvent) => number,
): Promise<{ order: Order | undefined; events: OrderEvent[]; hasMore: boolean }> {
  let order: Order | undefined;
  const events: OrderEvent[] = [];
  let bytes = 0;
  let hasMore = false;
  let startKey: Record<string, unknown> | undefined;
  const take = (event: OrderEvent) => {
    // The newest event may be in both places (saveChange stopped between its writes), or be the bound.
    if (event.version === before || events.some((taken) => taken.version === event.version)) return true;
    const size = sizeOf(event);
    if (events.length === limit || bytes + size > maxBytes) return false;
    events.push(event);
    bytes += size;
    return true;
  };
  reading: do {
    const result = await dynamo().send(
      new QueryCommand(historyPageParams(id, before, limit + 1 - events.length, startKey)),
    );
    for (const item of result.Items ?? []) {
      if (item.sk === orderKey(id).sk) {
        order = fromItem(item);
        if (item.lastEvent && !take(item.lastEvent as OrderEvent)) {
          hasMore = true;
          break reading;
        }
        continue;
      }
      if (!take(eventOf(item))) {
        hasMore = true;
        break reading;
      }
    }
    startKey = result.LastEvaluatedKey;
  } while (startKey);
  return { order, events, hasMore };
}

/**
 * The order and every stored event of it, oldest first, in one Query of its partition (one per
 * 1 MB page): the partition holds only the order (with its last event) and its history. Only for
 * orders changed while version 1 was not stored (historyPage reads every other one by the page).
 */
export async function orderWithHistory(id: string): Promise<{ order: Order | undefined; events: OrderEvent[] }> {
  const key = orderKey(id);
  const events: OrderEvent[] = [];
  let order: Order | undefined;
  let lastEvent: OrderEvent | undefined;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo().send(
      new QueryCommand({
        TableName,
        // The order and its history: notes sort after it.
        KeyConditionExpression: 'pk = :pk AND sk <= :order',
        ExpressionAttributeValues: { ':pk': key.pk, ':order': key.sk },
        // As consistent as the read every other order use case starts with.
        ConsistentRead: true,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      if (item.sk === key.sk) {
        order = fromItem(item);
        lastEvent = item.lastEvent as OrderEvent | undefined;
        continue;
      }
      if (!String(item.sk).startsWith('HISTORY#')) continue;
      const { version, type, at, by, changes } = item as unknown as OrderEvent;
      events.push({ version, type, at, by, changes });
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  // The order (sk ORDER) comes after its history (HISTORY#…): its event is the newest, and may be
  // in the history already when a change stopped between its two writes (saveChange).
  if (lastEvent && lastEvent.version !== events.at(-1)?.version) events.push(lastEvent);
  return { order, events };
}
