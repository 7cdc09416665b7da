/** Hand-built API Gateway events for unit tests, shaped like those API Gateway documents. */
import type { Context } from 'aws-lambda';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';

export function httpEvent(
  routeKey: string,
  options: {
    body?: unknown;
    rawBody?: string;
    contentType?: string;
    query?: Record<string, string>;
    params?: Record<string, string>;
    claims?: Record<string, string>;
    headers?: Record<string, string>;
  } = {},
): any {
  const [method, path] = routeKey.split(' ');
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers: {
      host: 'api.example.test',
      ...(body !== undefined ? { 'content-type': options.contentType ?? 'application/json' } : {}),
      ...options.headers,
    },
    ...(options.query ? { queryStringParameters: options.query } : {}),
    ...(options.params ? { pathParameters: options.params } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.test',
      domainPrefix: 'api',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'vitest' },
      requestId: 'req-1',
      routeKey,
      stage: '$default',
      time: '29/Nov/2026:12:00:00 +0000',
      timeEpoch: 0,
      ...(options.claims ? { authorizer: { jwt: { claims: options.claims, scopes: null } } } : {}),
    },
    ...(body !== undefined ? { body } : {}),
    isBase64Encoded: false,
  };
}

export const USER_ID = '11111111-1111-4111-8111-111111111111';
export const OTHER_ID = '22222222-2222-4222-8222-222222222222';
export const ADMIN_ID = '33333333-3333-4333-8333-333333333333';

/** An access token's claims as API Gateway renders them (every value a string), issued a minute ago. */
const accessClaims = (id: string, groups: string) => {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: id,
    'cognito:groups': groups,
    token_use: 'access',
    jti: `session-of-${id}`,
    iat: String(now - 60),
    auth_time: String(now - 60),
    exp: String(now + 840),
  };
};
export const userClaims = (id = USER_ID) => accessClaims(id, '');
export const adminClaims = (id = ADMIN_ID) => accessClaims(id, '[admin]');

export const context = {
  functionName: 'test',
  awsRequestId: 'aws-req-1',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;

export async function call(handler: (event: any, context: Context) => Promise<any>, event: any) {
  const response = await handler(event, context);
  return { ...response, json: response.body ? JSON.parse(response.body) : undefined };
}

/**
 * What every signed-in request reads and writes before its own work: the caller's
 * profile (is the session live, which role) and, on rate-limited routes, the
 * per-user counter. Registered on a mocked document client by key, so a test's
 * own GetCommand and UpdateCommand answers stay its own.
 */
export function mockSignedInCallers(
  dynamo: { on: (...args: any[]) => any },
  profiles: Record<string, 'ADMIN' | 'REGULAR'> = { [USER_ID]: 'REGULAR', [OTHER_ID]: 'REGULAR', [ADMIN_ID]: 'ADMIN' },
) {
  for (const [id, role] of Object.entries(profiles)) {
    dynamo.on(GetCommand, { Key: { pk: `USER#${id}`, sk: 'PROFILE' } }).resolves({
      Item: {
        id,
        name: 'Someone',
        email: 'someone@example.test',
        role,
        createdAt: '2026-01-01T00:00:00.000Z',
        updatedAt: '2026-01-01T00:00:00.000Z',
      },
      $metadata: {},
    });
    dynamo.on(UpdateCommand, { Key: { pk: `LIMIT#${id}` } }).resolves({ $metadata: {} });
  }
}
