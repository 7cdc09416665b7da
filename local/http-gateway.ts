/**
 * Local API Gateway, HTTP API (payload format 2.0). Reproduces the event,
 * the response mapping and the gateway's own answers described in
 * API Gateway's documentation: 404/401/413/429/500/503 bodies, CORS
 * preflight, claims rendering, base64 for non-text bodies. In parts: route
 * matching (http-gateway/routing.ts), the wire in and out (http-gateway/wire.ts),
 * and here the steps of one request, in API Gateway's order.
 */
import { EDGE_LIMIT_RESPONSE } from '#lib/edge-limits.ts';
import type { EdgeRateLimit } from './http-gateway/edge-limits.ts';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Access } from '#lambdas/routes.ts';
import { GATEWAY_MESSAGES } from '#lambdas/schemas/common.ts';
import { LOCAL_ACCOUNT_ID } from './aws.ts';
import {
  clfTime,
  gatewayId,
  integrationTimeoutMs,
  originAllowed,
  routeThrottle,
  type GatewayRoute,
} from './gateway-common.ts';
import { compile, match } from './http-gateway/routing.ts';
import {
  corsHeaders,
  eventHeaders,
  queryParameters,
  readBody,
  sendJson,
  TEXT_TYPE,
  writeResult,
  type CorsConfig,
} from './http-gateway/wire.ts';
import type { JwtAuthorizer } from './jwt-authorizer.ts';
import { invoke, InvocationTimeout, PayloadTooLarge, type HandlerLoader } from './lambda-runner.ts';
import type { RequestLog } from './request-log.ts';

export type { CorsConfig } from './http-gateway/wire.ts';

const MAX_INTEGRATION_TIMEOUT_MS = 30_000;

type HttpGatewayRoute = GatewayRoute & { access: Access };

export interface HttpGatewayOptions {
  routes: Record<string, HttpGatewayRoute>;
  loader: HandlerLoader;
  authorizer: JwtAuthorizer;
  cors?: CorsConfig;
  throttle?: { rateLimit: number; burstLimit: number };
  /** The edge's per-address rate rules (CloudFront's WebACL in AWS). */
  edgeLimits?: EdgeRateLimit;
  /** One line per request (local/request-log.ts). */
  requestLog?: RequestLog;
  /** Offline only: components of the runtime that are down; GET /health answers 503 naming them. */
  componentsDown?: () => Promise<string[]>;
  /**
   * Offline only: paths CloudFront sends to another origin before the API sees them (the web
   * app's bucket at /app): served here, outside the API's throttle and routes.
   */
  staticSite?: { pathPrefix: string; serve: (req: IncomingMessage, res: ServerResponse) => void };
  log?: (message: string, error?: unknown) => void;
}

/** What the request log says about a request beyond its status: the function that ran, or why none did. */
interface Logged {
  fn?: string;
  reason?: string;
}

type JwtContext = { jwt: { claims: Record<string, string>; scopes: null } };

export function createHttpGateway(options: HttpGatewayOptions): Server {
  const routes = compile(options.routes);
  const throttle = options.throttle ? routeThrottle(options.throttle) : undefined;
  const log = options.log ?? ((message, error) => console.error(message, error ?? ''));
  const { cors } = options;

  /** A CORS preflight is answered by the gateway itself, allowed origin or not. */
  const preflight = (req: IncomingMessage, res: ServerResponse, allowedOrigin: string | undefined) => {
    req.resume();
    const headers: Record<string, string> =
      cors && allowedOrigin
        ? {
            ...corsHeaders(cors, allowedOrigin),
            'access-control-allow-methods': cors.allowMethods.join(','),
            'access-control-allow-headers': cors.allowHeaders.join(','),
            'access-control-max-age': String(cors.maxAgeSeconds),
          }
        : {};
    res.writeHead(204, headers);
    res.end();
  };

  /** Offline only: GET /health answers 503 naming the components being restarted. */
  const componentsDown = (res: ServerResponse, down: string[], corsAnswer: Record<string, string>) => {
    const problem = {
      type: 'about:blank',
      title: 'Service unavailable',
      status: 503,
      detail: `Down: ${down.join(', ')}. The local runtime restarts what dies; one that hangs answers again once it is resumed.`,
    };
    sendJson(res, 503, problem, { ...corsAnswer, 'content-type': 'application/problem+json', 'retry-after': '2' });
  };

  /** The JWT authorizer on signed-in routes: undefined when it refuses (the gateway answers 401 itself). */
  const authorize = async (route: HttpGatewayRoute, headers: Record<string, string>) => {
    if (route.access === 'public') return {};
    const claims = await options.authorizer(headers.authorization);
    return claims ? { authorizer: { jwt: { claims, scopes: null } } as JwtContext } : undefined;
  };

  /** The 2.0 event, as API Gateway builds it. */
  const toEvent = (
    req: IncomingMessage,
    found: NonNullable<ReturnType<typeof match<HttpGatewayRoute>>>,
    request: {
      requestId: string;
      method: string;
      rawPath: string;
      rawQueryString: string;
      body: Buffer;
      authorizer?: JwtContext;
    } & ReturnType<typeof eventHeaders>,
  ) => {
    const { headers, cookies, rawPath, method } = request;
    headers['x-forwarded-for'] ??= req.socket.remoteAddress ?? '127.0.0.1';
    headers['x-forwarded-proto'] ??= 'http';
    headers['x-forwarded-port'] ??= String(req.socket.localPort ?? '');
    headers['content-length'] ??= String(request.body.length);
    const now = new Date();
    const { body, authorizer } = request;
    const isText = TEXT_TYPE.test(headers['content-type'] ?? '');
    const query = queryParameters(request.rawQueryString);
    return {
      version: '2.0',
      routeKey: found.compiled.routeKey,
      rawPath,
      rawQueryString: request.rawQueryString,
      ...(cookies.length ? { cookies } : {}),
      headers,
      ...(query ? { queryStringParameters: query } : {}),
      ...(Object.keys(found.pathParameters).length ? { pathParameters: found.pathParameters } : {}),
      requestContext: {
        accountId: LOCAL_ACCOUNT_ID,
        apiId: 'local',
        ...(authorizer ? { authorizer } : {}),
        domainName: headers.host ?? 'localhost',
        domainPrefix: (headers.host ?? 'localhost').split('.')[0],
        http: {
          method,
          path: rawPath,
          protocol: `HTTP/${req.httpVersion}`,
          sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
          userAgent: headers['user-agent'] ?? '',
        },
        requestId: request.requestId,
        routeKey: found.compiled.routeKey,
        stage: '$default',
        time: clfTime(now),
        timeEpoch: now.getTime(),
      },
      ...(body.length ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
      isBase64Encoded: body.length > 0 && !isText,
    };
  };

  /** Invokes the route's function and writes its result; a timeout is the gateway's 503, a crash its 500. */
  const integrate = async (
    res: ServerResponse,
    routeKey: string,
    route: HttpGatewayRoute,
    event: unknown,
    corsAnswer: Record<string, string>,
    logged: Logged,
  ) => {
    logged.fn = route.handler;
    const timeoutMs = integrationTimeoutMs(route, MAX_INTEGRATION_TIMEOUT_MS);
    try {
      const result = await invoke(options.loader, route.handler, event, timeoutMs, route.permissions);
      writeResult(res, result, corsAnswer, cors !== undefined);
    } catch (error) {
      if (error instanceof InvocationTimeout) {
        logged.reason = 'integration timed out';
        sendJson(res, 503, { message: GATEWAY_MESSAGES[503] }, corsAnswer);
        return;
      }
      if (error instanceof PayloadTooLarge && error.which === 'event') {
        // Lambda refuses the invocation: API Gateway answers it as a body too large (under its own 10 MB).
        logged.reason = error.message;
        sendJson(res, 413, { message: GATEWAY_MESSAGES[413] }, corsAnswer);
        return;
      }
      // A compile error after an edit reads "Transform failed …\n<file>:<line>:<col>: ERROR: …".
      logged.reason = String((error as Error).message ?? error)
        .split('\n')
        .slice(0, 2)
        .join(' ');
      log(`${routeKey} failed`, error);
      if (!res.headersSent) sendJson(res, 500, { message: GATEWAY_MESSAGES[500] }, corsAnswer);
      else res.end();
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, logged: Logged) => {
    // As received: still percent-encoded, dot segments and all (a URL parser would resolve them).
    const target = req.url ?? '/';
    const rawPath = target.startsWith('/') ? target.split('?')[0]! : new URL(target, 'http://local').pathname;
    const site = options.staticSite;
    if (site && (rawPath === site.pathPrefix || rawPath.startsWith(`${site.pathPrefix}/`))) {
      logged.reason = 'static site';
      req.resume();
      return site.serve(req, res);
    }
    const requestId = gatewayId();
    res.setHeader('apigw-requestid', requestId);
    const method = (req.method ?? 'GET').toUpperCase();
    // As sent, still percent-encoded (URLSearchParams would re-encode it).
    const rawQueryString = target.includes('?') ? target.slice(target.indexOf('?') + 1) : '';
    const origin = req.headers.origin;
    const allowedOrigin = cors && origin && originAllowed(cors.allowOrigins, origin) ? origin : undefined;
    if (cors && method === 'OPTIONS' && origin && req.headers['access-control-request-method']) {
      return preflight(req, res, allowedOrigin);
    }
    const corsAnswer = cors && allowedOrigin ? corsHeaders(cors, allowedOrigin) : {};
    const refuse = (status: 404 | 413 | 429, reason: string, headers: Record<string, string> = {}) => {
      logged.reason = reason;
      req.resume();
      sendJson(res, status, { message: GATEWAY_MESSAGES[status] }, { ...corsAnswer, ...headers });
    };

    // The edge's WebACL runs before API Gateway sees the request (and before its throttle).
    const edgeWait = options.edgeLimits?.check(method, rawPath, req.socket.remoteAddress ?? '127.0.0.1');
    if (edgeWait !== undefined) {
      logged.reason = 'edge rate limit for this address';
      req.resume();
      res.writeHead(EDGE_LIMIT_RESPONSE.status, {
        ...corsAnswer,
        'content-type': EDGE_LIMIT_RESPONSE.contentType,
        'retry-after': String(edgeWait),
      });
      return res.end(EDGE_LIMIT_RESPONSE.body);
    }
    const found = match(routes, method, rawPath);
    if (!found) return refuse(404, `no route for ${method} ${rawPath}`);
    if (throttle && !throttle.take(found.compiled.routeKey)) {
      return refuse(429, `stage throttle of ${found.compiled.routeKey}`, { 'retry-after': '1' });
    }
    const down = found.compiled.routeKey === 'GET /health' ? ((await options.componentsDown?.()) ?? []) : [];
    if (down.length) {
      req.resume();
      return componentsDown(res, down, corsAnswer);
    }
    const body = await readBody(req);
    if (body === 'too-large') return refuse(413, 'body over 10 MB');
    const { routeKey, route } = found.compiled;
    const { headers, cookies } = eventHeaders(req);
    const authorized = await authorize(route, headers);
    if (!authorized) {
      logged.reason = 'the JWT authorizer refused the token (missing, malformed, expired or not an access token)';
      return sendJson(
        res,
        401,
        { message: GATEWAY_MESSAGES[401] },
        {
          ...corsAnswer,
          'www-authenticate':
            'Bearer scope="" error="invalid_token" error_description="the token is missing or invalid"',
        },
      );
    }
    const event = toEvent(req, found, {
      requestId,
      method,
      rawPath,
      rawQueryString,
      body,
      headers,
      cookies,
      ...authorized,
    });
    await integrate(res, routeKey, route, event, corsAnswer, logged);
  };

  return createServer((req, res) => {
    const started = performance.now();
    const logged: Logged = {};
    if (options.requestLog) {
      const { requestLog } = options;
      res.once('finish', () =>
        requestLog({
          method: req.method ?? 'GET',
          target: (req.url ?? '/').split('?')[0]!,
          status: res.statusCode,
          ms: performance.now() - started,
          ...(logged.fn ? { fn: logged.fn } : {}),
          ...(logged.reason ? { reason: logged.reason } : {}),
        }),
      );
    }
    handle(req, res, logged).catch((error: unknown) => {
      log('HTTP gateway error', error);
      if (!res.headersSent) sendJson(res, 500, { message: GATEWAY_MESSAGES[500] });
      else res.end();
    });
  });
}
