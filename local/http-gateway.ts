/**
 * Local API Gateway, HTTP API (payload format 2.0). Reproduces the event,
 * the response mapping and the gateway's own answers described in
 * shared/reference/api-gateway.md: 404/401/413/429/500/503 bodies, CORS
 * preflight, claims rendering, base64 for non-text bodies.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { splitRouteKey, type Access } from '#lambdas/routes.ts';
import {
  clfTime,
  gatewayId,
  integrationTimeoutMs,
  originAllowed,
  TokenBucket,
  type GatewayRoute,
} from './gateway-common.ts';
import type { JwtAuthorizer } from './jwt-authorizer.ts';
import type { RequestLog } from './request-log.ts';
import { invoke, InvocationTimeout, type HandlerLoader } from './lambda-runner.ts';
import { GATEWAY_MESSAGES } from '#lambdas/schemas/common.ts';
import { SECURITY_HEADERS } from '#lambdas/shared/http.ts';
import { LOCAL_ACCOUNT_ID } from './aws.ts';

const MAX_BODY_BYTES = 10 * 1024 * 1024;
const MAX_INTEGRATION_TIMEOUT_MS = 30_000;

export interface CorsConfig {
  allowOrigins: string[];
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds: number;
}

export interface HttpGatewayOptions {
  routes: Record<string, GatewayRoute & { access: Access }>;
  loader: HandlerLoader;
  authorizer: JwtAuthorizer;
  cors?: CorsConfig;
  throttle?: { rateLimit: number; burstLimit: number };
  /** One line per request (local/request-log.ts). */
  requestLog?: RequestLog;
  /** Offline only: components of the runtime that are down; GET /health answers 503 naming them. */
  componentsDown?: () => string[];
  log?: (message: string, error?: unknown) => void;
}

interface CompiledRoute {
  routeKey: string;
  method: string;
  pattern: RegExp;
  paramNames: string[];
  literalSegments: number;
  route: HttpGatewayOptions['routes'][string];
}

function compile(routes: HttpGatewayOptions['routes']): CompiledRoute[] {
  return Object.entries(routes)
    .map(([routeKey, route]) => {
      const { method, path } = splitRouteKey(routeKey);
      const paramNames: string[] = [];
      const segments = path.split('/').filter(Boolean);
      const source = segments
        .map((segment) => {
          const greedy = /^\{(\w+)\+\}$/.exec(segment);
          if (greedy) {
            paramNames.push(greedy[1]!);
            return '/(.+)';
          }
          const param = /^\{(\w+)\}$/.exec(segment);
          if (param) {
            paramNames.push(param[1]!);
            return '/([^/]+)';
          }
          return `/${segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
        })
        .join('');
      const literalSegments = segments.filter((s) => !s.startsWith('{')).length;
      return { routeKey, method, pattern: new RegExp(`^${source || '/'}$`), paramNames, literalSegments, route };
    })
    .sort((a, b) => b.literalSegments - a.literalSegments);
}

function match(routes: CompiledRoute[], method: string, path: string) {
  for (const candidate of routes) {
    if (candidate.method !== method && candidate.method !== 'ANY') continue;
    const found = candidate.pattern.exec(path);
    if (!found) continue;
    const pathParameters: Record<string, string> = {};
    candidate.paramNames.forEach((name, index) => {
      pathParameters[name] = decodeSegment(found[index + 1]!);
    });
    return { compiled: candidate, pathParameters };
  }
  return undefined;
}

/** A malformed escape (`%ZZ`) is handed on as sent: the route's validation answers it with a 400. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * The gateway's own answers (404, 401, 413, 429, 500, 503). Deployed, CloudFront's
 * response headers policy adds the security headers to them; offline the gateway does.
 */
function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Lower-cased names, repeated headers comma-joined, cookies split out (as API Gateway does). */
function eventHeaders(req: IncomingMessage) {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    const value = req.rawHeaders[i + 1]!;
    if (name === 'cookie') {
      cookies.push(
        ...value
          .split(';')
          .map((c) => c.trim())
          .filter(Boolean),
      );
      continue;
    }
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  return { headers, cookies };
}

function queryParameters(rawQueryString: string): Record<string, string> | undefined {
  if (!rawQueryString) return undefined;
  const params: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawQueryString)) {
    params[key] = params[key] === undefined ? value : `${params[key]},${value}`;
  }
  return params;
}

const TEXT_TYPE = /^(text\/|application\/(json|xml|javascript))/i;

function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolvePromise, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolvePromise(tooLarge ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function corsHeaders(cors: CorsConfig, origin: string): Record<string, string> {
  return {
    'access-control-allow-origin': cors.allowOrigins.includes('*') ? '*' : origin,
    ...(cors.exposeHeaders.length ? { 'access-control-expose-headers': cors.exposeHeaders.join(',') } : {}),
    vary: 'Origin',
  };
}

/** Maps a 2.0 result (structured, or a plain value inferred as 200 JSON) to the wire. */
function writeResult(
  res: ServerResponse,
  result: unknown,
  extraHeaders: Record<string, string>,
  gatewayOwnsCors: boolean,
) {
  const isStructured = typeof result === 'object' && result !== null && 'statusCode' in result;
  if (!isStructured) {
    const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    res.writeHead(200, { 'content-type': 'application/json', ...extraHeaders });
    res.end(body);
    return;
  }
  const structured = result as {
    statusCode: number;
    headers?: Record<string, string | number | boolean>;
    cookies?: string[];
    body?: string;
    isBase64Encoded?: boolean;
  };
  if (!Number.isInteger(structured.statusCode) || structured.statusCode < 100 || structured.statusCode > 599) {
    throw new Error(`Malformed Lambda proxy response: statusCode ${String(structured.statusCode)}`);
  }
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(structured.headers ?? {})) {
    const lower = name.toLowerCase();
    // With a CORS configuration the gateway owns CORS headers; the handler's are dropped.
    if (gatewayOwnsCors && lower.startsWith('access-control-')) continue;
    headers[lower] = String(value);
  }
  if (structured.cookies?.length) headers['set-cookie'] = structured.cookies;
  Object.assign(headers, extraHeaders);
  const body =
    structured.body === undefined
      ? undefined
      : structured.isBase64Encoded
        ? Buffer.from(structured.body, 'base64')
        : structured.body;
  res.writeHead(structured.statusCode, headers);
  res.end(body);
}

export function createHttpGateway(options: HttpGatewayOptions): Server {
  const routes = compile(options.routes);
  const bucket = options.throttle
    ? new TokenBucket(options.throttle.rateLimit, options.throttle.burstLimit)
    : undefined;
  const log = options.log ?? ((message, error) => console.error(message, error ?? ''));

  const handle = async (req: IncomingMessage, res: ServerResponse, logged: { fn?: string; reason?: string }) => {
    const requestId = gatewayId();
    res.setHeader('apigw-requestid', requestId);
    const url = new URL(req.url ?? '/', 'http://local');
    const rawPath = url.pathname;
    // As sent, still percent-encoded (URLSearchParams would re-encode it).
    const target = req.url ?? '/';
    const rawQueryString = target.includes('?') ? target.slice(target.indexOf('?') + 1) : '';
    const method = (req.method ?? 'GET').toUpperCase();
    const origin = req.headers.origin;
    const cors = options.cors;
    const allowedOrigin = cors && origin && originAllowed(cors.allowOrigins, origin) ? origin : undefined;

    if (cors && method === 'OPTIONS' && origin && req.headers['access-control-request-method']) {
      req.resume();
      const headers: Record<string, string> = allowedOrigin
        ? {
            ...corsHeaders(cors, allowedOrigin),
            'access-control-allow-methods': cors.allowMethods.join(','),
            'access-control-allow-headers': cors.allowHeaders.join(','),
            'access-control-max-age': String(cors.maxAgeSeconds),
          }
        : {};
      res.writeHead(204, headers);
      res.end();
      return;
    }
    const cors200 = cors && allowedOrigin ? corsHeaders(cors, allowedOrigin) : {};

    if (bucket && !bucket.take()) {
      logged.reason = 'stage throttle';
      req.resume();
      sendJson(res, 429, { message: GATEWAY_MESSAGES[429] }, { ...cors200, 'retry-after': '1' });
      return;
    }

    const found = match(routes, method, rawPath);
    if (!found) {
      logged.reason = `no route for ${method} ${rawPath}`;
      req.resume();
      sendJson(res, 404, { message: GATEWAY_MESSAGES[404] }, cors200);
      return;
    }
    const down = found.compiled.routeKey === 'GET /health' ? (options.componentsDown?.() ?? []) : [];
    if (down.length) {
      req.resume();
      const problem = {
        type: 'about:blank',
        title: 'Service unavailable',
        status: 503,
        detail: `Down: ${down.join(', ')}. The local runtime is restarting it.`,
      };
      sendJson(res, 503, problem, { ...cors200, 'content-type': 'application/problem+json', 'retry-after': '2' });
      return;
    }
    const body = await readBody(req);
    if (body === 'too-large') {
      logged.reason = 'body over 10 MB';
      sendJson(res, 413, { message: GATEWAY_MESSAGES[413] }, cors200);
      return;
    }

    const { headers, cookies } = eventHeaders(req);
    headers['x-forwarded-for'] ??= req.socket.remoteAddress ?? '127.0.0.1';
    headers['x-forwarded-proto'] ??= 'http';
    headers['x-forwarded-port'] ??= String(req.socket.localPort ?? '');
    headers['content-length'] ??= String(body.length);
    const { routeKey, route } = found.compiled;

    let authorizer: { jwt: { claims: Record<string, string>; scopes: null } } | undefined;
    if (route.access !== 'public') {
      const claims = await options.authorizer(headers.authorization);
      if (!claims) {
        logged.reason = 'the JWT authorizer refused the token (missing, malformed, expired or not an access token)';
        sendJson(
          res,
          401,
          { message: GATEWAY_MESSAGES[401] },
          {
            ...cors200,
            'www-authenticate':
              'Bearer scope="" error="invalid_token" error_description="the token is missing or invalid"',
          },
        );
        return;
      }
      authorizer = { jwt: { claims, scopes: null } };
    }

    const now = new Date();
    const isText = TEXT_TYPE.test(headers['content-type'] ?? '');
    const query = queryParameters(rawQueryString);
    const event = {
      version: '2.0',
      routeKey,
      rawPath,
      rawQueryString,
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
        requestId,
        routeKey,
        stage: '$default',
        time: clfTime(now),
        timeEpoch: now.getTime(),
      },
      ...(body.length ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
      isBase64Encoded: body.length > 0 && !isText,
    };

    logged.fn = route.handler;
    const timeoutMs = integrationTimeoutMs(route, MAX_INTEGRATION_TIMEOUT_MS);
    try {
      const result = await invoke(options.loader, route.handler, event, timeoutMs, route.permissions);
      writeResult(res, result, cors200, cors !== undefined);
    } catch (error) {
      if (error instanceof InvocationTimeout) {
        logged.reason = 'integration timed out';
        sendJson(res, 503, { message: GATEWAY_MESSAGES[503] }, cors200);
      } else {
        // A compile error after an edit reads "Transform failed …\n<file>:<line>:<col>: ERROR: …".
        logged.reason = String((error as Error).message ?? error)
          .split('\n')
          .slice(0, 2)
          .join(' ');
        log(`${routeKey} failed`, error);
        if (!res.headersSent) sendJson(res, 500, { message: GATEWAY_MESSAGES[500] }, cors200);
        else res.end();
      }
    }
  };

  return createServer((req, res) => {
    const started = performance.now();
    const logged: { fn?: string; reason?: string } = {};
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
