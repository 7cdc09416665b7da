// Unit: WebSocket fan-out with the management API and DynamoDB mocked at the client boundary.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  ApiGatewayManagementApiClient,
  ForbiddenException,
  GoneException,
  LimitExceededException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { BatchWriteCommand, DeleteCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { broadcastToRoom, CONCURRENCY, sendToConnections } from '#lambdas/chat/fanout.ts';
import { CALL_TIMEOUT_MS } from '#lambdas/shared/connections-api.ts';

const management = mockClient(ApiGatewayManagementApiClient);
const dynamo = mockClient(DynamoDBDocumentClient);
const meta = { $metadata: {} };

beforeEach(() => {
  management.reset();
  dynamo.reset();
  dynamo.on(QueryCommand).resolves({ Items: [], ...meta });
  dynamo.on(DeleteCommand).resolves(meta);
  dynamo.on(BatchWriteCommand).resolves(meta);
});
afterEach(() => {
  management.reset();
  dynamo.reset();
  vi.useRealTimers();
});

const sentTo = () => management.commandCalls(PostToConnectionCommand).map((c) => c.args[0].input.ConnectionId);

describe('sendToConnections', () => {
  it('sends the frame once to each distinct connection', async () => {
    management.on(PostToConnectionCommand).resolves(meta);
    const result = await sendToConnections(['a', 'b', 'a', 'c'], [{ type: 'newMessage' }]);
    expect(result).toEqual({ delivered: 3, gone: 0, failed: 0 });
    expect(sentTo().sort()).toEqual(['a', 'b', 'c']);
    expect(JSON.parse(String(management.commandCalls(PostToConnectionCommand)[0]!.args[0].input.Data))).toEqual({
      type: 'newMessage',
    });
  });

  it('deletes a connection that answers 410 Gone (and its memberships) and carries on', async () => {
    management.on(PostToConnectionCommand).resolves(meta);
    management
      .on(PostToConnectionCommand, { ConnectionId: 'stale' })
      .rejects(new GoneException({ message: 'gone', ...meta }));
    dynamo.on(QueryCommand).resolves({
      Items: [
        { pk: 'CONN#stale', sk: 'META' },
        { pk: 'CONN#stale', sk: 'ROOM#r1' },
      ],
      ...meta,
    });
    const result = await sendToConnections(['ok1', 'stale', 'ok2'], [{ type: 'x' }]);
    expect(result).toEqual({ delivered: 2, gone: 1, failed: 0 });
    const deleted = dynamo
      .commandCalls(BatchWriteCommand)[0]!
      .args[0].input.RequestItems!['connections-test']!.map((r) => r.DeleteRequest!.Key);
    expect(deleted).toEqual([
      { pk: 'CONN#stale', sk: 'META' },
      { pk: 'CONN#stale', sk: 'ROOM#r1' },
      { pk: 'ROOM#r1', sk: 'CONN#stale' },
    ]);
  });

  it('retries a throttled call once, then counts it as failed without stopping the others', async () => {
    management.on(PostToConnectionCommand).resolves(meta);
    management
      .on(PostToConnectionCommand, { ConnectionId: 'busy' })
      .rejectsOnce(new LimitExceededException({ message: 'slow down', ...meta }))
      .resolves(meta);
    management
      .on(PostToConnectionCommand, { ConnectionId: 'flooded' })
      .rejects(new LimitExceededException({ message: 'slow down', ...meta }));
    management
      .on(PostToConnectionCommand, { ConnectionId: 'forbidden' })
      .rejects(new ForbiddenException({ message: 'no', ...meta }));
    const result = await sendToConnections(['busy', 'flooded', 'forbidden', 'fine'], [{ type: 'x' }]);
    expect(result).toEqual({ delivered: 2, gone: 0, failed: 2 });
    expect(sentTo().filter((id) => id === 'busy')).toHaveLength(2);
    expect(sentTo().filter((id) => id === 'flooded')).toHaveLength(2);
    expect(dynamo.commandCalls(BatchWriteCommand)).toHaveLength(0);
  });

  it('never has more than CONCURRENCY calls in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    management.on(PostToConnectionCommand).callsFake(async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return meta;
    });
    const ids = Array.from({ length: 100 }, (_, i) => `c${i}`);
    const result = await sendToConnections(ids, [{ type: 'x' }]);
    expect(result.delivered).toBe(100);
    expect(peak).toBe(CONCURRENCY);
  });

  it('gives up on a hanging call after its timeout, without holding up the rest', async () => {
    management.on(PostToConnectionCommand).resolves(meta);
    // A call that never answers by itself: only the per-call deadline can end it.
    management.on(PostToConnectionCommand, { ConnectionId: 'hangs' }).callsFake(() => new Promise(() => undefined));
    vi.useFakeTimers();
    const pending = sendToConnections(['hangs', 'a', 'b'], [{ type: 'x' }]);
    await vi.advanceTimersByTimeAsync(CALL_TIMEOUT_MS);
    expect(await pending).toEqual({ delivered: 2, gone: 0, failed: 1 });
  });
});

describe('several frames', () => {
  it('sends each connection its frames in order, and stops at a connection that is gone', async () => {
    management.on(PostToConnectionCommand).resolves(meta);
    management
      .on(PostToConnectionCommand, { ConnectionId: 'stale' })
      .rejects(new GoneException({ message: 'gone', ...meta }));
    dynamo.on(QueryCommand).resolves({ Items: [], ...meta });
    const result = await sendToConnections(['a', 'stale'], [{ type: 'first' }, { type: 'second' }]);
    expect(result).toEqual({ delivered: 2, gone: 1, failed: 0 });
    const toA = management
      .commandCalls(PostToConnectionCommand)
      .filter((c) => c.args[0].input.ConnectionId === 'a')
      .map((c) => JSON.parse(String(c.args[0].input.Data)).type);
    expect(toA).toEqual(['first', 'second']);
    expect(sentTo().filter((id) => id === 'stale')).toHaveLength(1);
  });
});

describe('broadcastToRoom', () => {
  it('reads the members with one Query on the room partition, skipping expired memberships', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [{ connectionId: 'a' }, { connectionId: 'b' }], ...meta });
    management.on(PostToConnectionCommand).resolves(meta);
    await broadcastToRoom('ROOM1', [{ type: 'x' }]);
    const query = dynamo.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(query).toMatchObject({
      KeyConditionExpression: 'pk = :room',
      FilterExpression: 'expiresAt > :now AND attribute_not_exists(leftAt)',
      ExpressionAttributeValues: { ':room': 'ROOM#ROOM1' },
    });
    expect(sentTo().sort()).toEqual(['a', 'b']);
  });
});
