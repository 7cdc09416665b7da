// The WebSocket handler chain: a two-way route answers on the route response, a one-way route posts
// what it has to say (an error) through @connections and returns no body.
import { mockClient } from 'aws-sdk-client-mock';
import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler as unknownAction } from '#lambdas/handlers/ws/default.ts';
import { handler as closeRoom } from '#lambdas/handlers/ws/close-room.ts';
import { newOrder } from '#lambdas/orders/order.ts';
import { ADMIN_ID, mockSignedInCallers, USER_ID } from '../support/events.ts';
import type { WsEvent } from '#lambdas/shared/ws.ts';

const management = mockClient(ApiGatewayManagementApiClient);
beforeEach(() => management.reset());

const frameEvent = (body: string) =>
  ({
    body,
    isBase64Encoded: false,
    requestContext: {
      connectionId: 'conn-1',
      requestId: 'req-1',
      routeKey: '$default',
      authorizer: { userId: 'user-1', role: 'REGULAR', name: 'Ann' },
    },
  }) as unknown as WsEvent;
const context = { getRemainingTimeInMillis: () => 10_000 } as Context;
const fields = { description: 'Widgets', specifications: {}, quantity: 1, metadata: {} };

describe('the WebSocket chain', () => {
  it('returns the error frame as the route response body, with no @connections call', async () => {
    const result = await unknownAction(frameEvent('{"action":"dance","roomId":"r1"}'), context);
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body!)).toEqual({
      type: 'error',
      status: 400,
      message: expect.stringContaining('Unknown action "dance"'),
      action: 'dance',
      roomId: 'r1',
    });
    expect(management.calls()).toHaveLength(0);
  });

  it('echoes a well-formed clientMessageId, so a client knows which pending message was refused', async () => {
    const echoed = await unknownAction(frameEvent('{"action":"dance","clientMessageId":"c-7"}'), context);
    expect(JSON.parse(echoed.body!)).toMatchObject({ type: 'error', clientMessageId: 'c-7' });
    const oversized = await unknownAction(
      frameEvent(JSON.stringify({ action: 'dance', clientMessageId: 'x'.repeat(65) })),
      context,
    );
    expect(JSON.parse(oversized.body!)).not.toHaveProperty('clientMessageId');
  });

  it('answers a frame that is not a JSON object without throwing', async () => {
    const result = await unknownAction(frameEvent('[1,2'), context);
    expect(JSON.parse(result.body!)).toMatchObject({ type: 'error', status: 400 });
  });
});

describe('closing a room over the WebSocket', () => {
  const dynamo = mockClient(DynamoDBDocumentClient);
  const ORDER_ID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
  const closeFrame = (userId: string, role: string) =>
    ({
      body: JSON.stringify({ action: 'closeRoom', roomId: ORDER_ID, summary: 'Agreed' }),
      isBase64Encoded: false,
      requestContext: {
        connectionId: 'conn-1',
        requestId: 'req-1',
        routeKey: 'closeRoom',
        authorizer: { userId, role, name: 'Ann', sessionId: 's1', sessionStartedAt: 1, sessionExpiresAt: 4e9 },
      },
    }) as unknown as WsEvent;

  beforeEach(() => {
    dynamo.reset();
    mockSignedInCallers(dynamo);
    const order = newOrder(ORDER_ID, { id: USER_ID, role: 'REGULAR', name: 'Ann' }, fields, '2026-01-01T00:00:00.000Z');
    dynamo.on(GetCommand, { Key: { pk: `ORDER#${ORDER_ID}` } }).resolves({ Item: order, $metadata: {} });
    dynamo.on(PutCommand).resolves({ $metadata: {} });
    dynamo
      .on(QueryCommand)
      .resolves({ Items: [{ connectionId: 'conn-1' }, { connectionId: 'conn-2' }], $metadata: {} });
    management.on(PostToConnectionCommand).resolves({ $metadata: {} });
  });

  it('checks the session once, reads the order once, writes once and reads the members once', async () => {
    // A room nobody waits in: taking it out of the inbox (and the waiting count) is refused, and the
    // admins hear nothing of it.
    dynamo.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'not waiting',
        $metadata: {},
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
      }),
    );
    const result = await closeRoom(closeFrame(ADMIN_ID, 'ADMIN'), context);
    expect(result).toEqual({ statusCode: 200 });
    const reads = dynamo.commandCalls(GetCommand).map((c) => c.args[0].input.Key!.pk);
    expect(reads).toEqual([`USER#${ADMIN_ID}`, `ORDER#${ORDER_ID}`]);
    // Version 1's event (CREATED, not stored when placing) goes to the history, then the order.
    expect(dynamo.commandCalls(PutCommand).map((c) => c.args[0].input.Item!.sk)).toEqual([
      'HISTORY#0000000001',
      'ORDER',
    ]);
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(1);
    // The room's members, then the watchers of order lists: admins', and the customer's.
    const queried = dynamo.commandCalls(QueryCommand).map((c) => c.args[0].input.ExpressionAttributeValues?.[':room']);
    expect(queried[0]).toBe(`ROOM#${ORDER_ID}`);
    expect(queried.slice(1).sort()).toEqual(['ROOM#LIST#ALL', expect.stringMatching(/^ROOM#LIST#USER#/)]);
    // Each member hears the close and the status change it caused, in that order (here every
    // connection also watches the lists, and hears the list change after).
    const frames = management.commandCalls(PostToConnectionCommand).map((c) => c.args[0].input);
    for (const connectionId of ['conn-1', 'conn-2']) {
      const types = frames.filter((f) => f.ConnectionId === connectionId).map((f) => JSON.parse(String(f.Data)).type);
      expect(types).toEqual(['roomClosed', 'orderStatusChanged', 'orderListChanged']);
    }
  });

  it('refuses a regular user with 403 before reading the order, posted: closeRoom is one-way', async () => {
    const result = await closeRoom(closeFrame(USER_ID, 'REGULAR'), context);
    expect(result).toEqual({ statusCode: 200 });
    const posted = management.commandCalls(PostToConnectionCommand).map((c) => c.args[0].input);
    expect(posted).toHaveLength(1);
    expect(JSON.parse(String(posted[0]!.Data))).toMatchObject({ type: 'error', status: 403, action: 'closeRoom' });
    expect(dynamo.commandCalls(GetCommand).map((c) => c.args[0].input.Key!.pk)).toEqual([`USER#${USER_ID}`]);
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(0);
  });
});
