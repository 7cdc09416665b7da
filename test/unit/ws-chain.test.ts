// The WebSocket handler chain: answers and error frames travel on the route response.
import { mockClient } from 'aws-sdk-client-mock';
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import type { Context } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler as unknownAction } from '#lambdas/handlers/ws/default.ts';
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

  it('answers a frame that is not a JSON object without throwing', async () => {
    const result = await unknownAction(frameEvent('[1,2'), context);
    expect(JSON.parse(result.body!)).toMatchObject({ type: 'error', status: 400 });
  });
});
