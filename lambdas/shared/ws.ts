/**
 * The WebSocket handler chain: parse the frame, validate it against the
 * route's schema, run the domain, and turn any thrown error into an error
 * frame `{type: "error", status, message, action?, roomId?}` sent back to the
 * caller. Identity always comes from the authorizer context saved at
 * $connect, never from the frame.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { PostToConnectionCommand, GoneException } from '@aws-sdk/client-apigatewaymanagementapi';
import type { APIGatewayProxyWebsocketEventV2, Context } from 'aws-lambda';
import { z } from 'zod';
import { AppError, toProblem } from './errors.ts';
import { connectionsApi } from './clients.ts';
import { readEnv } from './env.ts';
import { logger } from './logger.ts';
import type { Caller, Role } from './caller.ts';

const env = readEnv({ WS_CALLBACK_URL: z.url() });

export interface WsEvent extends APIGatewayProxyWebsocketEventV2 {
  requestContext: APIGatewayProxyWebsocketEventV2['requestContext'] & {
    authorizer?: { principalId?: string; userId?: string; role?: string };
  };
}

export interface ErrorFrame {
  type: 'error';
  status: number;
  message: string;
  action?: string;
  roomId?: string;
}

/** Send one frame to one connection. Resolves false when the connection is gone. */
export async function sendFrame(connectionId: string, frame: unknown): Promise<boolean> {
  try {
    await connectionsApi(env.WS_CALLBACK_URL).send(
      new PostToConnectionCommand({ ConnectionId: connectionId, Data: JSON.stringify(frame) }),
    );
    return true;
  } catch (error) {
    if (error instanceof GoneException) return false;
    throw error;
  }
}

export function callerFromWsEvent(event: WsEvent): Caller {
  const context = event.requestContext.authorizer;
  if (!context?.userId) throw new Error('WebSocket route invoked without authorizer context');
  return { id: context.userId, role: (context.role as Role) ?? 'REGULAR' };
}

export function errorFrame(error: unknown, frame: { action?: unknown; roomId?: unknown }): ErrorFrame {
  const problem = toProblem(error);
  return {
    type: 'error',
    status: problem.status,
    message: problem.detail,
    ...(typeof frame.action === 'string' ? { action: frame.action } : {}),
    ...(typeof frame.roomId === 'string' ? { roomId: frame.roomId } : {}),
  };
}

export interface WsRequest {
  connectionId: string;
  caller: Caller;
  /** The frame, parsed as JSON; undefined when it was not valid JSON. */
  frame: Record<string, unknown> | undefined;
  requestId: string;
}

function parseFrame(body: string | undefined): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body ?? '');
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Wraps a message route; whatever it throws reaches the caller as an error frame. */
export function wsHandler(routeKey: string, run: (request: WsRequest) => Promise<void>) {
  return middy<WsEvent, { statusCode: number }, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event) => {
      const { connectionId, requestId } = event.requestContext;
      logger.appendKeys({ requestId, connectionId, route: routeKey });
      const frame = parseFrame(event.body);
      try {
        await run({ connectionId, caller: callerFromWsEvent(event), frame, requestId });
      } catch (error) {
        if (error instanceof AppError) logger.info('Frame refused', { status: error.status, detail: error.message });
        else logger.error('Unhandled error', error as Error);
        await sendFrame(connectionId, errorFrame(error, frame ?? {}));
      }
      return { statusCode: 200 };
    });
}
