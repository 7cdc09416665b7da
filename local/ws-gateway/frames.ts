/** Frame routing: each frame of a connection selects a route on `$request.body.action` and runs it. */
import type { RawData } from 'ws';
import { gatewayId } from '../gateway-common.ts';
import { InvocationTimeout } from '../lambda-runner.ts';
import { armIdleTimer, closeWith, deliver } from './lifecycle.ts';
import { requestContext, type GatewayState, type LiveConnection } from './state.ts';

/**
 * How many frames of one connection the runtime handles at once. API Gateway runs them all
 * concurrently, in no documented order; more than one here is what lets a race between frames of
 * one connection show (a leaveRoom overtaken by the joinRoom sent after it). More than a few would
 * let one connection's burst take this one thread from every other client.
 */
const FRAMES_IN_FLIGHT = 2;

/** Route selection on `$request.body.action`: non-JSON or no match → $default. */
export function selectRoute(body: string, routeKeys: string[]): string | undefined {
  let action = '';
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === 'object' && 'action' in parsed) {
      const value = (parsed as { action: unknown }).action;
      action = typeof value === 'string' ? value : JSON.stringify(value);
    }
  } catch {
    action = '';
  }
  if (action && !action.startsWith('$') && routeKeys.includes(action)) return action;
  return routeKeys.includes('$default') ? '$default' : undefined;
}

/** The status an answer frame carries (our error frames do), for the request log. */
function answerStatus(body: unknown): number | undefined {
  if (typeof body !== 'string' || !body.includes('"status"')) return undefined;
  try {
    const status = (JSON.parse(body) as { status?: unknown }).status;
    return typeof status === 'number' ? status : undefined;
  } catch {
    return undefined;
  }
}

async function routeFrame(
  state: GatewayState,
  connectionId: string,
  connection: LiveConnection,
  data: RawData,
  isBinary: boolean,
  host: string,
  receivedAt: number,
): Promise<void> {
  const { options } = state;
  if (isBinary) {
    closeWith(connection, 1003, 'Binary frames are not supported');
    return;
  }
  const body = data.toString();
  const routeKey = selectRoute(body, state.routeKeys);
  // API Gateway stamps a frame when it arrives, not when its integration starts.
  const context = requestContext(state, connectionId, connection, routeKey ?? '$default', 'MESSAGE', host, receivedAt);
  const started = performance.now();
  const logFrame = (status: number, extra: { fn?: string; reason?: string } = {}) =>
    options.requestLog?.({
      method: 'WS',
      target: routeKey ?? '(none)',
      status,
      ms: performance.now() - started,
      ...extra,
    });
  // The gateway's own answers, as API Gateway words them.
  const reply = (message: string) =>
    deliver(state, connection, JSON.stringify({ message, connectionId, requestId: context.requestId }), 'a reply');
  if (state.throttle && !state.throttle.take(routeKey ?? '$default')) {
    logFrame(429, { reason: `stage throttle of ${routeKey ?? '$default'}` });
    reply('Too Many Requests');
    return;
  }
  if (!routeKey) {
    logFrame(403, { reason: 'no route for this action and no $default' });
    reply('Forbidden');
    return;
  }
  const route = options.routes[routeKey]!;
  const event = { requestContext: { ...context, messageId: gatewayId() }, body, isBase64Encoded: false };
  try {
    const result = (await state.run(route, event)) as { statusCode?: number; body?: unknown } | undefined;
    if (route.twoWay) {
      // API Gateway passes the integration's output back whole: a result without a body arrives as an
      // empty frame, which no client can parse (the route table says every two-way route has a body).
      const answer = typeof result?.body === 'string' ? result.body : '';
      if (answer === '') state.log(`The two-way route ${routeKey} answered without a body: an empty frame was sent.`);
      deliver(state, connection, answer, `the answer of ${routeKey}`);
    }
    // Parsing the answer for its status is for the log only: skipped when nobody reads it.
    if (options.requestLog) logFrame(answerStatus(result?.body) ?? result?.statusCode ?? 200, { fn: route.handler });
  } catch (error) {
    if (error instanceof InvocationTimeout) {
      logFrame(504, { fn: route.handler, reason: 'integration timed out' });
      reply('Endpoint request timed out');
    } else {
      state.log(`WebSocket route ${routeKey} failed`, error);
      logFrame(500, { fn: route.handler, reason: (error as Error).message });
      reply('Internal server error');
    }
  }
}

/**
 * Feeds a connection's frames to their routes. In API Gateway a connection's frames run
 * concurrently, each invocation in its own container; here they share one thread, so a
 * connection gets FRAMES_IN_FLIGHT at a time and a burst of thousands (one TCP read) can't
 * take that thread from every other client. Frames of different connections (two tabs of one
 * user, say) run concurrently too. With `frameJitterMs`, each frame waits a random time up to it
 * before its integration starts, so frames sent in one order may run in another, as in AWS.
 */
export function frameInbox(state: GatewayState, connectionId: string, connection: LiveConnection, host: string) {
  const inbox: [RawData, boolean, number][] = [];
  const jitterMs = state.options.frameJitterMs ?? 0;
  let inFlight = 0;
  const pump = () => {
    while (inFlight < FRAMES_IN_FLIGHT && inbox.length) {
      const [data, isBinary, receivedAt] = inbox.shift()!;
      inFlight++;
      const delay =
        jitterMs > 0 ? new Promise((resolve) => setTimeout(resolve, Math.random() * jitterMs)) : Promise.resolve();
      delay
        .then(() => routeFrame(state, connectionId, connection, data, isBinary, host, receivedAt))
        .catch((error: unknown) => state.log('WebSocket message handling failed', error))
        .finally(() => {
          inFlight--;
          setImmediate(pump);
        });
    }
  };
  return (data: RawData, isBinary: boolean) => {
    connection.lastActiveAt = Date.now();
    armIdleTimer(state, connection);
    inbox.push([data, isBinary, Date.now()]);
    pump();
  };
}
