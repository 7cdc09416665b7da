/**
 * The WebSocket handler chain: parse the frame, validate it against the
 * route's schema, run the domain, send its answer frame back, and turn any
 * thrown error into an error frame `{type: "error", status, message, action?,
 * roomId?, clientMessageId?}` for the caller. Identity always comes from the authorizer context
 * saved at $connect, never from the frame.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyWebsocketEventV2, Context } from 'aws-lambda';
import type { z } from 'zod';
import type { ErrorFrame as ErrorFrameSchema } from '../schemas/common.ts';
import { AppError, classify, ServiceUnavailableError, UnauthorizedError, toProblem } from './errors.ts';
import { closeConnection, postToConnection } from './connections-api.ts';
import { logger } from './logger.ts';
import type { Caller, Session } from './caller.ts';
import { parseJson, parseWith } from './validation.ts';
import { actingCaller } from '../users/session.ts';
import type { WsRouteKey, wsRoutes } from '../routes.ts';
import type { CompiledWsRoute } from './compiled.ts';

/** What the $connect authorizer put in its context (API Gateway adds principalId). */
export interface ConnectionContext {
  principalId?: string;
  userId?: string;
  role?: string;
  name?: string;
  sessionId?: string;
  sessionStartedAt?: number | string;
  sessionExpiresAt?: number | string;
}

export interface WsEvent extends APIGatewayProxyWebsocketEventV2 {
  requestContext: APIGatewayProxyWebsocketEventV2['requestContext'] & { authorizer?: ConnectionContext };
}

export type ErrorFrame = z.output<typeof ErrorFrameSchema>;

/** The caller as $connect saw them (name and role may have changed since: frames re-read them). */
export function callerAtConnect(event: WsEvent): Caller {
  const context = event.requestContext.authorizer;
  if (!context?.userId) throw new Error('WebSocket route invoked without authorizer context');
  return { id: context.userId, role: context.role === 'ADMIN' ? 'ADMIN' : 'REGULAR', name: context.name ?? '' };
}

/** The session the connection was opened with (context values may arrive as strings). */
export function sessionOfConnection(event: WsEvent): Session {
  const context = event.requestContext.authorizer;
  const startedAt = Number(context?.sessionStartedAt);
  const expiresAt = Number(context?.sessionExpiresAt);
  if (!context?.userId || !context.sessionId || !Number.isInteger(startedAt) || !Number.isInteger(expiresAt)) {
    throw new Error('WebSocket route invoked without a session in its authorizer context');
  }
  return { userId: context.userId, id: context.sessionId, startedAt, expiresAt };
}

/** Echoed so a client with several messages pending knows which one was refused (only a well-formed one). */
const echoedClientMessageId = (value: unknown) =>
  typeof value === 'string' && value.length >= 1 && value.length <= 64 ? { clientMessageId: value } : {};

export function errorFrame(
  error: unknown,
  frame: { action?: unknown; roomId?: unknown; clientMessageId?: unknown },
): ErrorFrame {
  error = classify(error);
  const problem = toProblem(error);
  const retryAfter = error instanceof AppError ? error.retryAfterSeconds : undefined;
  return {
    type: 'error',
    status: problem.status,
    message: problem.detail,
    ...(retryAfter === undefined ? {} : { retryAfter }),
    ...(typeof frame.action === 'string' ? { action: frame.action } : {}),
    ...(typeof frame.roomId === 'string' ? { roomId: frame.roomId } : {}),
    ...echoedClientMessageId(frame.clientMessageId),
  };
}

type Route<K extends WsRouteKey> = (typeof wsRoutes)[K];
type SignedIn<K extends WsRouteKey> = Route<K>['access'] extends 'public' ? false : true;

export interface WsRequest<K extends WsRouteKey> {
  connectionId: string;
  /** When API Gateway received the frame (epoch ms): frames of a connection run in no set order. */
  receivedAt: number;
  /** The frame, validated against the route's schema (routes without one: the parsed JSON object, if any). */
  frame: Route<K> extends { frame: infer S extends z.ZodType } ? z.output<S> : Record<string, unknown> | undefined;
  /** Who sends this frame, with their role and name as they are now. */
  caller: SignedIn<K> extends true ? Caller : undefined;
  session: SignedIn<K> extends true ? Session : undefined;
  context: Context;
}

function parseFrame(body: string | undefined): Record<string, unknown> | undefined {
  try {
    const value: unknown = parseJson(body ?? '', 'frame');
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Sends a frame without ever throwing: an answer that can't be delivered is
 * logged, never turned into a second error for a frame that was handled.
 */
async function trySend(connectionId: string, frame: unknown): Promise<void> {
  await postToConnection(connectionId, JSON.stringify(frame)).catch((error: unknown) =>
    logger.warn('Could not answer the frame', { error: (error as Error).name }),
  );
}

/**
 * Wraps a route, taking everything from its entry in the route table (compiled: lambdas/generated). A signed-in route
 * ('user', 'admin') first re-reads the session: an ended one (logout, deletion,
 * sign-out-everywhere, expiry) gets a 401 frame and the connection is closed; a role that is
 * no longer admin gets a 403, as on HTTP. Then the frame is validated against the route's
 * schema. Whatever `run` returns, or the error frame for whatever it throws, goes to the caller: as
 * the route response on a two-way route (which always answers), through @connections on a one-way
 * route (which answers only when it has something to say: API Gateway would send an empty frame).
 */
export function wsHandler<K extends WsRouteKey>(
  route: CompiledWsRoute<K>,
  run: (request: WsRequest<K>) => Promise<unknown>,
) {
  const routeKey = route.key;
  return middy<WsEvent, { statusCode: number; body?: string }, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event, context) => {
      const { connectionId, requestId } = event.requestContext;
      logger.appendKeys({ requestId, connectionId, route: routeKey });
      const raw = parseFrame(event.body);
      let sessionEnded = false;
      let answer: unknown;
      try {
        let caller: Caller | undefined;
        let session: Session | undefined;
        if (route.access !== 'public') {
          session = sessionOfConnection(event);
          try {
            caller = await actingCaller(session, route, `Only admins may send ${routeKey}.`);
          } catch (error) {
            sessionEnded = error instanceof UnauthorizedError;
            throw error;
          }
        }
        const frame = route.frame ? parseWith(route.frame, raw, 'frame') : raw;
        const receivedAt = event.requestContext.requestTimeEpoch;
        answer = await run({ connectionId, receivedAt, caller, session, frame, context } as WsRequest<K>);
      } catch (error) {
        const typed = classify(error);
        if (typed instanceof ServiceUnavailableError) logger.warn('Dependency failed', error as Error);
        else if (typed instanceof AppError)
          logger.info('Frame refused', { status: typed.status, detail: typed.message });
        else logger.error('Unhandled error', error as Error);
        answer = errorFrame(typed, raw ?? {});
      }
      if (sessionEnded) {
        // The route response would arrive after the close: this last frame goes first, explicitly.
        await trySend(connectionId, answer);
        await closeConnection(connectionId).catch((error: unknown) =>
          logger.warn('Could not close the connection of an ended session', { error: (error as Error).name }),
        );
        return { statusCode: 200 };
      }
      if (answer === undefined) return { statusCode: 200 };
      // A one-way route's return value is discarded by API Gateway: what it has to say is posted.
      if (!route.twoWay) {
        await trySend(connectionId, answer);
        return { statusCode: 200 };
      }
      return { statusCode: 200, body: JSON.stringify(answer) };
    });
}
