/**
 * Local API Gateway, WebSocket API, plus its @connections management
 * endpoint on the same port. $connect runs the REQUEST authorizer and the
 * $connect route before the upgrade completes; frames are routed on
 * `$request.body.action`; $disconnect follows every close, clean or not.
 * Shapes and limits follow shared/reference/api-gateway.md §4–5.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import {
  clfTime,
  gatewayId,
  integrationTimeoutMs,
  originAllowed,
  TokenBucket,
  type GatewayRoute,
} from './gateway-common.ts';
import { isSignedBy } from './sigv4.ts';
import { invoke, InvocationTimeout, type HandlerLoader } from './lambda-runner.ts';
import type { RequestLog } from './request-log.ts';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './aws.ts';

export const WS_MAX_MESSAGE_BYTES = 128 * 1024;
/**
 * API Gateway refuses a frame over 32 KB (and a message over 128 KB) with 1009. `ws`
 * reassembles fragments before we see them, so one limit stands for both: 32 KB,
 * which is all a browser can send anyway (it never fragments what it sends).
 */
export const WS_MAX_FRAME_BYTES = 32 * 1024;
const WS_INTEGRATION_TIMEOUT_MS = 29_000;
/** How many frames of one connection the runtime handles at once: one keeps a flood's bystanders at
 * about 2× their quiet latency (test/load/flood.test.ts), four at 5×. */
const FRAMES_IN_FLIGHT = 1;

interface WsGatewayRoute extends GatewayRoute {
  /** A route response: the `body` the function returns is sent to the caller as a frame. */
  twoWay?: boolean;
}

export interface WsGatewayOptions {
  stage: string;
  routes: Record<string, WsGatewayRoute>;
  authorizer?: WsGatewayRoute & { identitySource: readonly string[] };
  loader: HandlerLoader;
  idleTimeoutMs?: number;
  throttle?: { rateLimit: number; burstLimit: number };
  /** Browser origins allowed to open a socket (the CORS allow-list); clients that send no Origin are not browsers. */
  allowOrigins?: readonly string[];
  /** The credentials @connections requests must be SigV4-signed with; unsigned requests are refused. */
  managementCredentials?: { accessKeyId: string; secretAccessKey: string };
  log?: (message: string, error?: unknown) => void;
  /** One line per upgrade and frame, with the reason for every refusal (local/request-log.ts). */
  requestLog?: RequestLog;
}

interface LiveConnection {
  socket: WebSocket;
  connectedAt: number;
  lastActiveAt: number;
  sourceIp: string;
  userAgent: string;
  authorizer?: Record<string, unknown>;
  idleTimer?: NodeJS.Timeout;
  /** The code the gateway closed with, reported to $disconnect (the peer may echo another). */
  closeCode?: number;
}

export interface WsGateway {
  server: Server;
  /** Number of open connections (for tests and diagnostics). */
  connectionCount(): number;
}

function multiValue(pairs: [string, string][]) {
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [key, value] of pairs) {
    single[key] = value;
    (multi[key] ??= []).push(value);
  }
  return { single, multi };
}

function rejectUpgrade(socket: Duplex, status: number, message: string) {
  const body = JSON.stringify({ message });
  socket.end(
    `HTTP/1.1 ${status} ${message}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
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

export function createWsGateway(options: WsGatewayOptions): WsGateway {
  const connections = new Map<string, LiveConnection>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_FRAME_BYTES });
  const idleTimeoutMs = options.idleTimeoutMs ?? 10 * 60_000;
  const bucket = options.throttle
    ? new TokenBucket(options.throttle.rateLimit, options.throttle.burstLimit)
    : undefined;
  const log = options.log ?? ((message, error) => console.error(message, error ?? ''));
  const routeKeys = Object.keys(options.routes);
  const run = (route: WsGatewayRoute, event: unknown) =>
    invoke(
      options.loader,
      route.handler,
      event,
      integrationTimeoutMs(route, WS_INTEGRATION_TIMEOUT_MS),
      route.permissions,
    );

  const requestContext = (
    connectionId: string,
    live: Pick<LiveConnection, 'connectedAt' | 'sourceIp' | 'userAgent' | 'authorizer'>,
    routeKey: string,
    eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT',
    host: string,
  ) => {
    const now = new Date();
    return {
      routeKey,
      eventType,
      extendedRequestId: gatewayId(),
      requestTime: clfTime(now),
      messageDirection: 'IN',
      stage: options.stage,
      connectedAt: live.connectedAt,
      requestTimeEpoch: now.getTime(),
      identity: { sourceIp: live.sourceIp, ...(live.userAgent ? { userAgent: live.userAgent } : {}) },
      requestId: gatewayId(),
      domainName: host,
      connectionId,
      apiId: 'local',
      ...(live.authorizer ? { authorizer: live.authorizer } : {}),
    };
  };

  const closeWith = (live: LiveConnection, code: number, reason: string) => {
    live.closeCode ??= code;
    live.socket.close(code, reason);
  };

  const armIdleTimer = (live: LiveConnection) => {
    clearTimeout(live.idleTimer);
    live.idleTimer = setTimeout(() => closeWith(live, 1001, 'Going away'), idleTimeoutMs);
  };

  const onMessage = async (
    connectionId: string,
    live: LiveConnection,
    data: RawData,
    isBinary: boolean,
    host: string,
  ) => {
    live.lastActiveAt = Date.now();
    armIdleTimer(live);
    if (isBinary) {
      closeWith(live, 1003, 'Binary frames are not supported');
      return;
    }
    const body = data.toString();
    const routeKey = selectRoute(body, routeKeys);
    const context = requestContext(connectionId, live, routeKey ?? '$default', 'MESSAGE', host);
    const started = performance.now();
    const logFrame = (status: number, extra: { fn?: string; reason?: string } = {}) =>
      options.requestLog?.({
        method: 'WS',
        target: routeKey ?? '(none)',
        status,
        ms: performance.now() - started,
        ...extra,
      });
    const reply = (message: string) =>
      live.socket.send(JSON.stringify({ message, connectionId, requestId: context.requestId }));
    if (bucket && !bucket.take()) {
      logFrame(429, { reason: 'stage throttle' });
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
      const result = (await run(route, event)) as { statusCode?: number; body?: unknown } | undefined;
      if (route.twoWay && typeof result?.body === 'string' && result.body !== '') live.socket.send(result.body);
      // Parsing the answer for its status is for the log only: skipped when nobody reads it.
      if (options.requestLog) logFrame(answerStatus(result?.body) ?? result?.statusCode ?? 200, { fn: route.handler });
    } catch (error) {
      if (error instanceof InvocationTimeout) {
        logFrame(504, { fn: route.handler, reason: 'integration timed out' });
        reply('Endpoint request timed out');
      } else {
        log(`WebSocket route ${routeKey} failed`, error);
        logFrame(500, { fn: route.handler, reason: (error as Error).message });
        reply('Internal server error');
      }
    }
  };

  const onClose = async (connectionId: string, live: LiveConnection, code: number, reason: string, host: string) => {
    clearTimeout(live.idleTimer);
    connections.delete(connectionId);
    const route = options.routes.$disconnect;
    if (!route) return;
    const event = {
      headers: { Host: host, 'x-api-key': '', 'X-Forwarded-For': '', 'x-restapi': '' },
      multiValueHeaders: { Host: [host], 'x-api-key': [''], 'X-Forwarded-For': [''], 'x-restapi': [''] },
      requestContext: {
        ...requestContext(connectionId, live, '$disconnect', 'DISCONNECT', host),
        disconnectStatusCode: live.closeCode ?? code,
        disconnectReason: reason,
      },
      isBase64Encoded: false,
    };
    try {
      await run(route, event);
    } catch (error) {
      log('WebSocket $disconnect failed', error);
    }
  };

  const upgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://local');
    const host = req.headers.host ?? 'localhost';
    const connectionId = gatewayId();
    const started = performance.now();
    const logConnect = (status: number, extra: { fn?: string; reason?: string } = {}) =>
      options.requestLog?.({ method: 'WS', target: '$connect', status, ms: performance.now() - started, ...extra });
    /** Refuses the upgrade as API Gateway would, and says why in the request log. */
    const refuse = (status: number, message: string, reason: string, fn?: string) => {
      logConnect(status, { reason, ...(fn ? { fn } : {}) });
      return rejectUpgrade(socket, status, message);
    };
    if (url.pathname.replace(/\/$/, '') !== `/${options.stage}`) {
      return refuse(403, 'Forbidden', `no stage at ${url.pathname}: connect to /${options.stage}`);
    }
    const query = multiValue([...url.searchParams.entries()]);
    const headerPairs: [string, string][] = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) headerPairs.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
    const headers = multiValue(headerPairs);
    const live = {
      connectedAt: Date.now(),
      sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
      userAgent: req.headers['user-agent'] ?? '',
      authorizer: undefined as Record<string, unknown> | undefined,
    };
    const hasQuery = url.search.length > 1;
    const connectContext = () => requestContext(connectionId, live, '$connect', 'CONNECT', host);

    const origin = req.headers.origin;
    if (origin && options.allowOrigins && !originAllowed(options.allowOrigins, origin)) {
      return refuse(403, 'Forbidden', `origin ${origin} is not in the CORS allow-list`);
    }

    if (options.authorizer) {
      const missing = options.authorizer.identitySource.some((source) => {
        const [, , where, name] = source.split('.');
        if (where === 'querystring') return !url.searchParams.get(name ?? '');
        if (where === 'header') return !req.headers[(name ?? '').toLowerCase()];
        return false;
      });
      if (missing) {
        return refuse(401, 'Unauthorized', `missing ${options.authorizer.identitySource.join(' or ')}`);
      }
      const authorizerFn = options.authorizer.handler;
      const authorizerEvent = {
        type: 'REQUEST',
        methodArn: `arn:aws:execute-api:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:local/${options.stage}/$connect`,
        headers: headers.single,
        multiValueHeaders: headers.multi,
        queryStringParameters: query.single,
        multiValueQueryStringParameters: query.multi,
        stageVariables: {},
        requestContext: connectContext(),
      };
      let result: unknown;
      try {
        result = await run(options.authorizer, authorizerEvent);
      } catch (error) {
        if (error instanceof Error && error.message === 'Unauthorized') {
          return refuse(401, 'Unauthorized', 'the authorizer refused the credentials', authorizerFn);
        }
        log('WebSocket authorizer failed', error);
        return refuse(500, 'Internal Server Error', `the authorizer failed: ${(error as Error).message}`, authorizerFn);
      }
      const policy = result as {
        principalId?: string;
        policyDocument?: { Statement?: { Effect?: string }[] };
        context?: Record<string, unknown>;
      };
      const statements = policy?.policyDocument?.Statement;
      if (!policy?.principalId || !Array.isArray(statements) || statements.length === 0) {
        return refuse(500, 'Internal Server Error', 'the authorizer returned a malformed policy', authorizerFn);
      }
      if (statements.some((s) => s.Effect !== 'Allow')) {
        return refuse(403, 'Forbidden', 'the authorizer denied the connection', authorizerFn);
      }
      live.authorizer = { principalId: policy.principalId, ...policy.context };
    }

    const connectRoute = options.routes.$connect;
    if (connectRoute) {
      const event = {
        headers: headers.single,
        multiValueHeaders: headers.multi,
        ...(hasQuery ? { queryStringParameters: query.single, multiValueQueryStringParameters: query.multi } : {}),
        requestContext: connectContext(),
        isBase64Encoded: false,
      };
      try {
        const result = (await run(connectRoute, event)) as { statusCode?: number } | undefined;
        const status = result?.statusCode ?? 200;
        if (status < 200 || status > 299) {
          return refuse(status, 'Connection refused', `$connect answered ${status}`, connectRoute.handler);
        }
      } catch (error) {
        log('WebSocket $connect failed', error);
        return refuse(502, 'Bad Gateway', `$connect failed: ${(error as Error).message}`, connectRoute.handler);
      }
    }

    logConnect(101, connectRoute ? { fn: connectRoute.handler } : {});
    wss.handleUpgrade(req, socket, head, (ws) => {
      const connection: LiveConnection = { ...live, socket: ws, lastActiveAt: Date.now() };
      connections.set(connectionId, connection);
      armIdleTimer(connection);
      // In API Gateway a connection's frames run concurrently, each invocation in its own container;
      // here they share one thread, so a connection gets FRAMES_IN_FLIGHT at a time and a burst of
      // thousands (one TCP read) can't take that thread from every other client. Frames of different
      // connections (two tabs of one user, say) still run concurrently.
      const inbox: [RawData, boolean][] = [];
      let inFlight = 0;
      const pump = () => {
        while (inFlight < FRAMES_IN_FLIGHT && inbox.length) {
          const [data, isBinary] = inbox.shift()!;
          inFlight++;
          onMessage(connectionId, connection, data, isBinary, host)
            .catch((error: unknown) => log('WebSocket message handling failed', error))
            .finally(() => {
              inFlight--;
              setImmediate(pump);
            });
        }
      };
      ws.on('message', (data, isBinary) => {
        inbox.push([data, isBinary]);
        pump();
      });
      // 'close' follows and runs $disconnect; a frame over the limit is closed with 1009 by ws itself.
      ws.on('error', (error: Error & { code?: string }) => {
        if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') connection.closeCode ??= 1009;
      });
      ws.on('close', (code, reason) => {
        onClose(connectionId, connection, code, reason.toString(), host).catch((error: unknown) =>
          log('WebSocket close handling failed', error),
        );
      });
    });
  };

  /** The @connections API: `{POST|GET|DELETE} [/{stage}]/@connections/{id}` (`@` may be %40). */
  const manage = (req: IncomingMessage, res: ServerResponse) => {
    const match = /^(?:\/[^/]+)?\/(?:@|%40)connections\/([^/]+)$/.exec((req.url ?? '').split('?')[0] ?? '');
    const send = (status: number, body?: unknown, errorType?: string) => {
      const text = body === undefined ? '' : JSON.stringify(body);
      res.writeHead(status, {
        ...(text ? { 'content-type': 'application/json' } : {}),
        ...(errorType ? { 'x-amzn-ErrorType': errorType } : {}),
      });
      res.end(text);
    };
    if (!match) return send(404, { message: 'Not Found' });
    let connectionId: string;
    try {
      connectionId = decodeURIComponent(match[1]!);
    } catch {
      return send(400, { message: 'Invalid connectionId' }, 'BadRequestException');
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const credentials = options.managementCredentials;
      if (credentials && !(await isSignedBy(req, Buffer.concat(chunks), credentials).catch(() => false))) {
        return send(403, { message: 'Forbidden' }, 'ForbiddenException');
      }
      const live = connections.get(connectionId);
      if (!live || live.socket.readyState !== live.socket.OPEN) return send(410, { message: 'Gone' }, 'GoneException');
      if (req.method === 'POST') {
        const data = Buffer.concat(chunks);
        if (data.length > WS_MAX_MESSAGE_BYTES) {
          return send(413, { message: 'Message too long' }, 'PayloadTooLargeException');
        }
        live.socket.send(data.toString('utf8'));
        return send(200);
      }
      if (req.method === 'GET') {
        return send(200, {
          connectedAt: new Date(live.connectedAt).toISOString(),
          identity: { sourceIp: live.sourceIp, userAgent: live.userAgent },
          lastActiveAt: new Date(live.lastActiveAt).toISOString(),
        });
      }
      if (req.method === 'DELETE') {
        closeWith(live, 1000, 'Connection closed by the server');
        return send(204);
      }
      return send(404, { message: 'Not Found' });
    });
  };

  const server = createServer(manage);
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => undefined);
    upgrade(req, socket, head).catch((error: unknown) => {
      log('WebSocket upgrade failed', error);
      rejectUpgrade(socket, 500, 'Internal Server Error');
    });
  });
  server.on('close', () => {
    for (const live of connections.values()) live.socket.terminate();
  });
  return { server, connectionCount: () => connections.size };
}
