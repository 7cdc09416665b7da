/**
 * The route table: every HTTP and WebSocket route, declared once. The CDK
 * stacks, the local API Gateway, the handler chain and the OpenAPI generator
 * all read it; adding a route is one entry here (and its function's in `functions`) plus its handler module.
 */
import { ORIGIN_VERIFY_HEADER } from './shared/origin-verify.ts';
import * as z from 'zod';
import type { TableKey } from './tables.ts';
import type { SecretName } from './shared/secrets.ts';
import type { LimitKind } from './limits/policy.ts';
import { HealthResponse } from './schemas/health.ts';
import {
  NotificationPreferences,
  UnsubscribeQuery,
  UpdateNotificationPreferencesBody,
} from './schemas/notifications.ts';
import { DataExportPage, DataExportQuery } from './schemas/data-export.ts';
import { DocsAssetParams, OpenApiDocument } from './schemas/docs.ts';
import {
  ChangeEmailBody,
  ConfirmEmailChangeBody,
  EmailStatus,
  ChangePasswordBody,
  DisableTotpBody,
  EnableTotpBody,
  TotpChallenge,
  TotpLoginBody,
  TotpSetup,
  ChangeRoleBody,
  ConfirmEmailBody,
  DeleteMeBody,
  ForgotPasswordBody,
  ListUsersQuery,
  LoginBody,
  LoginResponse,
  LogoutBody,
  RefreshBody,
  RefreshResponse,
  RegisterBody,
  RegisterResponse,
  ResendEmailCodeBody,
  ResetPasswordBody,
  UpdateMeBody,
  User,
  UserEventPage,
  UserIdParams,
  UserPage,
  UserSearchQuery,
  UserMatches,
} from './schemas/users.ts';
import {
  AssignOrderBody,
  CancelOrderBody,
  ChangeStatusBody,
  ExportOrdersQuery,
  Note,
  NoteBody,
  NotePage,
  NotesQuery,
  CreateOrderBody,
  CreateOrderHeaders,
  HistoryQuery,
  ListOrdersQuery,
  Order,
  OrderHistory,
  OrderIdParams,
  OrderPage,
  UpdateOrderBody,
  UpdateOrderHeaders,
} from './schemas/orders.ts';
import { ErrorFrame } from './schemas/common.ts';
import {
  ChatHistoryFrame,
  ChatRoomWithMessages,
  ConversationChangedFrame,
  InboxPage,
  InboxQuery,
  MarkReadFrame,
  ReadReceiptFrame,
  PresenceFrame,
  TypingNoticeFrame,
  TypingFrame,
  ReadStateFrame,
  CloseRoomBody,
  CloseRoomFrame,
  CloseRoomResponse,
  JoinRoomFrame,
  LeaveRoomFrame,
  LeftRoomFrame,
  MessagePage,
  MessagesQuery,
  NewMessageFrame,
  OrderStatusChangedFrame,
  RoomClosedFrame,
  RoomParams,
  SendMessageFrame,
  TicketResponse,
  OrderListChangedFrame,
  AttachmentCheckedFrame,
  AttachmentParams,
  OpenedAttachment,
  UploadRequestBody,
  UploadTicket,
  UnwatchOrdersFrame,
  WatchingOrdersFrame,
  WatchOrdersFrame,
} from './schemas/chat.ts';

/** Who may call a route: anyone, any signed-in user, or admins only. */
export type Access = 'public' | 'user' | 'admin';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Permissions {
  tables?: Partial<Record<TableKey, 'read' | 'readWrite'>>;
  /** Tables it may Scan: a maintenance job's only (every list is a Query). */
  scans?: readonly TableKey[];
  /** Cognito user pool actions, e.g. 'AdminGetUser'. */
  cognito?: readonly string[];
  /** execute-api:ManageConnections on the WebSocket API. */
  manageConnections?: boolean;
  /** It e-mails people itself (ses:SendEmail from the stage's sender, EMAIL_FROM). */
  sendsEmail?: boolean;
  /** Secrets it reads from Secrets Manager (lambdas/shared/secrets.ts): only these get `<NAME>_ARN` and a read grant. */
  secrets?: readonly SecretName[];
  /**
   * What it does in the attachments' bucket, per key prefix (lambdas/chat/attachment.ts): `uploads/`
   * (files as uploaded, until sent) and `files/` (sent files). A presigned URL acts with the
   * permissions of the function that signed it.
   */
  attachments?: readonly AttachmentGrant[];
}

export type AttachmentGrant = `${'GetObject' | 'PutObject' | 'DeleteObject'}:${'uploads' | 'files'}`;

/** One Lambda function: a module under lambdas/handlers exporting `handler`, with its own grants and settings. */
export interface LambdaFunction {
  /** What its code calls in AWS (a signed-in route's function also reads the main table: lib/grants.ts). */
  permissions?: Permissions;
  /** Integration timeout of every route it serves; the function gets one second more so the gateway answers 503 first. */
  timeoutSeconds?: number;
  /** Files (package/path) copied next to the bundle, under the package's name without scope. */
  bundleFiles?: readonly string[];
}

const CONNECTIONS_AND_SESSIONS: Permissions = {
  tables: { main: 'readWrite', connections: 'read' },
  manageConnections: true,
};

/** Every function, once: routes name their function, and several routes may share one (the docs). */
export const functions = {
  'http/health': {},
  'http/docs': { bundleFiles: ['swagger-ui-dist/swagger-ui-bundle.js', 'swagger-ui-dist/swagger-ui.css'] },
  'http/origin-gate': { permissions: { secrets: ['ORIGIN_VERIFY_SECRET'] }, timeoutSeconds: 3 },
  'http/auth-register': {
    permissions: {
      tables: { main: 'readWrite' },
      cognito: ['AdminCreateUser', 'AdminSetUserPassword', 'AdminGetUser', 'AdminDeleteUser'],
    },
  },
  'http/auth-login': { permissions: { tables: { main: 'readWrite' }, cognito: ['AdminGetUser'] } },
  'http/auth-confirm-email': { permissions: { tables: { main: 'readWrite' }, cognito: ['AdminGetUser'] } },
  'http/auth-resend-email-code': { permissions: { tables: { main: 'readWrite' }, cognito: ['AdminGetUser'] } },
  'http/auth-forgot-password': { permissions: { tables: { main: 'readWrite' }, cognito: ['AdminGetUser'] } },
  'http/auth-reset-password': {
    permissions: { ...CONNECTIONS_AND_SESSIONS, cognito: ['AdminGetUser'] },
  },
  'http/auth-login-totp': { permissions: { tables: { main: 'readWrite' }, cognito: ['AdminGetUser'] } },
  'http/auth-refresh': { permissions: { tables: { main: 'read' } } },
  'http/auth-logout': { permissions: CONNECTIONS_AND_SESSIONS },
  'http/auth-logout-everywhere': { permissions: CONNECTIONS_AND_SESSIONS },
  'http/users-me-get': {},
  'http/users-me-update': { permissions: { tables: { main: 'readWrite' } } },
  'http/users-me-password': { permissions: { ...CONNECTIONS_AND_SESSIONS, cognito: ['AdminGetUser'] } },
  'http/users-me-data': { permissions: { secrets: ['CURSOR_SECRET'] } },
  'http/users-me-email': {
    permissions: { tables: { main: 'readWrite' }, cognito: ['AdminGetUser', 'AdminDeleteUser'] },
  },
  'http/users-me-email-get': {},
  'http/users-me-email-confirm': {
    permissions: { tables: { main: 'readWrite' }, cognito: ['AdminGetUser'], sendsEmail: true },
  },
  'http/users-me-notifications-get': {},
  'http/users-me-notifications': { permissions: { tables: { main: 'readWrite' } } },
  'http/notifications-unsubscribe': { permissions: { tables: { main: 'readWrite' }, secrets: ['UNSUBSCRIBE_SECRET'] } },
  'http/users-me-totp-start': {},
  'http/users-me-totp-enable': { permissions: { tables: { main: 'readWrite' } } },
  'http/users-me-totp-disable': { permissions: { tables: { main: 'readWrite' } } },
  'http/users-me-delete': {
    permissions: { ...CONNECTIONS_AND_SESSIONS, cognito: ['AdminGetUser', 'AdminDeleteUser'] },
  },
  'http/users-list': { permissions: { secrets: ['CURSOR_SECRET'] } },
  'http/users-get': {},
  'http/users-change-role': {
    permissions: { ...CONNECTIONS_AND_SESSIONS, cognito: ['AdminAddUserToGroup', 'AdminRemoveUserFromGroup'] },
  },
  'http/users-password-reset': {
    permissions: { tables: { main: 'readWrite' }, cognito: ['AdminGetUser'] },
  },
  'http/users-totp-remove': {
    permissions: { tables: { main: 'readWrite' }, cognito: ['AdminSetUserMFAPreference'] },
  },
  'http/users-events': { permissions: { secrets: ['CURSOR_SECRET'] } },
  'http/users-delete': { permissions: { ...CONNECTIONS_AND_SESSIONS, cognito: ['AdminDeleteUser'] } },
  'http/orders-create': {
    permissions: {
      tables: { main: 'readWrite', idempotency: 'readWrite', connections: 'readWrite' },
      manageConnections: true,
    },
  },
  'http/orders-list': { permissions: { secrets: ['CURSOR_SECRET'], cognito: ['AdminGetUser'] } },
  'http/orders-export': { permissions: { secrets: ['CURSOR_SECRET'], cognito: ['AdminGetUser'] } },
  'http/orders-assign': {
    permissions: { tables: { main: 'readWrite', connections: 'readWrite' }, manageConnections: true },
  },
  'http/orders-notes-create': { permissions: { tables: { main: 'readWrite' } } },
  'http/orders-notes-list': { permissions: { secrets: ['CURSOR_SECRET'] } },
  'http/users-search': {},
  'http/orders-get': {},
  'http/orders-update': {
    permissions: { tables: { main: 'readWrite', connections: 'readWrite' }, manageConnections: true },
  },
  'http/orders-change-status': {
    permissions: { tables: { main: 'readWrite', connections: 'readWrite' }, manageConnections: true },
  },
  'http/orders-history': {},
  'http/orders-cancel': {
    permissions: { tables: { main: 'readWrite', connections: 'readWrite' }, manageConnections: true },
  },
  'http/chat-tickets': { permissions: { tables: { main: 'readWrite' } } },
  'http/chat-room-get': {},
  'http/chat-inbox': { permissions: { secrets: ['CURSOR_SECRET'] } },
  'http/chat-messages': {},
  'http/chat-attachments-create': {
    permissions: { tables: { main: 'readWrite' }, attachments: ['PutObject:uploads'] },
  },
  'http/chat-attachments-get': { permissions: { attachments: ['GetObject:files'] } },
  'http/chat-room-close': {
    permissions: { tables: { main: 'readWrite', connections: 'readWrite' }, manageConnections: true },
  },
  'ws/authorizer': {
    permissions: { tables: { main: 'readWrite' }, secrets: ['ORIGIN_VERIFY_SECRET'] },
    timeoutSeconds: 10,
  },
  'ws/connect': { permissions: { tables: { connections: 'readWrite' } } },
  'ws/disconnect': { permissions: { tables: { main: 'read', connections: 'readWrite' }, manageConnections: true } },
  'ws/default': {},
  'ws/join-room': { permissions: { tables: { main: 'read', connections: 'readWrite' }, manageConnections: true } },
  'ws/leave-room': { permissions: { tables: { main: 'read', connections: 'readWrite' }, manageConnections: true } },
  'ws/send-message': {
    permissions: {
      tables: { main: 'readWrite', connections: 'readWrite' },
      manageConnections: true,
      // CopyObject of a sent file out of the uploads.
      attachments: ['GetObject:uploads', 'PutObject:files'],
    },
  },
  'ws/mark-read': {
    permissions: { tables: { main: 'readWrite', connections: 'readWrite' }, manageConnections: true },
  },
  'ws/watch-orders': { permissions: { tables: { connections: 'readWrite' } } },
  'ws/unwatch-orders': { permissions: { tables: { connections: 'readWrite' } } },
  'ws/typing': { permissions: { tables: { main: 'readWrite', connections: 'read' }, manageConnections: true } },
  'ws/close-room': {
    permissions: { tables: { main: 'readWrite', connections: 'readWrite' }, manageConnections: true },
  },
  // Not a route's: run by the bucket's Object Created events (lib/constructs/attachments.ts; offline, by the local S3).
  'jobs/check-attachment': {
    permissions: {
      tables: { main: 'readWrite', connections: 'read' },
      manageConnections: true,
      attachments: ['GetObject:uploads', 'DeleteObject:uploads'],
    },
    timeoutSeconds: 30,
  },
  // Not a route's: run after each deploy (lib/constructs/backfill.ts; offline, when the runtime starts).
  'jobs/backfill': { permissions: { tables: { main: 'readWrite' }, scans: ['main'] }, timeoutSeconds: 600 },
  // Not a route's: run every minute by a schedule (lib/constructs/notifications.ts; offline, the runtime's timer).
  'jobs/notify': {
    permissions: {
      tables: { main: 'readWrite', connections: 'read' },
      sendsEmail: true,
      secrets: ['UNSUBSCRIBE_SECRET'],
    },
    timeoutSeconds: 60,
  },
} as const satisfies Record<string, LambdaFunction>;

export type FunctionName = keyof typeof functions;

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** Defaults to application/json. */
  contentType?: string | readonly string[];
  headers?: readonly string[];
}

export interface HttpRoute {
  handler: FunctionName;
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
  },
  'GET /docs': {
    handler: 'http/docs',
    access: 'public',
    summary: 'Swagger UI for this API',
    tag: 'System',
    responses: { 200: { description: 'HTML page', schema: z.string(), contentType: 'text/html' } },
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
  },
  'POST /auth/register': {
    handler: 'http/auth-register',
    access: 'public',
    summary: 'Create an account',
    tag: 'Auth',
    request: { body: RegisterBody },
    responses: {
      201: {
        description:
          'Account created; a 6-digit code is on its way to the address, and the account signs in once it is confirmed (POST /auth/confirm-email). Signing up again with an address whose sign-up was never confirmed replaces that one.',
        schema: RegisterResponse,
      },
    },
    errors: [409, 429],
  },
  'POST /auth/confirm-email': {
    handler: 'http/auth-confirm-email',
    access: 'public',
    summary:
      'Confirm the account’s e-mail address with the code sent to it, and sign in (400: the code is wrong, expired or used, as errors[].message says)',
    tag: 'Auth',
    request: { body: ConfirmEmailBody },
    responses: { 200: { description: 'Confirmed and signed in', schema: LoginResponse } },
    errors: [401, 429],
  },
  'POST /auth/confirm-email/resend': {
    handler: 'http/auth-resend-email-code',
    access: 'public',
    summary: 'E-mail a new code to an account whose address awaits confirmation (its password says it is yours)',
    tag: 'Auth',
    request: { body: ResendEmailCodeBody },
    responses: { 202: { description: 'A new code is on its way' } },
    errors: [401, 429],
  },
  'POST /auth/forgot-password': {
    handler: 'http/auth-forgot-password',
    access: 'public',
    summary:
      'E-mail a password reset code to the address, if it has an account: the answer is the same whether or not it does',
    tag: 'Auth',
    request: { body: ForgotPasswordBody },
    responses: { 202: { description: 'If the address has an account, a code is on its way' } },
    errors: [429],
  },
  'POST /auth/reset-password': {
    handler: 'http/auth-reset-password',
    access: 'public',
    summary:
      'Set a new password with the e-mailed code; every session of the account ends (400: the code is wrong, expired or used)',
    tag: 'Auth',
    request: { body: ResetPasswordBody },
    responses: { 204: { description: 'Password set; sign in with it' } },
    errors: [429],
  },
  'POST /auth/login': {
    handler: 'http/auth-login',
    access: 'public',
    summary:
      'Sign in with email and password; with two-factor on, the answer is a challenge for a code from the authenticator app (POST /auth/login/totp)',
    tag: 'Auth',
    request: { body: LoginBody },
    responses: {
      200: { description: 'Signed in', schema: LoginResponse },
      202: { description: 'The password is right; now a code from the authenticator app', schema: TotpChallenge },
    },
    // 403: the password is right, but the account's address awaits its code (POST /auth/confirm-email).
    errors: [401, 403, 429],
  },
  'POST /auth/login/totp': {
    handler: 'http/auth-login-totp',
    access: 'public',
    summary:
      'Finish a two-factor sign-in with the code the authenticator app shows (400: the code is wrong, or the session expired or was answered already: sign in again)',
    tag: 'Auth',
    request: { body: TotpLoginBody },
    responses: { 200: { description: 'Signed in', schema: LoginResponse } },
    errors: [401, 429],
  },
  'POST /auth/refresh': {
    handler: 'http/auth-refresh',
    access: 'public',
    summary: 'Get new access and ID tokens with a refresh token',
    tag: 'Auth',
    request: { body: RefreshBody },
    responses: { 200: { description: 'New tokens', schema: RefreshResponse } },
    errors: [401, 429],
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
  },
  'POST /auth/logout-everywhere': {
    handler: 'http/auth-logout-everywhere',
    access: 'user',
    summary:
      'End every session of this account on every device: their access and refresh tokens are refused and their WebSockets closed',
    tag: 'Auth',
    responses: { 204: { description: 'Signed out everywhere' } },
  },
  'GET /users/me': {
    handler: 'http/users-me-get',
    access: 'user',
    summary: 'Your profile',
    tag: 'Users',
    responses: { 200: { description: 'Your profile', schema: User } },
  },
  'PATCH /users/me': {
    handler: 'http/users-me-update',
    access: 'user',
    summary: 'Change your name',
    tag: 'Users',
    request: { body: UpdateMeBody },
    responses: { 200: { description: 'Updated profile', schema: User } },
  },
  'GET /users/me/notifications': {
    handler: 'http/users-me-notifications-get',
    access: 'user',
    summary: 'What you are e-mailed about while you are away',
    tag: 'Users',
    responses: { 200: { description: 'Your notification preferences', schema: NotificationPreferences } },
  },
  'PATCH /users/me/notifications': {
    handler: 'http/users-me-notifications',
    access: 'user',
    summary:
      'Choose what you are e-mailed about while you are away: messages, status changes, new orders (admins); the topics not given stay as they are',
    tag: 'Users',
    request: { body: UpdateNotificationPreferencesBody },
    responses: { 200: { description: 'Your notification preferences', schema: NotificationPreferences } },
    errors: [429],
    rateLimit: 'preferenceChange',
  },
  'POST /notifications/unsubscribe': {
    handler: 'http/notifications-unsubscribe',
    access: 'public',
    summary:
      "One-click unsubscribe (RFC 8058): the link of an e-mail's List-Unsubscribe header turns off the topics that e-mail spoke of. Mail clients POST `List-Unsubscribe=One-Click`; the body is not read",
    tag: 'Users',
    request: { query: UnsubscribeQuery },
    responses: { 204: { description: 'Those e-mails stop' } },
  },
  'POST /users/me/password': {
    handler: 'http/users-me-password',
    access: 'user',
    summary:
      'Change your password (the current one required): every other session ends, and this one goes on with the new tokens in the answer',
    tag: 'Users',
    request: { body: ChangePasswordBody },
    responses: {
      200: { description: 'Password changed; the tokens this session goes on with', schema: LoginResponse },
    },
    errors: [429],
  },
  'GET /users/me/data': {
    handler: 'http/users-me-data',
    access: 'user',
    rateLimit: 'pageRead',
    summary:
      'Everything the service holds about you — your profile, your orders with their history, and their rooms’ messages with authors — in pages (at most 3 MB and 12 reads each) to join into one document',
    tag: 'Users',
    request: { query: DataExportQuery },
    responses: { 200: { description: 'A page of your data', schema: DataExportPage } },
  },
  'POST /users/me/email': {
    handler: 'http/users-me-email',
    access: 'user',
    summary:
      'Change your e-mail address (your password required): a code goes to the new address, and the old one stays yours until it is confirmed',
    tag: 'Users',
    request: { body: ChangeEmailBody },
    responses: { 202: { description: 'A code is on its way to the new address', schema: EmailStatus } },
    errors: [409, 429],
  },
  'GET /users/me/email': {
    handler: 'http/users-me-email-get',
    access: 'user',
    summary: 'Your address, and a new one waiting for its code',
    tag: 'Users',
    responses: { 200: { description: 'Your address, and any new one waiting', schema: EmailStatus } },
  },
  'POST /users/me/email/confirm': {
    handler: 'http/users-me-email-confirm',
    access: 'user',
    summary:
      'Confirm the new address with the code e-mailed to it: it becomes your sign-in address, and the old one is told (400: the code is wrong or expired)',
    tag: 'Users',
    request: { body: ConfirmEmailChangeBody },
    responses: { 200: { description: 'The new address is yours', schema: User } },
    errors: [409, 429],
  },
  'POST /users/me/totp': {
    handler: 'http/users-me-totp-start',
    access: 'user',
    rateLimit: 'totpSetup',
    summary:
      'Start setting up two-factor sign-in: a secret for an authenticator app, and its otpauth:// URI (for a QR code); confirm with PUT',
    tag: 'Users',
    responses: { 200: { description: 'Add it to the authenticator app', schema: TotpSetup } },
    errors: [409, 429],
  },
  'PUT /users/me/totp': {
    handler: 'http/users-me-totp-enable',
    access: 'user',
    summary: 'Turn two-factor sign-in on with a first code from the app being set up',
    tag: 'Users',
    request: { body: EnableTotpBody },
    responses: { 200: { description: 'On: every sign-in asks for a code from now on', schema: User } },
    errors: [409, 429],
  },
  'DELETE /users/me/totp': {
    handler: 'http/users-me-totp-disable',
    access: 'user',
    summary: 'Turn two-factor sign-in off (your password and a current code required)',
    tag: 'Users',
    request: { body: DisableTotpBody },
    responses: { 200: { description: 'Off', schema: User } },
    errors: [429],
  },
  'DELETE /users/me': {
    handler: 'http/users-me-delete',
    access: 'user',
    summary:
      'Delete your account (your password required): every session ends and every socket closes; your name stays on what you wrote in chats',
    tag: 'Users',
    request: { body: DeleteMeBody },
    responses: { 204: { description: 'Deleted' } },
    errors: [409, 429],
  },
  'GET /users': {
    handler: 'http/users-list',
    access: 'admin',
    summary: 'All users, newest first',
    tag: 'Users',
    request: { query: ListUsersQuery },
    responses: { 200: { description: 'A page of users', schema: UserPage } },
  },
  'GET /users/search': {
    handler: 'http/users-search',
    access: 'admin',
    summary: 'Users whose name starts with `name` (any case), by name: how admins find a customer',
    tag: 'Users',
    request: { query: UserSearchQuery },
    responses: { 200: { description: 'The users found', schema: UserMatches } },
    errors: [429],
    rateLimit: 'pageRead',
  },
  'GET /users/{id}': {
    handler: 'http/users-get',
    access: 'admin',
    summary: 'One user',
    tag: 'Users',
    request: { params: UserIdParams },
    responses: { 200: { description: 'The user', schema: User } },
    errors: [404],
  },
  'PATCH /users/{id}/role': {
    handler: 'http/users-change-role',
    access: 'admin',
    summary: "Change a user's role",
    tag: 'Users',
    request: { params: UserIdParams, body: ChangeRoleBody },
    responses: { 200: { description: 'The user with the new role', schema: User } },
    errors: [404, 409, 429],
  },
  'POST /users/{id}/password-reset': {
    handler: 'http/users-password-reset',
    access: 'admin',
    summary:
      "Send a user a password reset code (for a customer locked out), kept in the user's record (GET /users/{id}/events)",
    tag: 'Users',
    request: { params: UserIdParams },
    responses: { 202: { description: 'The code is on its way to their address' } },
    // 409: the account's address was never confirmed, so no code can go to it.
    errors: [404, 409, 429],
  },
  'DELETE /users/{id}/totp': {
    handler: 'http/users-totp-remove',
    access: 'admin',
    summary:
      "Turn off a user's two-factor sign-in (they lost their authenticator app): their password alone signs in again; kept in their record",
    tag: 'Users',
    request: { params: UserIdParams },
    responses: { 200: { description: 'Off', schema: User } },
    errors: [404],
  },
  'GET /users/{id}/events': {
    handler: 'http/users-events',
    access: 'admin',
    summary: "What admins did to a user's account, newest first",
    tag: 'Users',
    request: { params: UserIdParams, query: ListUsersQuery },
    responses: { 200: { description: 'A page of events', schema: UserEventPage } },
    errors: [404],
  },
  'DELETE /users/{id}': {
    handler: 'http/users-delete',
    access: 'admin',
    summary: 'Delete an account (its orders and messages stay)',
    tag: 'Users',
    request: { params: UserIdParams },
    responses: { 204: { description: 'Deleted' } },
    errors: [404, 409, 429],
  },
  'POST /orders': {
    handler: 'http/orders-create',
    access: 'user',
    summary:
      'Place an order (customers only). With an Idempotency-Key, a retry within 24 h answers with the order that key placed, as it is now (422 if the body differs)',
    tag: 'Orders',
    request: { body: CreateOrderBody, headers: CreateOrderHeaders },
    responses: {
      201: { description: 'Order placed, with its chat room', schema: Order, headers: ['Location', 'ETag'] },
    },
    errors: [403, 422, 429],
    rateLimit: 'orderWrite',
  },
  'GET /orders': {
    handler: 'http/orders-list',
    access: 'user',
    summary:
      'Your orders (admins: all orders), newest first; filtered by status and creation dates, and for admins by assignee (sorted by status first) or customer. Each filter is one index partition',
    tag: 'Orders',
    request: { query: ListOrdersQuery },
    responses: { 200: { description: 'A page of orders', schema: OrderPage } },
    // 403: a customer filtering by assignee or customer.
    errors: [403],
  },
  'GET /orders/export': {
    handler: 'http/orders-export',
    access: 'admin',
    summary:
      'The list as CSV, with the filters of GET /orders: a part of at most 1,000 orders a request, the header row first; a `Link: <…>; rel="next"` header asks for the next part (none: that was the last). Cells a spreadsheet would read as a formula start with a quote',
    tag: 'Orders',
    request: { query: ExportOrdersQuery },
    responses: {
      200: { description: 'A part of the CSV file', schema: z.string(), contentType: 'text/csv', headers: ['Link'] },
    },
    errors: [429],
    rateLimit: 'pageRead',
  },
  'GET /orders/{id}': {
    handler: 'http/orders-get',
    access: 'user',
    summary: 'One order (owner or admin)',
    tag: 'Orders',
    request: { params: OrderIdParams },
    responses: { 200: { description: 'The order', schema: Order, headers: ['ETag'] } },
    errors: [404],
  },
  'PATCH /orders/{id}': {
    handler: 'http/orders-update',
    access: 'user',
    summary: 'Change an order (owner while REVIEW, admin until COMPLETED)',
    tag: 'Orders',
    request: { params: OrderIdParams, body: UpdateOrderBody, headers: UpdateOrderHeaders },
    responses: { 200: { description: 'The changed order', schema: Order, headers: ['ETag'] } },
    errors: [404, 409, 412, 429],
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
    rateLimit: 'orderWrite',
  },
  'POST /orders/{id}/cancel': {
    handler: 'http/orders-cancel',
    access: 'user',
    summary:
      'Cancel an order with a reason (customers: their own, in REVIEW; admins: in REVIEW or PROCESSING). It is CANCELLED for good, and its chat room closes with the reason as its summary',
    tag: 'Orders',
    request: { params: OrderIdParams, body: CancelOrderBody },
    responses: { 200: { description: 'The cancelled order', schema: Order, headers: ['ETag'] } },
    errors: [404, 409, 429],
    rateLimit: 'orderWrite',
  },
  'PUT /orders/{id}/assignee': {
    handler: 'http/orders-assign',
    access: 'admin',
    summary:
      'Assign an order to an admin (yourself or another), or to nobody (null). Without If-Match it applies to the order as read: should someone change it first, 409 names who has it now',
    tag: 'Orders',
    request: { params: OrderIdParams, body: AssignOrderBody, headers: UpdateOrderHeaders },
    responses: { 200: { description: 'The order with its assignee', schema: Order, headers: ['ETag'] } },
    errors: [404, 409, 412, 422, 429],
    rateLimit: 'orderWrite',
  },
  'POST /orders/{id}/notes': {
    handler: 'http/orders-notes-create',
    access: 'admin',
    summary: 'Add an internal note to an order: admins only, never shown to its customer (at most 500 an order)',
    tag: 'Orders',
    request: { params: OrderIdParams, body: NoteBody },
    responses: { 201: { description: 'The note', schema: Note } },
    errors: [404, 409, 429],
    rateLimit: 'orderWrite',
  },
  'GET /orders/{id}/notes': {
    handler: 'http/orders-notes-list',
    access: 'admin',
    summary: "An order's internal notes, newest first (admins only)",
    tag: 'Orders',
    request: { params: OrderIdParams, query: NotesQuery },
    responses: { 200: { description: 'A page of notes', schema: NotePage } },
    errors: [404, 429],
    rateLimit: 'pageRead',
  },
  'GET /orders/{id}/history': {
    handler: 'http/orders-history',
    access: 'user',
    summary:
      "An order's creation, edits and status changes: the newest page (or the page before version `before`), oldest first within it. A page holds at most `limit` events and 1 MB",
    tag: 'Orders',
    request: { params: OrderIdParams, query: HistoryQuery },
    responses: { 200: { description: 'A page of events', schema: OrderHistory } },
    errors: [404, 429],
    rateLimit: 'pageRead',
  },
  'POST /chat/tickets': {
    handler: 'http/chat-tickets',
    access: 'user',
    summary:
      'A single-use, 60-second ticket to open the WebSocket with (?ticket=…), the only credential $connect takes',
    tag: 'Chat',
    responses: { 201: { description: 'The ticket', schema: TicketResponse } },
    errors: [429],
    rateLimit: 'chatTicket',
  },
  'GET /chat/rooms/{roomId}': {
    handler: 'http/chat-room-get',
    access: 'user',
    summary: "An order's chat room with its latest page of messages (at most 50 and 1 MB), oldest first",
    tag: 'Chat',
    request: { params: RoomParams },
    responses: { 200: { description: 'The room', schema: ChatRoomWithMessages } },
    errors: [404, 429],
    rateLimit: 'pageRead',
  },
  'GET /chat/inbox': {
    handler: 'http/chat-inbox',
    access: 'admin',
    summary:
      'Admins: the orders whose conversation waits for an admin (the customer wrote last, no admin answered since), oldest wait first',
    tag: 'Chat',
    request: { query: InboxQuery },
    responses: { 200: { description: 'A page of waiting rooms', schema: InboxPage } },
    errors: [400, 403, 429],
    rateLimit: 'pageRead',
  },
  'GET /chat/rooms/{roomId}/messages': {
    handler: 'http/chat-messages',
    access: 'user',
    summary: 'Older messages: the page before `before`, oldest first',
    tag: 'Chat',
    request: { params: RoomParams, query: MessagesQuery },
    responses: { 200: { description: 'A page of messages', schema: MessagePage } },
    errors: [404, 429],
    rateLimit: 'pageRead',
  },
  'POST /chat/rooms/{roomId}/attachments': {
    handler: 'http/chat-attachments-create',
    access: 'user',
    summary:
      "Ask to upload a file to an open room you are in: the answer is a presigned POST straight to the bucket for exactly this file (its type and size), good for 5 minutes. The file is then checked (its size, and that its first bytes are its type's): GET it, or wait for attachmentChecked, until it is verified, then send it with sendMessage's attachmentIds. 429: the day's allowance (100 files, 500 MB) is used up",
    tag: 'Chat',
    request: { params: RoomParams, body: UploadRequestBody },
    responses: { 201: { description: 'Upload it with this form', schema: UploadTicket } },
    errors: [404, 409, 429],
  },
  'GET /chat/rooms/{roomId}/attachments/{attachmentId}': {
    handler: 'http/chat-attachments-get',
    access: 'user',
    summary:
      'A file of a room you are in: once sent, with a link valid for 5 minutes (served as its verified type, images inline and documents as downloads, under its safe name); unsent, to its uploader only, with where its check stands',
    tag: 'Chat',
    request: { params: AttachmentParams },
    responses: { 200: { description: 'The file and its link', schema: OpenedAttachment } },
    errors: [404, 429],
    rateLimit: 'attachmentOpen',
  },
  'POST /chat/rooms/{roomId}/close': {
    handler: 'http/chat-room-close',
    access: 'admin',
    summary: 'Close a chat room with a summary (an order in REVIEW moves to PROCESSING)',
    tag: 'Chat',
    request: { params: RoomParams, body: CloseRoomBody },
    responses: { 200: { description: 'The closed room and its order', schema: CloseRoomResponse } },
    errors: [404, 409],
  },
} as const satisfies Record<string, HttpRoute>;

export type HttpRouteKey = keyof typeof httpRoutes;

/** Frames the server sends: answers to a client frame, and pushes to a room's members. */
export const wsServerFrames = {
  chatHistory: {
    schema: ChatHistoryFrame,
    summary: 'Answer to joinRoom: the room state and its latest (or resumed) messages, oldest first',
  },
  leftRoom: { schema: LeftRoomFrame, summary: 'Answer to leaveRoom' },
  readState: {
    schema: ReadStateFrame,
    summary: "Answer to markRead: where the caller's marker stands, what is left unread, and the other side's receipt",
  },
  conversationChanged: {
    schema: ConversationChangedFrame,
    summary:
      'A conversation you are part of moved on, joined or not: to the customer when an admin writes, to every admin when the customer writes or a room stops waiting (an answer, a close), and to all your connections when you read further on one of them (lists read their unread counts again)',
    pushed: true,
  },
  presence: {
    schema: PresenceFrame,
    summary: 'Who is in a joined room now: sent to its members when someone joins, leaves or disconnects',
    pushed: true,
  },
  userTyping: {
    schema: TypingNoticeFrame,
    summary: 'Someone else in a joined room is typing (ephemeral: never stored)',
    pushed: true,
  },
  readReceipt: {
    schema: ReadReceiptFrame,
    summary: 'A side of a joined room (the customer, or the admins) has read further: "Seen" under messageId',
    pushed: true,
  },
  newMessage: {
    schema: NewMessageFrame,
    summary: 'A message in a joined room (the sender gets it too, as acknowledgement)',
    pushed: true,
  },
  roomClosed: { schema: RoomClosedFrame, summary: 'An admin closed a joined room', pushed: true },
  orderStatusChanged: {
    schema: OrderStatusChangedFrame,
    summary: 'The order of a joined room changed status',
    pushed: true,
  },
  watchingOrders: { schema: WatchingOrdersFrame, summary: 'Answer to watchOrders and unwatchOrders' },
  orderListChanged: {
    schema: OrderListChangedFrame,
    summary:
      'An order you may list was placed or changed (to watching connections: admins every order, a customer their own); read the list again with its filters',
    pushed: true,
  },
  attachmentChecked: {
    schema: AttachmentCheckedFrame,
    summary:
      'A file you uploaded was checked: verified (send it), or rejected and deleted (reason says why); to all your connections',
    pushed: true,
  },
  error: {
    schema: ErrorFrame,
    summary:
      'A frame was refused: status as in HTTP (400, 403, 404, 409, 429, 500, 503), with the action, roomId and clientMessageId it answers when known',
  },
} as const satisfies Record<string, { schema: z.ZodType; summary: string; pushed?: true }>;

export type WsServerFrame = keyof typeof wsServerFrames;

export interface WsRoute {
  handler: FunctionName;
  /**
   * 'public': the route reads no session ($connect is authorized by its authorizer; $disconnect
   * and $default act for nobody). 'user' and 'admin': the chain re-reads the session (and the
   * role) the connection was opened with before each frame, as the HTTP chain does per request.
   */
  access: Access;
  /** The client frame this route accepts (documented in asyncapi.yaml). */
  frame?: z.ZodType;
  summary?: string;
  /** What the caller receives in answer (an `error` frame is always possible). */
  answers?: readonly WsServerFrame[];
  /** A per-user rate limit (lambdas/limits) counted before anything else is read or written. */
  rateLimit?: LimitKind;
  /**
   * A two-way route: API Gateway sends the `body` the function returns to the caller as a frame
   * (a route response), so the answer costs no @connections call. Only for routes that always
   * answer: a result without a body would arrive as an empty frame, which isn't JSON. A route
   * with nothing to say on success is one-way and posts its error frames through @connections.
   */
  twoWay?: boolean;
}

/** WebSocket routes, selected on `$request.body.action`. */
export const wsRoutes = {
  $connect: { handler: 'ws/connect', access: 'public' },
  $disconnect: { handler: 'ws/disconnect', access: 'public' },
  $default: { handler: 'ws/default', access: 'public', twoWay: true },
  joinRoom: {
    handler: 'ws/join-room',
    access: 'user',
    twoWay: true,
    frame: JoinRoomFrame,
    answers: ['chatHistory'],
    summary:
      "Join an order's room: answered with chatHistory (the latest page, or the page after `after`; a page holds what fits in 128 KB, and nextCursor says where the rest starts)",
    rateLimit: 'roomJoin',
  },
  leaveRoom: {
    handler: 'ws/leave-room',
    access: 'user',
    twoWay: true,
    frame: LeaveRoomFrame,
    answers: ['leftRoom'],
    summary: 'Stop receiving a room on this connection: answered with leftRoom',
  },
  sendMessage: {
    handler: 'ws/send-message',
    access: 'user',
    frame: SendMessageFrame,
    answers: ['newMessage'],
    summary:
      'Send a message, with text, files (your verified uploads: attachmentIds) or both: every connection in the room, the sender included, receives newMessage',
    rateLimit: 'chatMessage',
  },
  markRead: {
    handler: 'ws/mark-read',
    access: 'user',
    twoWay: true,
    frame: MarkReadFrame,
    answers: ['readState'],
    summary:
      'Move your "read up to" marker to a message of the room (never back): answered with readState; when your side\'s receipt moves, every connection in the room receives readReceipt',
    rateLimit: 'readMark',
  },
  typing: {
    handler: 'ws/typing',
    access: 'user',
    frame: TypingFrame,
    answers: [],
    summary:
      "Say you are typing: the room's other connections receive userTyping (never stored; at most 6 per 10 s per connection, past that a 429 error frame)",
  },
  watchOrders: {
    handler: 'ws/watch-orders',
    access: 'user',
    twoWay: true,
    frame: WatchOrdersFrame,
    answers: ['watchingOrders'],
    summary:
      'Keep an order list current on this connection: orderListChanged arrives for every order you may list (admins: all, customers: your own) until unwatchOrders or the connection ends',
    rateLimit: 'roomJoin',
  },
  unwatchOrders: {
    handler: 'ws/unwatch-orders',
    access: 'user',
    twoWay: true,
    frame: UnwatchOrdersFrame,
    answers: ['watchingOrders'],
    summary: 'Stop hearing orderListChanged on this connection',
  },
  closeRoom: {
    handler: 'ws/close-room',
    access: 'admin',
    frame: CloseRoomFrame,
    answers: ['roomClosed'],
    summary: 'Admins: close the room with a summary; every member receives roomClosed',
  },
} as const satisfies Record<string, WsRoute>;

export type WsRouteKey = keyof typeof wsRoutes;

/**
 * What browsers on another origin may send and read (the CORS preflight's answer): the
 * deployed HTTP API and the local gateway both answer with these.
 */
export const httpCors = {
  allowHeaders: ['authorization', 'content-type', 'idempotency-key', 'if-match'],
  exposeHeaders: ['etag', 'location', 'retry-after', 'link'],
  maxAgeSeconds: 600,
} as const;

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
} as const satisfies { handler: FunctionName; identitySource: readonly string[]; resultsCacheTtlSeconds?: number };

/** The `$connect` Lambda REQUEST authorizer. */
export const wsAuthorizer = {
  handler: 'ws/authorizer',
  /**
   * API Gateway refuses (401) without invoking the authorizer when an identity source is
   * missing: an upgrade without a ticket costs no invocation. The deployed stack adds the
   * CloudFront origin header here (see lib/constructs/websocket-api.ts).
   */
  identitySource: ['route.request.querystring.ticket'],
} as const satisfies { handler: FunctionName; identitySource: readonly string[]; resultsCacheTtlSeconds?: number };

export const DEFAULT_TIMEOUT_SECONDS = 10;

/** The integration timeout of a function's routes. */
export const timeoutOf = (name: FunctionName): number =>
  (functions[name] as LambdaFunction).timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;

export function splitRouteKey(key: string): { method: HttpMethod; path: string } {
  const [method, path] = key.split(' ') as [HttpMethod, string];
  return { method, path };
}
