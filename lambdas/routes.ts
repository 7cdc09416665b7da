/**
 * The route table: every HTTP and WebSocket route, declared once. The CDK
 * stacks, the local API Gateway, the handler chain and the OpenAPI generator
 * all read it; adding a route is one entry here plus its handler module.
 */
import { ORIGIN_VERIFY_HEADER } from './shared/origin-verify.ts';
import { z } from 'zod';
import type { TableKey } from './tables.ts';
import type { LimitKind } from './limits/policy.ts';
import { HealthResponse } from './schemas/health.ts';
import { DocsAssetParams, OpenApiDocument } from './schemas/docs.ts';
import {
  ChangeRoleBody,
  ListUsersQuery,
  LoginBody,
  LoginResponse,
  LogoutBody,
  RefreshBody,
  RefreshResponse,
  RegisterBody,
  RegisterResponse,
  UpdateMeBody,
  User,
  UserIdParams,
  UserPage,
} from './schemas/users.ts';
import {
  ChangeStatusBody,
  CreateOrderBody,
  CreateOrderHeaders,
  ListOrdersQuery,
  Order,
  OrderHistory,
  OrderIdParams,
  OrderPage,
  UpdateOrderBody,
  UpdateOrderHeaders,
} from './schemas/orders.ts';
import {
  ChatRoomWithMessages,
  CloseRoomBody,
  CloseRoomFrame,
  CloseRoomResponse,
  JoinRoomFrame,
  LeaveRoomFrame,
  MessagePage,
  MessagesQuery,
  RoomParams,
  SendMessageFrame,
  TicketResponse,
} from './schemas/chat.ts';

/** Who may call a route: anyone, any signed-in user, or admins only. */
export type Access = 'public' | 'user' | 'admin';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The DynamoDB actions each table access level grants (no Scan: every list is a Query). */
export const TABLE_ACTIONS = {
  read: [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:ConditionCheckItem',
    'dynamodb:DescribeTable',
  ],
  write: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'],
} as const;

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
  /** Defaults to application/json. */
  contentType?: string | readonly string[];
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
    /** Headers the route reads (lower-case names), e.g. Idempotency-Key, If-Match. */
    headers?: z.ZodType;
  };
  /** Success statuses with their bodies; error statuses are added from `access` and `errors`. */
  responses: Record<number, ResponseSpec>;
  /** Domain errors this route can answer with (problem+json). */
  errors?: readonly number[];
  permissions?: Permissions;
  /** Integration timeout; the function gets one second more so the gateway answers 503 first. */
  timeoutSeconds?: number;
  /** Files (package/path) copied next to the bundle, under the package's name without scope. */
  bundleFiles?: readonly string[];
  /** A per-user rate limit (lambdas/limits) counted before anything else is read or written. */
  rateLimit?: LimitKind;
}

export const httpRoutes = {
  'GET /health': {
    handler: 'http/health',
    access: 'public',
    summary: 'Liveness check',
    tag: 'System',
    responses: { 200: { description: 'The API is up', schema: HealthResponse } },
    // Offline, while a component of the local runtime is down and being restarted.
    errors: [503],
  },
  'GET /openapi.json': {
    handler: 'http/docs',
    access: 'public',
    summary: 'This API contract (OpenAPI 3.1)',
    tag: 'System',
    responses: { 200: { description: 'The OpenAPI document', schema: OpenApiDocument } },
    bundleFiles: ['swagger-ui-dist/swagger-ui-bundle.js', 'swagger-ui-dist/swagger-ui.css'],
  },
  'GET /docs': {
    handler: 'http/docs',
    access: 'public',
    summary: 'Swagger UI for this API',
    tag: 'System',
    responses: { 200: { description: 'HTML page', schema: z.string(), contentType: 'text/html' } },
    bundleFiles: ['swagger-ui-dist/swagger-ui-bundle.js', 'swagger-ui-dist/swagger-ui.css'],
  },
  'GET /docs/{asset}': {
    handler: 'http/docs',
    access: 'public',
    summary: "Swagger UI's script and style files",
    tag: 'System',
    request: { params: DocsAssetParams },
    responses: {
      200: { description: 'A static file', schema: z.string(), contentType: ['text/javascript', 'text/css'] },
    },
    errors: [404],
    bundleFiles: ['swagger-ui-dist/swagger-ui-bundle.js', 'swagger-ui-dist/swagger-ui.css'],
  },
  'POST /auth/register': {
    handler: 'http/auth-register',
    access: 'public',
    summary: 'Create an account',
    tag: 'Auth',
    request: { body: RegisterBody },
    responses: { 201: { description: 'Account created', schema: RegisterResponse } },
    errors: [409, 429],
    permissions: {
      tables: { main: 'readWrite' },
      cognito: ['AdminCreateUser', 'AdminSetUserPassword', 'AdminGetUser', 'AdminDeleteUser'],
    },
  },
  'POST /auth/login': {
    handler: 'http/auth-login',
    access: 'public',
    summary: 'Sign in with email and password',
    tag: 'Auth',
    request: { body: LoginBody },
    responses: { 200: { description: 'Signed in', schema: LoginResponse } },
    errors: [401, 429],
    permissions: { tables: { main: 'readWrite' } },
  },
  'POST /auth/refresh': {
    handler: 'http/auth-refresh',
    access: 'public',
    summary: 'Get new access and ID tokens with a refresh token',
    tag: 'Auth',
    request: { body: RefreshBody },
    responses: { 200: { description: 'New tokens', schema: RefreshResponse } },
    errors: [401, 429],
    permissions: { tables: { main: 'read' } },
  },
  'POST /auth/logout': {
    handler: 'http/auth-logout',
    access: 'user',
    summary:
      "End this session: revoke its refresh token, refuse its access tokens from the next request on, and close its WebSockets (the account's other sessions carry on)",
    tag: 'Auth',
    request: { body: LogoutBody },
    responses: { 204: { description: 'Signed out' } },
    errors: [429],
    permissions: { tables: { main: 'readWrite', connections: 'read' }, manageConnections: true },
  },
  'POST /auth/logout-everywhere': {
    handler: 'http/auth-logout-everywhere',
    access: 'user',
    summary:
      'End every session of this account on every device: their access and refresh tokens are refused and their WebSockets closed',
    tag: 'Auth',
    responses: { 204: { description: 'Signed out everywhere' } },
    permissions: { tables: { main: 'readWrite', connections: 'read' }, manageConnections: true },
  },
  'GET /users/me': {
    handler: 'http/users-me-get',
    access: 'user',
    summary: 'Your profile',
    tag: 'Users',
    responses: { 200: { description: 'Your profile', schema: User } },
    permissions: { tables: { main: 'read' } },
  },
  'PATCH /users/me': {
    handler: 'http/users-me-update',
    access: 'user',
    summary: 'Change your name',
    tag: 'Users',
    request: { body: UpdateMeBody },
    responses: { 200: { description: 'Updated profile', schema: User } },
    permissions: { tables: { main: 'readWrite' } },
  },
  'GET /users': {
    handler: 'http/users-list',
    access: 'admin',
    summary: 'All users, newest first',
    tag: 'Users',
    request: { query: ListUsersQuery },
    responses: { 200: { description: 'A page of users', schema: UserPage } },
    permissions: { tables: { main: 'read' } },
  },
  'GET /users/{id}': {
    handler: 'http/users-get',
    access: 'admin',
    summary: 'One user',
    tag: 'Users',
    request: { params: UserIdParams },
    responses: { 200: { description: 'The user', schema: User } },
    errors: [404],
    permissions: { tables: { main: 'read' } },
  },
  'PATCH /users/{id}/role': {
    handler: 'http/users-change-role',
    access: 'admin',
    summary: "Change a user's role",
    tag: 'Users',
    request: { params: UserIdParams, body: ChangeRoleBody },
    responses: { 200: { description: 'The user with the new role', schema: User } },
    errors: [404, 409, 429],
    permissions: {
      tables: { main: 'readWrite', connections: 'read' },
      cognito: ['AdminAddUserToGroup', 'AdminRemoveUserFromGroup'],
      manageConnections: true,
    },
  },
  'DELETE /users/{id}': {
    handler: 'http/users-delete',
    access: 'admin',
    summary: 'Delete an account (its orders and messages stay)',
    tag: 'Users',
    request: { params: UserIdParams },
    responses: { 204: { description: 'Deleted' } },
    errors: [404, 409, 429],
    permissions: {
      tables: { main: 'readWrite', connections: 'read' },
      cognito: ['AdminDeleteUser'],
      manageConnections: true,
    },
  },
  'POST /orders': {
    handler: 'http/orders-create',
    access: 'user',
    summary: 'Place an order (customers only; an Idempotency-Key makes retries safe)',
    tag: 'Orders',
    request: { body: CreateOrderBody, headers: CreateOrderHeaders },
    responses: {
      201: { description: 'Order placed, with its chat room', schema: Order, headers: ['Location', 'ETag'] },
    },
    errors: [403, 409, 422, 429],
    permissions: { tables: { main: 'readWrite', idempotency: 'readWrite' } },
    rateLimit: 'orderWrite',
  },
  'GET /orders': {
    handler: 'http/orders-list',
    access: 'user',
    summary: 'Your orders (admins: all orders), newest first',
    tag: 'Orders',
    request: { query: ListOrdersQuery },
    responses: { 200: { description: 'A page of orders', schema: OrderPage } },
    permissions: { tables: { main: 'read' } },
  },
  'GET /orders/{id}': {
    handler: 'http/orders-get',
    access: 'user',
    summary: 'One order (owner or admin)',
    tag: 'Orders',
    request: { params: OrderIdParams },
    responses: { 200: { description: 'The order', schema: Order, headers: ['ETag'] } },
    errors: [404],
    permissions: { tables: { main: 'read' } },
  },
  'PATCH /orders/{id}': {
    handler: 'http/orders-update',
    access: 'user',
    summary: 'Change an order (owner while REVIEW, admin until COMPLETED)',
    tag: 'Orders',
    request: { params: OrderIdParams, body: UpdateOrderBody, headers: UpdateOrderHeaders },
    responses: { 200: { description: 'The changed order', schema: Order, headers: ['ETag'] } },
    errors: [404, 409, 412, 429],
    permissions: { tables: { main: 'readWrite' } },
    rateLimit: 'orderWrite',
  },
  'PATCH /orders/{id}/status': {
    handler: 'http/orders-change-status',
    access: 'admin',
    summary: 'Move an order to its next status (REVIEW → PROCESSING → COMPLETED)',
    tag: 'Orders',
    request: { params: OrderIdParams, body: ChangeStatusBody },
    responses: { 200: { description: 'The order in its new status', schema: Order, headers: ['ETag'] } },
    errors: [404, 409, 429],
    permissions: { tables: { main: 'readWrite', connections: 'readWrite' }, manageConnections: true },
    rateLimit: 'orderWrite',
  },
  'GET /orders/{id}/history': {
    handler: 'http/orders-history',
    access: 'user',
    summary: "An order's creation, edits and status changes, oldest first",
    tag: 'Orders',
    request: { params: OrderIdParams },
    responses: { 200: { description: 'Every event', schema: OrderHistory } },
    errors: [404],
    permissions: { tables: { main: 'read' } },
  },
  'POST /chat/tickets': {
    handler: 'http/chat-tickets',
    access: 'user',
    summary:
      'A single-use, 60-second ticket to open the WebSocket with (?ticket=…), the only credential $connect takes',
    tag: 'Chat',
    responses: { 201: { description: 'The ticket', schema: TicketResponse } },
    permissions: { tables: { main: 'readWrite' } },
  },
  'GET /chat/rooms/{roomId}': {
    handler: 'http/chat-room-get',
    access: 'user',
    summary: "An order's chat room with its latest 50 messages, oldest first",
    tag: 'Chat',
    request: { params: RoomParams },
    responses: { 200: { description: 'The room', schema: ChatRoomWithMessages } },
    errors: [404],
    permissions: { tables: { main: 'read' } },
  },
  'GET /chat/rooms/{roomId}/messages': {
    handler: 'http/chat-messages',
    access: 'user',
    summary: 'Older messages: the page before `before`, oldest first',
    tag: 'Chat',
    request: { params: RoomParams, query: MessagesQuery },
    responses: { 200: { description: 'A page of messages', schema: MessagePage } },
    errors: [404],
    permissions: { tables: { main: 'read' } },
  },
  'POST /chat/rooms/{roomId}/close': {
    handler: 'http/chat-room-close',
    access: 'admin',
    summary: 'Close a chat room with a summary (an order in REVIEW moves to PROCESSING)',
    tag: 'Chat',
    request: { params: RoomParams, body: CloseRoomBody },
    responses: { 200: { description: 'The closed room and its order', schema: CloseRoomResponse } },
    errors: [404, 409],
    permissions: { tables: { main: 'readWrite', connections: 'readWrite' }, manageConnections: true },
  },
} as const satisfies Record<string, HttpRoute>;

export type HttpRouteKey = keyof typeof httpRoutes;

export interface WsRoute {
  handler: string;
  /** The client frame this route accepts (documented in asyncapi.yaml). */
  frame?: z.ZodType;
  summary?: string;
  permissions?: Permissions;
  timeoutSeconds?: number;
  /** A per-user rate limit (lambdas/limits) counted before anything else is read or written. */
  rateLimit?: LimitKind;
  /**
   * A two-way route: API Gateway sends the `body` the function returns to the caller as a frame
   * (a route response), so the answer costs no @connections call.
   */
  twoWay?: boolean;
}

/** WebSocket routes, selected on `$request.body.action`. */
export const wsRoutes = {
  $connect: { handler: 'ws/connect', permissions: { tables: { connections: 'readWrite' } } },
  $disconnect: { handler: 'ws/disconnect', permissions: { tables: { connections: 'readWrite' } } },
  $default: { handler: 'ws/default', twoWay: true },
  joinRoom: {
    handler: 'ws/join-room',
    twoWay: true,
    frame: JoinRoomFrame,
    summary: "Join an order's room: answered with chatHistory (latest 50, or everything after `after`)",
    permissions: { tables: { main: 'read', connections: 'readWrite' }, manageConnections: true },
  },
  leaveRoom: {
    handler: 'ws/leave-room',
    twoWay: true,
    frame: LeaveRoomFrame,
    summary: 'Stop receiving a room on this connection: answered with leftRoom',
    permissions: { tables: { main: 'read', connections: 'readWrite' }, manageConnections: true },
  },
  sendMessage: {
    handler: 'ws/send-message',
    twoWay: true,
    frame: SendMessageFrame,
    summary: 'Send a message: every connection in the room, the sender included, receives newMessage',
    permissions: { tables: { main: 'readWrite', connections: 'readWrite' }, manageConnections: true },
    rateLimit: 'chatMessage',
  },
  closeRoom: {
    handler: 'ws/close-room',
    twoWay: true,
    frame: CloseRoomFrame,
    summary: 'Admins: close the room with a summary; every member receives roomClosed',
    permissions: { tables: { main: 'readWrite', connections: 'readWrite' }, manageConnections: true },
  },
} as const satisfies Record<string, WsRoute>;

export type WsRouteKey = keyof typeof wsRoutes;

export const wsRouteSelectionExpression = '$request.body.action';

/**
 * The deployed HTTP API's Lambda authorizer on public routes: it admits requests that came through
 * CloudFront (its origin header), so a direct execute-api call to a public route runs no route
 * function. API Gateway refuses requests without the header before invoking it, and caches its
 * answer per header value. Offline there is no CloudFront and no gate.
 */
export const httpOriginGate = {
  handler: 'http/origin-gate',
  identitySource: [`$request.header.${ORIGIN_VERIFY_HEADER}`],
  resultsCacheTtlSeconds: 300,
  timeoutSeconds: 3,
} as const;

/** The `$connect` Lambda REQUEST authorizer. */
export const wsAuthorizer = {
  handler: 'ws/authorizer',
  /**
   * API Gateway refuses (401) without invoking the authorizer when an identity source is
   * missing: an upgrade without a ticket costs no invocation. The deployed stack adds the
   * CloudFront origin header here (see lib/constructs/websocket-api.ts).
   */
  identitySource: ['route.request.querystring.ticket'],
  permissions: { tables: { main: 'readWrite' } },
  timeoutSeconds: 10,
} as const satisfies WsRoute & { identitySource: readonly string[] };

export const DEFAULT_TIMEOUT_SECONDS = 10;

/**
 * What a route's function may do in AWS: its declared permissions, plus a read
 * of the main table for every signed-in route (the handler chain reads the
 * caller's profile to check the session and the role). The CDK grants exactly
 * this; the local runtime enforces it.
 */
export function effectivePermissions(route: { access?: Access; permissions?: Permissions }): Permissions {
  const permissions = route.permissions ?? {};
  if (route.access === undefined || route.access === 'public' || permissions.tables?.main) return permissions;
  return { ...permissions, tables: { ...permissions.tables, main: 'read' } };
}

export function splitRouteKey(key: string): { method: HttpMethod; path: string } {
  const [method, path] = key.split(' ') as [HttpMethod, string];
  return { method, path };
}
