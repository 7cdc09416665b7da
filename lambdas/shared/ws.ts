/**
 * The WebSocket handler chain: parse the frame, validate it against the
 * route's schema, run the domain, send its answer frame back, and turn any
 * thrown error into an error frame `{type: "error", status, message, action?,
 * roomId?}` for the caller. Identity always comes from the authorizer context
 * saved at $connect, never from the frame.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyWebsocketEventV2, Context } from 'aws-lambda';
import type { z } from 'zod';
import type { ErrorFrame as ErrorFrameSchema } from '../schemas/common.ts';
import { AppError, toProblem } from './errors.ts';
import { postToConnection } from './connections-api.ts';
import { logger } from './logger.ts';
import type { Member } from './caller.ts';
import { parseWith } from './validation.ts';

/** What the $connect authorizer put in its context (API Gateway adds principalId). */
export type WsIdentity = Member;

export interface WsEvent extends APIGatewayProxyWebsocketEventV2 {
  requestContext: APIGatewayProxyWebsocketEventV2['requestContext'] & {
    authorizer?: { principalId?: string; userId?: string; role?: string; name?: string };
  };
}

export type ErrorFrame = z.output<typeof ErrorFrameSchema>;

/** Send one frame to one connection. Resolves false when the connection is gone. */
export async function sendFrame(connectionId: string, frame: unknown): Promise<boolean> {
  return (await postToConnection(connectionId, JSON.stringify(frame))) === 'delivered';
}

export function identityFromWsEvent(event: WsEvent): WsIdentity {
  const context = event.requestContext.authorizer;
  if (!context?.userId) throw new Error('WebSocket route invoked without authorizer context');
  return { id: context.userId, role: context.role === 'ADMIN' ? 'ADMIN' : 'REGULAR', name: context.name ?? '' };
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

export interface WsRequest<F> {
  connectionId: string;
  identity: WsIdentity;
  frame: F;
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

/**
 * Wraps a route: `schema` validates the frame (undefined: the raw parsed frame
 * is passed on, for $default). Whatever `run` returns is sent back to the
 * caller; whatever it throws reaches the caller as an error frame.
 */
export function wsHandler<S extends z.ZodType | undefined>(
  routeKey: string,
  schema: S,
  run: (
    request: WsRequest<S extends z.ZodType ? z.output<S> : Record<string, unknown> | undefined>,
  ) => Promise<unknown>,
) {
  return middy<WsEvent, { statusCode: number }, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event) => {
      const { connectionId, requestId } = event.requestContext;
      logger.appendKeys({ requestId, connectionId, route: routeKey });
      const raw = parseFrame(event.body);
      try {
        const frame = schema ? parseWith(schema, raw, 'frame') : raw;
        const answer = await run({
          connectionId,
          identity: identityFromWsEvent(event),
          frame: frame as never,
        });
        if (answer !== undefined) await sendFrame(connectionId, answer);
      } catch (error) {
        if (error instanceof AppError) logger.info('Frame refused', { status: error.status, detail: error.message });
        else logger.error('Unhandled error', error as Error);
        await sendFrame(connectionId, errorFrame(error, raw ?? {}));
      }
      return { statusCode: 200 };
    });
}
