// Unit: order rules, repository requests, version conflicts and idempotency, with DynamoDB mocked.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  assertMayEdit,
  assertMayView,
  assertTransition,
  diff,
  newOrder,
  statusAfterRoomClose,
  type Order,
} from '#lambdas/orders/order.ts';
import { CreateOrderBody } from '#lambdas/schemas/orders.ts';
import { changeParams, listParams } from '#lambdas/orders/repository.ts';
import { handler as updateHandler } from '#lambdas/handlers/http/orders-update.ts';
import { handler as createHandler } from '#lambdas/handlers/http/orders-create.ts';
import { handler as historyHandler } from '#lambdas/handlers/http/orders-history.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '#lambdas/shared/errors.ts';
import {
  ADMIN_ID,
  OTHER_ID,
  USER_ID,
  adminClaims,
  call,
  httpEvent,
  mockSignedInCallers,
  userClaims,
} from '../support/events.ts';

const owner = { id: USER_ID, role: 'REGULAR' as const, name: 'Olive Owner' };
const someoneElse = { id: OTHER_ID, role: 'REGULAR' as const, name: 'Sam Else' };
const admin = { id: ADMIN_ID, role: 'ADMIN' as const, name: 'Ada Admin' };
const fields = { description: 'Widgets', specifications: { color: 'red' }, quantity: 3, metadata: {} };
const ORDER_ID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
const order = (overrides: Partial<Order> = {}): Order => ({
  ...newOrder(ORDER_ID, owner, fields, '2026-01-01T00:00:00.000Z'),
  ...overrides,
});

describe('order rules', () => {
  it('only customers place orders', () => {
    expect(() => newOrder(ORDER_ID, admin, fields, 'now')).toThrow(ForbiddenError);
    expect(newOrder(ORDER_ID, owner, fields, 'now')).toMatchObject({
      status: 'REVIEW',
      version: 1,
      room: { isOpen: true },
    });
  });

  it('hides an order from everybody but its owner and admins', () => {
    expect(() => assertMayView(someoneElse, order())).toThrow(NotFoundError);
    expect(() => assertMayView(owner, undefined)).toThrow(NotFoundError);
    expect(() => assertMayView(owner, order())).not.toThrow();
    expect(() => assertMayView(admin, order())).not.toThrow();
  });

  it('lets owners edit in REVIEW only and admins until COMPLETED', () => {
    expect(() => assertMayEdit(owner, order())).not.toThrow();
    expect(() => assertMayEdit(owner, order({ status: 'PROCESSING' }))).toThrow(ConflictError);
    expect(() => assertMayEdit(admin, order({ status: 'PROCESSING' }))).not.toThrow();
    expect(() => assertMayEdit(admin, order({ status: 'COMPLETED' }))).toThrow(ConflictError);
  });

  it.each([
    ['REVIEW', 'PROCESSING', true],
    ['PROCESSING', 'COMPLETED', true],
    ['REVIEW', 'COMPLETED', false],
    ['REVIEW', 'REVIEW', false],
    ['PROCESSING', 'REVIEW', false],
    ['COMPLETED', 'PROCESSING', false],
  ] as const)('%s → %s allowed: %s', (from, to, allowed) => {
    const attempt = () => assertTransition(order({ status: from }), to);
    if (allowed) expect(attempt).not.toThrow();
    else expect(attempt).toThrow(ConflictError);
  });

  it('names the allowed next status in the refusal', () => {
    expect(() => assertTransition(order(), 'COMPLETED')).toThrow(/only move to PROCESSING/);
    expect(() => assertTransition(order({ status: 'COMPLETED' }), 'REVIEW')).toThrow(/cannot change status/);
  });

  it('records only what really changes', () => {
    expect(diff(order(), { quantity: 3, description: 'Widgets' })).toEqual({});
    expect(diff(order(), { quantity: 4, specifications: { color: 'red' } })).toEqual({ quantity: { from: 3, to: 4 } });
  });

  it('closing the room moves only REVIEW orders on', () => {
    expect(statusAfterRoomClose(order())).toBe('PROCESSING');
    expect(statusAfterRoomClose(order({ status: 'PROCESSING' }))).toBe('PROCESSING');
    expect(statusAfterRoomClose(order({ status: 'COMPLETED' }))).toBe('COMPLETED');
  });
});

describe('repository requests', () => {
  const event = { version: 2, type: 'UPDATED' as const, at: 'now', by: owner, changes: {} };

  it('writes a change as one conditional write of the order, carrying the event that made it', () => {
    const params = changeParams(order({ version: 2 }), event, 1);
    expect(params).toMatchObject({
      ConditionExpression: 'version = :expected',
      ExpressionAttributeValues: { ':expected': 1 },
    });
    expect(params.Item).toMatchObject({
      pk: `ORDER#${ORDER_ID}`,
      sk: 'ORDER',
      gsi5pk: 'ORDERS',
      gsi2pk: `OWNER#${USER_ID}`,
      gsi3pk: 'ORDERS#REVIEW',
      roomOpen: true,
      lastEvent: event,
    });
    // Users' collection index is not an order's.
    expect(params.Item).not.toHaveProperty('gsi1pk');
  });

  it.each([
    [{}, 'allOrders', 'ORDERS'],
    [{ status: 'PROCESSING' as const }, 'byStatus', 'ORDERS#PROCESSING'],
    [{ ownerId: USER_ID }, 'byOwner', `OWNER#${USER_ID}`],
  ])('lists %o with one Query on %s', (scope, indexName, partition) => {
    const params = listParams(scope, 20, undefined);
    expect(params).toMatchObject({
      IndexName: indexName,
      ScanIndexForward: false,
      Limit: 20,
      ExpressionAttributeValues: { ':pk': partition },
    });
    expect(params).not.toHaveProperty('FilterExpression');
  });

  it("lists one owner's orders in one status from an index of their own, reading only what it returns", () => {
    const params = listParams({ ownerId: USER_ID, status: 'REVIEW' }, 20, undefined);
    expect(params).toMatchObject({
      IndexName: 'byOwnerStatus',
      ExpressionAttributeValues: { ':pk': `OWNER#${USER_ID}#REVIEW` },
      Limit: 20,
    });
    expect(params).not.toHaveProperty('FilterExpression');
  });
});

const dynamo = mockClient(DynamoDBDocumentClient);
beforeEach(() => {
  dynamo.reset();
  mockSignedInCallers(dynamo);
});
afterEach(() => {
  dynamo.reset();
});

const orderGet = { Key: { pk: `ORDER#${ORDER_ID}` } };
const stored = (overrides: Partial<Order> = {}) => ({
  Item: { pk: `ORDER#${ORDER_ID}`, sk: 'ORDER', ...order(overrides) },
  $metadata: {},
});
const conflict = () => new ConditionalCheckFailedException({ message: 'version moved', $metadata: {} });
/** The writes of the order item (a change's history Put of the event before it is another Put). */
const orderWrites = () => dynamo.commandCalls(PutCommand).filter((c) => c.args[0].input.Item?.sk === 'ORDER');

/** The write of the order itself (the history's Put before it is unconditional). */
const orderPut = { ConditionExpression: 'version = :expected' };

describe('PATCH /orders/{id} version conflicts', () => {
  const patch = (headers: Record<string, string> = {}) =>
    httpEvent('PATCH /orders/{id}', { claims: userClaims(), params: { id: ORDER_ID }, body: { quantity: 9 }, headers });

  it('answers 412 when If-Match names an old version, without writing', async () => {
    dynamo.on(GetCommand, orderGet).resolves(stored({ version: 2 }));
    const response = await call(updateHandler, patch({ 'if-match': '"1"' }));
    expect(response.statusCode).toBe(412);
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('answers 412 when another writer wins between read and write', async () => {
    dynamo.on(GetCommand, orderGet).resolves(stored());
    dynamo.on(PutCommand, orderPut).rejects(conflict());
    const response = await call(updateHandler, patch({ 'if-match': '"1"' }));
    expect(response.statusCode).toBe(412);
  });

  it('retries on fresh data without If-Match, and succeeds', async () => {
    dynamo
      .on(GetCommand, orderGet)
      .resolvesOnce(stored())
      .resolves(stored({ version: 2, description: 'Changed meanwhile' }));
    dynamo.on(PutCommand).resolves({ $metadata: {} });
    dynamo.on(PutCommand, orderPut).rejectsOnce(conflict()).resolves({ $metadata: {} });
    const response = await call(updateHandler, patch());
    expect(response.statusCode).toBe(200);
    expect(response.json).toMatchObject({ version: 3, quantity: 9, description: 'Changed meanwhile' });
    expect(response.headers.etag).toBe('"3"');
    expect(orderWrites()[1]!.args[0].input.ExpressionAttributeValues).toEqual({ ':expected': 2 });
  });

  it('gives up with 409 after repeated conflicts', async () => {
    dynamo.on(GetCommand, orderGet).resolves(stored());
    dynamo.on(PutCommand, orderPut).rejects(conflict());
    expect((await call(updateHandler, patch())).statusCode).toBe(409);
    expect(orderWrites()).toHaveLength(3);
  });
});

describe('a change to an order', () => {
  it('first writes the event the order carries to the history, then the order with the new event', async () => {
    const previous = {
      version: 2,
      type: 'UPDATED',
      at: '2026-01-02T00:00:00.000Z',
      by: { id: USER_ID, role: 'REGULAR' },
      changes: { quantity: { from: 1, to: 2 } },
    };
    dynamo
      .on(GetCommand, orderGet)
      .resolves({ Item: { ...stored({ version: 2 }).Item, lastEvent: previous }, $metadata: {} });
    dynamo.on(PutCommand).resolves({ $metadata: {} });
    const response = await call(
      updateHandler,
      httpEvent('PATCH /orders/{id}', { claims: userClaims(), params: { id: ORDER_ID }, body: { quantity: 9 } }),
    );
    expect(response.statusCode).toBe(200);
    const [history, write] = dynamo.commandCalls(PutCommand).map((c) => c.args[0].input);
    expect(history!.Item).toMatchObject({ sk: 'HISTORY#0000000002', ...previous });
    expect(history!.ConditionExpression).toBeUndefined();
    expect(write!.Item).toMatchObject({
      sk: 'ORDER',
      version: 3,
      lastEvent: { version: 3, changes: { quantity: { from: 3, to: 9 } } },
    });
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});

describe('POST /orders idempotency', () => {
  const create = (key?: string, body: unknown = fields) =>
    httpEvent('POST /orders', { claims: userClaims(), body, headers: key ? { 'idempotency-key': key } : {} });
  const claimPuts = () =>
    dynamo.commandCalls(PutCommand).filter((put) => put.args[0].input.TableName === process.env.IDEMPOTENCY_TABLE_NAME);
  const orderPuts = () =>
    dynamo.commandCalls(PutCommand).filter((put) => put.args[0].input.TableName === process.env.MAIN_TABLE_NAME);

  it('claims the key for the order, then writes the order: two conditional writes', async () => {
    dynamo.on(PutCommand).resolves({ $metadata: {} });
    const response = await call(createHandler, create('key-1'));
    expect(response.statusCode).toBe(201);
    const [claim] = claimPuts();
    expect(claim!.args[0].input).toMatchObject({
      Item: { orderId: response.json.id, createdAt: response.json.createdAt },
      ConditionExpression: 'attribute_not_exists(id) OR expiration < :now',
    });
    // The key itself is not stored: the record is named by the user and a digest of it.
    expect(JSON.stringify(claim!.args[0].input)).not.toContain('key-1');
    expect(orderPuts()).toHaveLength(1);
  });

  /** Places an order with `key`, then sets DynamoDB up as a retry finds it: the key's claim taken by that order. */
  async function afterFirstRequest(key: string) {
    dynamo.on(PutCommand).resolves({ $metadata: {} });
    const first = await call(createHandler, create(key));
    const held = claimPuts()[0]!.args[0].input.Item!;
    dynamo.reset();
    mockSignedInCallers(dynamo);
    const taken = new ConditionalCheckFailedException({
      message: 'taken',
      $metadata: {},
      // A refused write's ALL_OLD comes back marshalled, whichever client sent it.
      Item: Object.fromEntries(
        Object.entries(held).map(([k, v]) => [k, typeof v === 'number' ? { N: String(v) } : { S: v }]),
      ),
    });
    dynamo.on(PutCommand, { TableName: process.env.IDEMPOTENCY_TABLE_NAME }).rejects(taken);
    dynamo.on(PutCommand, { TableName: process.env.MAIN_TABLE_NAME }).resolves({ $metadata: {} });
    return first;
  }

  it('answers a retry with the order the key was first used for, as stored, writing nothing', async () => {
    const first = await afterFirstRequest('key-1');
    dynamo.on(GetCommand, { Key: { pk: `ORDER#${first.json.id}`, sk: 'ORDER' } }).resolves({
      Item: {
        pk: `ORDER#${first.json.id}`,
        sk: 'ORDER',
        ...order({ id: first.json.id, createdAt: first.json.createdAt, status: 'PROCESSING' }),
      },
    });
    const retry = await call(createHandler, create('key-1'));
    expect(retry.statusCode).toBe(201);
    expect(retry.json).toMatchObject({ id: first.json.id, status: 'PROCESSING' });
    expect(orderPuts()).toHaveLength(0);

    const different = await call(createHandler, create('key-1', { ...fields, quantity: 4 }));
    expect(different.statusCode).toBe(422);
    expect(orderPuts()).toHaveLength(0);
  });

  it('writes the order a claim names when the request that claimed the key died before writing it', async () => {
    const first = await afterFirstRequest('key-1');
    dynamo.on(GetCommand, { Key: { pk: `ORDER#${first.json.id}`, sk: 'ORDER' } }).resolves({});
    const retry = await call(createHandler, create('key-1'));
    expect(retry.statusCode).toBe(201);
    expect(retry.json).toEqual(first.json);
    expect(orderPuts()[0]!.args[0].input).toMatchObject({
      Item: { pk: `ORDER#${first.json.id}` },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
  });

  it('answers the claimant with the order when a racer with the same key wrote it first', async () => {
    // The claim succeeds; a racer that read the claim wrote the claimed order before we could.
    dynamo.on(PutCommand, { TableName: process.env.IDEMPOTENCY_TABLE_NAME }).resolves({ $metadata: {} });
    dynamo
      .on(PutCommand, { TableName: process.env.MAIN_TABLE_NAME })
      .rejects(new ConditionalCheckFailedException({ message: 'exists', $metadata: {} }));
    let written: Record<string, unknown> | undefined;
    dynamo.on(GetCommand).callsFake((input: { Key: { pk: string } }) => {
      if (!input.Key.pk.startsWith('ORDER#')) return {};
      const claim = claimPuts()[0]!.args[0].input.Item!;
      written ??= {
        pk: input.Key.pk,
        sk: 'ORDER',
        ...order({ id: String(claim.orderId), createdAt: String(claim.createdAt) }),
      };
      return { Item: written };
    });
    mockSignedInCallers(dynamo); // the profile reads, over the catch-all above
    const response = await call(createHandler, create('key-race'));
    expect(response.statusCode).toBe(201);
    expect(response.json.id).toBe(claimPuts()[0]!.args[0].input.Item!.orderId);
  });

  it('creates directly, without an idempotency record, when no key is sent: one conditional write', async () => {
    dynamo.on(PutCommand).resolves({ $metadata: {} });
    const response = await call(createHandler, create());
    expect(response.statusCode).toBe(201);
    expect(claimPuts()).toHaveLength(0);
    const [put] = dynamo.commandCalls(PutCommand);
    expect(put!.args[0].input).toMatchObject({ ConditionExpression: 'attribute_not_exists(pk)' });
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('refuses admins before touching anything', async () => {
    const response = await call(createHandler, httpEvent('POST /orders', { claims: adminClaims(), body: fields }));
    expect(response.statusCode).toBe(403);
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(0);
  });
});

describe('order bodies', () => {
  const body = (specifications: Record<string, unknown>) => ({ description: 'x', specifications, quantity: 1 });

  it('refuse numbers DynamoDB cannot store or give back exactly, and keep the ones it can', () => {
    // 12345678901234567890 and 1e100 reached the SDK, which refused them: a 500.
    for (const n of [
      5e-324,
      1e-131,
      -1e-200,
      1e126,
      -2e300,
      JSON.parse('12345678901234567890') as number,
      1e100,
      2 ** 53,
      -(2 ** 53),
    ]) {
      const result = CreateOrderBody.safeParse(body({ n }));
      expect(result.success, String(n)).toBe(false);
      expect(result.error!.issues[0]!.message).toMatch(/between 1e-130 and 9007199254740991/);
    }
    for (const n of [0, -0, 1e-130, 0.1, -42.5, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER]) {
      expect(CreateOrderBody.safeParse(body({ nested: [{ n }] })).success, String(n)).toBe(true);
    }
  });
});

describe('GET /orders/{id}/history', () => {
  const history = (claims: Record<string, string>) =>
    call(historyHandler, httpEvent('GET /orders/{id}/history', { claims, params: { id: ORDER_ID } }));
  const partition = {
    Items: [
      {
        pk: `ORDER#${ORDER_ID}`,
        sk: 'HISTORY#0000000001',
        version: 1,
        type: 'CREATED',
        at: '2026-01-01T00:00:00.000Z',
        by: { id: USER_ID, role: 'REGULAR' },
        changes: {},
      },
      { pk: `ORDER#${ORDER_ID}`, sk: 'ORDER', ...order() },
    ].reverse(),
    $metadata: {},
  };

  it('reads the order and its events in one consistent Query of its partition', async () => {
    dynamo.on(QueryCommand, { ExpressionAttributeValues: { ':pk': `ORDER#${ORDER_ID}` } }).resolves(partition);
    const response = await history(userClaims());
    expect(response.statusCode, JSON.stringify(response.json)).toBe(200);
    expect(response.json.items).toEqual([
      {
        version: 1,
        type: 'CREATED',
        at: '2026-01-01T00:00:00.000Z',
        by: { id: USER_ID, role: 'REGULAR' },
        changes: {},
      },
    ]);
    const orderReads = dynamo
      .commandCalls(QueryCommand)
      .filter((c) => c.args[0].input.ExpressionAttributeValues?.[':pk'] === `ORDER#${ORDER_ID}`);
    expect(orderReads).toHaveLength(1);
    expect(orderReads[0]!.args[0].input.ConsistentRead).toBe(true);
    expect(dynamo.commandCalls(GetCommand, orderGet)).toHaveLength(0);
  });

  it('gives orders changed before version 1 was stored their CREATED event, with the fields they were placed with', async () => {
    const current = order({ version: 3, quantity: 9, description: 'Now' });
    const edits = [
      {
        version: 2,
        type: 'UPDATED',
        at: '2026-01-02T00:00:00.000Z',
        by: { id: USER_ID, role: 'REGULAR' },
        changes: { quantity: { from: 2, to: 5 } },
      },
      {
        version: 3,
        type: 'UPDATED',
        at: '2026-01-03T00:00:00.000Z',
        by: { id: ADMIN_ID, role: 'ADMIN' },
        changes: { quantity: { from: 5, to: 9 }, description: { from: 'First', to: 'Now' } },
      },
    ];
    const items = [
      ...edits.map((e) => ({ pk: `ORDER#${ORDER_ID}`, sk: `HISTORY#000000000${e.version}`, ...e })),
      { pk: `ORDER#${ORDER_ID}`, sk: 'ORDER', ...current },
    ];
    // A page reads newest first (the order, then its events); rebuilding version 1 reads them all, oldest first.
    dynamo.on(QueryCommand, { ScanIndexForward: false }).resolves({ Items: [...items].reverse(), $metadata: {} });
    dynamo
      .on(QueryCommand, { KeyConditionExpression: 'pk = :pk AND sk <= :order' })
      .resolves({ Items: items, $metadata: {} });
    const response = await history(userClaims());
    expect(response.statusCode, JSON.stringify(response.json)).toBe(200);
    expect(response.json.items.map((e: { version: number }) => e.version)).toEqual([1, 2, 3]);
    expect(response.json.items[0]).toEqual({
      version: 1,
      type: 'CREATED',
      at: current.createdAt,
      by: { id: USER_ID, role: 'REGULAR' },
      changes: {
        description: { to: 'First' },
        specifications: { to: current.specifications },
        quantity: { to: 2 },
        metadata: { to: current.metadata },
      },
    });
  });

  it("takes the order's own event once, whether or not the history holds it too", async () => {
    const event = (version: number) => ({
      version,
      type: 'UPDATED',
      at: '2026-01-02T00:00:00.000Z',
      by: { id: USER_ID, role: 'REGULAR' },
      changes: { quantity: { from: version, to: version + 1 } },
    });
    const partitionWith = (historyVersions: number[]) => ({
      Items: [
        ...historyVersions.map((v) => ({ pk: `ORDER#${ORDER_ID}`, sk: `HISTORY#000000000${v}`, ...event(v) })),
        { pk: `ORDER#${ORDER_ID}`, sk: 'ORDER', ...order({ version: 3, quantity: 4 }), lastEvent: event(3) },
      ].reverse(),
      $metadata: {},
    });
    const byVersion = { ExpressionAttributeValues: { ':pk': `ORDER#${ORDER_ID}` } };
    // A change that stopped between its two writes left version 3 in the history as well.
    for (const stored of [[2], [2, 3]]) {
      dynamo.on(QueryCommand, byVersion).resolves(partitionWith(stored));
      const response = await history(userClaims());
      expect(response.json.items.map((e: { version: number }) => e.version)).toEqual([1, 2, 3]);
    }
  });

  it("answers 404 to another user, without the order's events", async () => {
    dynamo.on(QueryCommand, { ExpressionAttributeValues: { ':pk': `ORDER#${ORDER_ID}` } }).resolves(partition);
    const response = await history(userClaims(OTHER_ID));
    expect(response.statusCode).toBe(404);
    expect(JSON.stringify(response.json)).not.toContain('CREATED');
  });
});
