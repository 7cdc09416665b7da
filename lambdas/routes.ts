/**
 * The route table: every HTTP and WebSocket route, declared once. The CDK
 * stacks, the local API Gateway, the handler chain and the OpenAPI generator
 * all read it; adding a route is one entry here plus its handler module.
 */
import type { z } from 'zod';
import type { TableKey } from './tables.ts';
import { HealthResponse } from './schemas/health.ts';

/** Who may call a route: anyone, any signed-in user, or admins only. */
export type Access = 'public' | 'user' | 'admin';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Permissions {
  tables?: Partial<Record<TableKey, 'read' | 'readWrite'>>;
  /** Cognito user pool actions, e.g. 'AdminGetUser'. */
  cognito?: readonly string[];
  /** execute-api:ManageConnections on the WebSocket API. */
  manageConnections?: boolean;
}

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  headers?: readonly string[];
}

export interface HttpRoute {
  /** Module under lambdas/handlers exporting `handler`. */
  handler: string;
  access: Access;
  summary: string;
  tag: string;
  request?: {
    body?: z.ZodType;
    query?: z.ZodType;
    params?: z.ZodType;
  };
  /** Success statuses with their bodies; error statuses are added from `access` and `errors`. */
  responses: Record<number, ResponseSpec>;
  /** Domain errors this route can answer with (problem+json). */
  errors?: readonly number[];
  permissions?: Permissions;
  /** Integration timeout; the function gets one second more so the gateway answers 503 first. */
  timeoutSeconds?: number;
}

export const httpRoutes = {
  'GET /health': {
    handler: 'http/health',
    access: 'public',
    summary: 'Liveness check',
    tag: 'System',
    responses: { 200: { description: 'The API is up', schema: HealthResponse } },
  },
} as const satisfies Record<string, HttpRoute>;

export type HttpRouteKey = keyof typeof httpRoutes;

export interface WsRoute {
  handler: string;
  permissions?: Permissions;
  timeoutSeconds?: number;
}

/** WebSocket routes, selected on `$request.body.action`. */
export const wsRoutes = {
  $connect: { handler: 'ws/connect', permissions: { tables: { connections: 'readWrite' } } },
  $disconnect: { handler: 'ws/disconnect', permissions: { tables: { connections: 'readWrite' } } },
  $default: { handler: 'ws/default', permissions: { manageConnections: true } },
} as const satisfies Record<string, WsRoute>;

export type WsRouteKey = keyof typeof wsRoutes;

export const wsRouteSelectionExpression = '$request.body.action';

/** The `$connect` Lambda REQUEST authorizer. */
export const wsAuthorizer = {
  handler: 'ws/authorizer',
  /** API Gateway answers 401 without invoking the authorizer when one of these is missing. */
  identitySource: ['route.request.querystring.token'],
  permissions: {},
  timeoutSeconds: 10,
} as const satisfies WsRoute & { identitySource: readonly string[] };

export const DEFAULT_TIMEOUT_SECONDS = 10;

export function splitRouteKey(key: string): { method: HttpMethod; path: string } {
  const [method, path] = key.split(' ') as [HttpMethod, string];
  return { method, path };
}
