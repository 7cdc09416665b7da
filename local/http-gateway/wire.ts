/** Between the socket and the event: request headers, query and body in, the function's result and the gateway's own answers out. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SECURITY_HEADERS } from '#lambdas/shared/http-chain.ts';

const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface CorsConfig {
  allowOrigins: string[];
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds: number;
}

/**
 * The gateway's own answers (404, 401, 413, 429, 500, 503). Deployed, CloudFront's
 * response headers policy adds the security headers to them; offline the gateway does.
 */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
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
export function eventHeaders(req: IncomingMessage) {
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

export function queryParameters(rawQueryString: string): Record<string, string> | undefined {
  if (!rawQueryString) return undefined;
  const params: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawQueryString)) {
    params[key] = params[key] === undefined ? value : `${params[key]},${value}`;
  }
  return params;
}

export const TEXT_TYPE = /^(text\/|application\/(json|xml|javascript))/i;

export function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
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

export function corsHeaders(cors: CorsConfig, origin: string): Record<string, string> {
  return {
    'access-control-allow-origin': cors.allowOrigins.includes('*') ? '*' : origin,
    ...(cors.exposeHeaders.length ? { 'access-control-expose-headers': cors.exposeHeaders.join(',') } : {}),
    vary: 'Origin',
  };
}

/** Maps a 2.0 result (structured, or a plain value inferred as 200 JSON) to the wire. */
export function writeResult(
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
