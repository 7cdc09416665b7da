/**
 * End-to-end helpers: real HTTP (fetch) and real WebSocket (ws) clients
 * against the local runtime booted by global-setup.ts.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, inject } from 'vitest';
import WebSocket from 'ws';
import { LIMITS } from '#lambdas/limits/policy.ts';
import { BOOTSTRAP_ADMIN } from './bootstrap-admin.ts';
import { checkContract } from '../support/contract.ts';
import { codeFor } from '../support/mailbox.ts';
import { checkFrame } from '../support/ws-contract.ts';
import { onLoopback, type RuntimeInfo } from '../support/runtime-process.ts';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LOCAL_REGION } from '#local/aws.ts';
import { credentialsFromSecret } from '#local/credentials.ts';

/** Refuse to send test traffic anywhere but this machine unless a deployed stage is named explicitly. */
function assertLocal(url: string) {
  const host = new URL(url).hostname;
  if (!['127.0.0.1', 'localhost', '::1'].includes(host) && process.env.E2E_ALLOW_REMOTE !== '1') {
    throw new Error(
      `End-to-end tests only run against the local runtime, not ${host} (set E2E_ALLOW_REMOTE=1 for a deployed stage).`,
    );
  }
}
/**
 * The runtime every helper here talks to: the one global-setup.ts booted for the project, or one a
 * file booted itself (useRuntime).
 */
export let runtime: RuntimeInfo = inject('runtime');
if (runtime) {
  assertLocal(runtime.httpUrl);
  assertLocal(runtime.wsUrl);
}

/**
 * Points the helpers at a runtime this file booted itself (its URLs on the loopback address). Returns
 * what puts the previous one back: e2e files share a worker's modules, so a file that doesn't restore
 * it in afterAll leaves the next file talking to a runtime that has stopped.
 */
export function useRuntime(info: RuntimeInfo): () => void {
  const previous = runtime;
  runtime = onLoopback(info);
  assertLocal(runtime.httpUrl);
  assertLocal(runtime.wsUrl);
  return () => {
    runtime = previous;
  };
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export async function api<T = any>(
  method: string,
  path: string,
  options: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const url = `${runtime.httpUrl}${path}`;
  const response = await fetch(url, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  checkContract(method, url, response.status, response.headers.get('content-type'), parsed ?? text);
  return { status: response.status, headers: response.headers, body: parsed as T, text };
}

export function uniqueEmail(label = 'user'): string {
  return `${label}-${randomUUID().slice(0, 8)}@example.test`;
}

export const STRONG_PASSWORD = 'Str0ng!Passw0rd';

export interface Session {
  user: {
    id: string;
    name: string;
    email: string;
    role: 'ADMIN' | 'REGULAR';
    emailConfirmed: boolean;
    twoFactorEnabled: boolean;
  };
  email: string;
  password: string;
  accessToken: string;
  idToken: string;
  refreshToken: string;
}

export async function login(email: string, password: string): Promise<Session> {
  const response = await api('POST', '/auth/login', { body: { email, password } });
  if (response.status !== 200) throw new Error(`login ${email} → ${response.status} ${response.text}`);
  return { ...response.body, email, password };
}

/** A fresh regular user, registered and signed in through the API. */
export async function newUser(label = 'user'): Promise<Session> {
  const email = uniqueEmail(label);
  const response = await api('POST', '/auth/register', {
    // A name can't hold a role word (lambdas/schemas/checks.ts): an admin-to-be is "Test lead".
    body: {
      name: `Test ${label.replace(/admin|staff|support|system|moderator/gi, 'lead')}`,
      email,
      password: STRONG_PASSWORD,
    },
  });
  if (response.status !== 201) throw new Error(`register → ${response.status} ${response.text}`);
  return confirmEmail(email, STRONG_PASSWORD);
}

/** Confirms a new account's address with the code in its first e-mail, read from the local mailbox, and signs in. */
export async function confirmEmail(email: string, password: string): Promise<Session> {
  const code = await codeFor(runtime.mailboxUrl, email);
  const response = await api('POST', '/auth/confirm-email', { body: { email, password, code } });
  if (response.status !== 200) throw new Error(`confirm-email ${email} → ${response.status} ${response.text}`);
  return { ...response.body, email, password };
}

export function bootstrapAdmin(): Promise<Session> {
  return login(BOOTSTRAP_ADMIN.email, BOOTSTRAP_ADMIN.password);
}

/** A fresh admin: a new user promoted by the bootstrap admin, signed in again to get the group claim. */
export async function newAdmin(label = 'admin'): Promise<Session> {
  const [admin, user] = await Promise.all([bootstrapAdmin(), newUser(label)]);
  const promoted = await api('PATCH', `/users/${user.user.id}/role`, {
    token: admin.accessToken,
    body: { role: 'ADMIN' },
  });
  if (promoted.status !== 200) throw new Error(`promote → ${promoted.status} ${promoted.text}`);
  return login(user.email, user.password);
}

/** Outcome of a WebSocket upgrade: the open socket, or the HTTP status it was refused with. */
export function connect(query: string): Promise<{ socket: WebSocket } | { refusedWith: number }> {
  return new Promise((resolvePromise, reject) => {
    const socket = new WebSocket(`${runtime.wsUrl}${query}`);
    socket.once('open', () => resolvePromise({ socket }));
    socket.once('unexpected-response', (_req, res) => {
      resolvePromise({ refusedWith: res.statusCode ?? 0 });
      res.resume();
      socket.terminate();
    });
    socket.once('error', (error) => reject(error));
  });
}

/** A socket opened the way browsers should: with a fresh single-use ticket. */
export async function ticketSocket(session: Pick<Session, 'accessToken'>): Promise<Client> {
  const ticket = await api('POST', '/chat/tickets', { token: session.accessToken });
  if (ticket.status !== 201) throw new Error(`ticket → ${ticket.status} ${ticket.text}`);
  return openSocket(`?ticket=${encodeURIComponent(ticket.body.ticket)}`);
}

/** Resolves with the close code, or fails if the socket is still open after `ms`. */
export async function closedWithin(c: Client, ms: number): Promise<number> {
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`still open after ${ms} ms`)), ms),
  );
  return (await Promise.race([c.closed, timeout])).code;
}

/**
 * The sockets one test file opens, closed after each of its tests.
 *
 * @example const sockets = socketsClosedAfterEach(); const c = await sockets.ticket(session);
 */
export function socketsClosedAfterEach() {
  const open: Client[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
  });
  const keep = (c: Client) => {
    open.push(c);
    return c;
  };
  return { keep, ticket: async (session: Pick<Session, 'accessToken'>) => keep(await ticketSocket(session)) };
}

/** Places a small order for `session` and returns it (its id is also its chat room's). */
export async function placeOrder(session: Session, description = 'Test order') {
  const response = await api('POST', '/orders', {
    token: session.accessToken,
    body: { description, specifications: {}, quantity: 1 },
  });
  if (response.status !== 201) throw new Error(`place order → ${response.status} ${response.text}`);
  return response.body;
}

export async function openSocket(query: string): Promise<Client> {
  const outcome = await connect(query);
  if (!('socket' in outcome)) throw new Error(`WebSocket refused with ${outcome.refusedWith}`);
  return new Client(outcome.socket);
}

/** A WebSocket client that queues frames so a test can wait for the next one matching a predicate. */
export class Client {
  /** Frames no next() has claimed yet. */
  readonly frames: any[] = [];
  private waiters: { match: (frame: any) => boolean; resolve: (frame: any) => void }[] = [];
  /** The first frame that broke the AsyncAPI contract; every later next() fails with it. */
  private violation: Error | undefined;
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      let frame: any;
      try {
        frame = JSON.parse(data.toString());
      } catch {
        frame = { raw: data.toString() };
      }
      const problem = frame.raw === undefined ? checkFrame(frame) : `Non-JSON frame: ${frame.raw}`;
      if (problem) this.violation ??= new Error(`Contract: ${problem}`);
      const waiter = this.waiters.find((w) => w.match(frame));
      if (waiter) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(frame);
      } else this.frames.push(frame);
    });
    this.closed = new Promise((resolvePromise) =>
      socket.once('close', (code, reason) => resolvePromise({ code, reason: reason.toString() })),
    );
  }

  send(frame: unknown) {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  next<T = any>(match: (frame: any) => boolean = () => true, timeoutMs = 5000): Promise<T> {
    if (this.violation) return Promise.reject(this.violation);
    const index = this.frames.findIndex(match);
    if (index >= 0) return Promise.resolve(this.frames.splice(index, 1)[0] as T);
    return new Promise((resolvePromise, reject) => {
      const waiter = {
        match,
        resolve: (frame: any) => {
          clearTimeout(timer);
          resolvePromise(frame as T);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`No matching frame within ${timeoutMs} ms; unclaimed: ${JSON.stringify(this.frames)}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Frames received and not yet claimed by next(). */
  pending(): any[] {
    return [...this.frames];
  }

  async close() {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close(1000);
    await this.closed;
  }
}

/** Every message stored in a room, through the API. */
export async function storedMessages(session: Session, roomId: string) {
  const room = await api('GET', `/chat/rooms/${roomId}`, { token: session.accessToken });
  const all = [...room.body.messages];
  for (let cursor = room.body.nextCursor; cursor;) {
    const page = await api('GET', `/chat/rooms/${roomId}/messages?before=${cursor}&limit=100`, {
      token: session.accessToken,
    });
    all.unshift(...page.body.items);
    cursor = page.body.nextCursor;
  }
  return all as { id: string; clientMessageId: string | null }[];
}

/**
 * Per-user limits count in fixed windows aligned to the clock: a test that fills one starts where
 * the whole burst fits in the same window (a burst across a boundary may pass twice the limit).
 */
export async function inOneWindow(kind: keyof typeof LIMITS, burstMs = 10_000) {
  const windowMs = LIMITS[kind].windowSeconds * 1000;
  const left = windowMs - (Date.now() % windowMs);
  if (left < burstMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

/** A DynamoDB client acting as the runtime's functions do (signed with its secret): a test reads what they wrote. */
export function runtimeTables(secret: string): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: runtime.dynamoDbEndpoint,
      region: LOCAL_REGION,
      credentials: credentialsFromSecret(secret),
    }),
  );
}
