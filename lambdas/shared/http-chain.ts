/**
 * The HTTP handler chain every HTTP route uses:
 * caller and role check → JSON body parsing (@middy/http-json-body-parser) →
 * validation with the route's compiled schemas → domain call → JSON answer with security
 * headers; any thrown error becomes RFC 9457 problem+json here and nowhere else.
 * Signed-in routes take it from http.ts (which checks the session), public ones from
 * http-public.ts, so a public function's bundle carries no session check.
 */
import middy from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { z } from 'zod';
import type { HttpRouteKey, httpRoutes } from '../routes.ts';
import type { CompiledHttpRoute } from './compiled.ts';
import { AppError, classify, ForbiddenError, ServiceUnavailableError, ValidationError, toProblem } from './errors.ts';
import type { Caller, Session } from './caller.ts';
import { logger } from './logger.ts';
import { assertJsonDepth, parseWith } from './validation.ts';
import { cameThroughCloudFront } from './origin-verify.ts';

/**
 * What helmet sets by default, tuned for a JSON API that is never framed or rendered. Our own
 * list rather than @middy/http-security-headers: that middleware assigns its headers after the
 * handler, over any a response sets itself (the Swagger UI page needs its own CSP), and its
 * defaults are for HTML documents (Permissions-Policy, Report-To, upgrade-insecure-requests).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'DENY',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
  'cache-control': 'no-store',
};

type Route<K extends HttpRouteKey> = (typeof httpRoutes)[K];
type Part<K extends HttpRouteKey, P extends string> =
  Route<K> extends { request: infer R }
    ? R extends Record<P, infer S>
      ? S extends z.ZodType
        ? z.output<S>
        : undefined
      : undefined
    : undefined;

export interface HttpRequest<K extends HttpRouteKey> {
  body: Part<K, 'body'>;
  query: Part<K, 'query'>;
  params: Part<K, 'params'>;
  /** The route's declared headers (lower-case names), validated. */
  declaredHeaders: Part<K, 'headers'>;
  context: Context;
  /** Who calls, with the role and name their profile holds right now. */
  caller: Route<K>['access'] extends 'public' ? undefined : Caller;
  /** The sign-in the caller's access token belongs to. */
  session: Route<K>['access'] extends 'public' ? undefined : Session;
  /** That access token itself, for the Cognito calls a user makes with their own token. */
  accessToken: Route<K>['access'] extends 'public' ? undefined : string;
}

export interface HttpAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Send `body` as-is (a string) with the given content-type instead of JSON. */
  contentType?: string;
}

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;

/** Before the parser: a missing body is a 400 of its own, whatever the content type says. */
const requireBody = {
  before: ({ event }: { event: HttpEvent }) => {
    if (event.body === undefined || event.body === '') {
      throw new ValidationError('A JSON request body is required.', [{ path: 'body', message: 'Required' }]);
    }
  },
};

/** Who calls a signed-in route (http.ts); public routes have no caller. */
export type Authenticate = (
  route: CompiledHttpRoute,
  event: HttpEvent,
) => Promise<{ caller?: Caller; session?: Session; accessToken?: string }>;

function toResponse(answer: HttpAnswer): APIGatewayProxyStructuredResultV2 {
  const headers: Record<string, string> = { ...SECURITY_HEADERS };
  let body: string | undefined;
  if (answer.body !== undefined && answer.status !== 204) {
    if (answer.contentType) {
      headers['content-type'] = answer.contentType;
      body = String(answer.body);
    } else {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(answer.body);
    }
  }
  Object.assign(headers, answer.headers);
  return { statusCode: answer.status, headers, ...(body === undefined ? {} : { body }) };
}

export function problemResponse(error: unknown): APIGatewayProxyStructuredResultV2 {
  error = classify(error);
  const problem = toProblem(error);
  const extraHeaders = error instanceof AppError ? error.headers : {};
  const response = toResponse({ status: problem.status, body: problem, headers: extraHeaders });
  response.headers = { ...response.headers, 'content-type': 'application/problem+json' };
  return response;
}

export function createHttpHandler<K extends HttpRouteKey>(
  route: CompiledHttpRoute<K>,
  run: (request: HttpRequest<K>) => Promise<HttpAnswer>,
  authenticate?: Authenticate,
) {
  const routeKey = route.key;
  // Fails the cold start, not a request: a signed-in route must check who calls.
  if (route.access !== 'public' && !authenticate)
    throw new Error(`${routeKey} is signed-in: take its handler from http.ts`);
  /** JSON answers go out through their declared schema: fields nobody documented never leak. */
  const shapeAnswer = (answer: HttpAnswer): HttpAnswer => {
    const validate = route.responses[answer.status];
    if (!validate || answer.contentType || answer.body === undefined) return answer;
    const shaped = validate(answer.body);
    if (!shaped.success)
      throw new Error(`${routeKey} answered ${answer.status} off its schema: ${JSON.stringify(shaped.issues)}`);
    return { ...answer, body: shaped.data };
  };

  // Who calls each event (set before the body is parsed, read by the handler).
  const callers = new WeakMap<HttpEvent, { caller?: Caller; session?: Session; accessToken?: string }>();
  const chain = middy<HttpEvent, APIGatewayProxyStructuredResultV2, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use({
      before: (request) => {
        logger.appendKeys({ requestId: request.event.requestContext.requestId, route: routeKey });
      },
      onError: (request) => {
        const error = classify(request.error);
        if (error instanceof ServiceUnavailableError) logger.warn('Dependency failed', request.error as Error);
        else if (error instanceof AppError)
          logger.info('Request refused', { status: error.status, detail: error.message });
        else logger.error('Unhandled error', error as Error);
        request.response = problemResponse(error);
      },
    })
    .use({
      // Who may call comes before what they sent: a regular user on an admin route gets 403, whatever the body.
      before: async ({ event }) => {
        if (!(await cameThroughCloudFront(event.headers)))
          throw new ForbiddenError('Call the API through its public URL.');
        if (authenticate && route.access !== 'public') callers.set(event, await authenticate(route, event));
      },
    });
  if (route.request?.body) chain.use(requireBody).use(httpJsonBodyParser());

  return chain.handler(async (event, context) => {
    const { caller, session, accessToken } = callers.get(event) ?? {};
    let body: unknown;
    if (route.request?.body) {
      assertJsonDepth(event.body, 'body');
      body = parseWith(route.request.body, event.body, 'body');
    }
    const query = route.request?.query
      ? parseWith(route.request.query, event.queryStringParameters ?? {}, 'query')
      : undefined;
    const params = route.request?.params
      ? parseWith(route.request.params, event.pathParameters ?? {}, 'path')
      : undefined;
    const declaredHeaders = route.request?.headers
      ? parseWith(route.request.headers, event.headers ?? {}, 'header')
      : undefined;
    const answer = await run({
      body,
      query,
      params,
      declaredHeaders,
      context,
      caller,
      session,
      accessToken,
    } as HttpRequest<K>);
    return toResponse(shapeAnswer(answer));
  });
}
